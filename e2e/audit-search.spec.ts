import { test, expect } from '@playwright/test';
import { audit } from '../lib/audit';
import { db } from '../lib/db';
import { seedApp, uid } from '../test/support/seed';
import { MODEL, screenshot, signedIn } from './support/fixtures';

test('the audit log finds events by a name: an app’s (with its keys’ events), a user’s, an actor’s', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL] });
  const person = `Ada Lovelace ${uid()}`;
  await db().user.update({ where: { id: s.owner.id }, data: { name: person } });
  await audit(
    { id: s.owner.id, email: s.owner.email },
    'app.owner_added',
    { type: 'app', id: s.app.id },
    {
      email: 'colleague@test.portico',
    },
  );
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  const rows = r.getByRole('table', { name: 'Audit events' }).getByRole('row');

  await test.step('an app’s name, in any case, finds its events and its keys’', async () => {
    await r.goto('/audit');
    await r.getByLabel('Target').fill(s.app.name.toUpperCase());
    await r.getByRole('button', { name: 'Apply filters' }).click();
    await expect(rows.filter({ hasText: 'App approved' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Access requested' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Key created' })).toHaveCount(1);
    await expect(r.getByText('No events match')).toHaveCount(0);
  });

  await test.step('a user’s name finds the events about them; as actor, the events they did', async () => {
    await r.goto('/audit');
    await r.getByLabel('Target').fill(person.toLowerCase());
    await r.getByRole('button', { name: 'Apply filters' }).click();
    await expect(rows.filter({ hasText: 'User created' })).toHaveCount(1);
    await r.goto('/audit');
    await r.getByLabel('Actor').fill(person);
    await r.getByRole('button', { name: 'Apply filters' }).click();
    await expect(rows.filter({ hasText: 'Owner added' })).toHaveCount(1);
    await expect(r.getByText('1 event')).toBeVisible();
  });

  await test.step('from a row, the app’s events, keys included', async () => {
    await r.goto(`/audit?actor=${encodeURIComponent(person)}`);
    await r.getByRole('link', { name: `Only the events of ${s.app.name}` }).click();
    await expect(r).toHaveURL(new RegExp(`target=${s.app.id}`));
    await expect(rows.filter({ hasText: 'Key created' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'App approved' })).toHaveCount(1);
    await r.setViewportSize({ width: 390, height: 844 });
    expect(await r.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(r, 'audit-search-phone');
  });
  await reviewer.context.close();
});
