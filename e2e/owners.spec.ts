import { test, expect } from '@playwright/test';
import { seedApp, seedUser, uid } from '../test/support/seed';
import { audit } from '../lib/audit';
import { db } from '../lib/db';
import { download, keyRow, MODEL, readShownKey, screenshot, signIn, signedIn } from './support/fixtures';

test('owners add and remove co-owners by email; an app keeps at least one owner', async ({ browser }) => {
  const s = await seedApp({ models: [MODEL] });
  const colleague = await seedUser('member');
  const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const o = await ctx.newPage();
  await signIn(o, s.owner.email, s.owner.password);
  await o.goto(`/apps/${s.app.id}`);
  const owners = o.getByRole('region', { name: 'Owners' });
  await expect(owners.getByRole('button', { name: /^Remove/ })).toBeDisabled();

  await owners.getByLabel('Add an owner by email').fill(`nobody-${uid()}@test.portico`);
  await owners.getByRole('button', { name: 'Add owner' }).click();
  const refusal =
    'cannot be added: only an active Portico account can own an app. They sign in once with single sign-on, or an admin creates or enables their account.';
  await expect(owners.getByRole('alert')).toContainText(refusal);
  // A disabled account gets the same answer: the form does not tell who has an account.
  const disabled = await seedUser('member');
  await db().user.update({ where: { id: disabled.id }, data: { disabled: true } });
  await owners.getByLabel('Add an owner by email').fill(disabled.email);
  await owners.getByRole('button', { name: 'Add owner' }).click();
  await expect(owners.getByRole('alert')).toHaveText(`${disabled.email} ${refusal}`);
  await owners.getByLabel('Add an owner by email').fill(colleague.email.toUpperCase());
  await owners.getByRole('button', { name: 'Add owner' }).click();
  await expect(owners.getByText(`${colleague.email} is now an owner.`)).toBeVisible();
  await expect(owners.getByRole('listitem')).toHaveCount(2);

  // The colleague now sees the app and may manage it; the original owner steps down.
  const c = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const cp = await c.newPage();
  await signIn(cp, colleague.email, colleague.password);
  await cp.goto('/apps');
  await cp.getByRole('link', { name: s.app.name }).click();
  await expect(cp.getByRole('button', { name: 'Create key' })).toBeVisible();
  await c.close();

  await owners.getByRole('button', { name: `Remove ${s.owner.email} (you)` }).click();
  const confirmRemove = o.getByRole('dialog', { name: 'Remove yourself as an owner?' });
  await expect(confirmRemove).toContainText('You will no longer manage this app');
  await confirmRemove.getByRole('button', { name: 'Remove owner' }).click();
  await expect(o).toHaveURL(/\/apps\?left=1/);
  await expect(o.getByText('You are no longer an owner of that app.')).toBeVisible();
  expect((await o.goto(`/apps/${s.app.id}`))?.status()).toBe(404);
  await ctx.close();
});

test('the audit log filters by actor, action and dates, and pages through results', async ({ browser }) => {
  const actor = `bulk-${uid()}@test.portico`;
  for (let i = 0; i < 55; i++)
    await audit(
      { email: actor },
      'app.policy_changed',
      { type: 'app', id: `bulk${uid()}${i}` },
      { rpmLimit: i },
    );
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  await r.goto('/audit');
  await r.getByLabel('Actor').fill(actor);
  await r.getByLabel('Action').selectOption('app.policy_changed');
  const today = new Date().toISOString().slice(0, 10);
  await r.getByLabel('From (UTC)').fill(today);
  await r.getByLabel('To (UTC, inclusive)').fill(today);
  await r.getByRole('button', { name: 'Apply filters' }).click();
  await expect(r.getByText('1–50 of 55 events, newest first')).toBeVisible();
  await expect(r.getByRole('row')).toHaveCount(51);
  await r.getByRole('link', { name: 'Older →' }).click();
  await expect(r.getByText('51–55 of 55 events, newest first')).toBeVisible();
  await expect(r.getByText('Page 2 of 2')).toBeVisible();
  await expect(r.getByLabel('Actor')).toHaveValue(actor);
  await r.getByLabel('To (UTC, inclusive)').fill('2020-01-01');
  await r.getByRole('button', { name: 'Apply filters' }).click();
  await expect(r.getByText('No events match these filters')).toBeVisible();
  await reviewer.context.close();
});

test('the audit log names its targets with links, says its details in words, and exports as CSV', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL] });
  const key = await db().apiKey.findFirstOrThrow({ where: { appId: s.app.id } });
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  await r.goto(`/audit?target=${s.app.id}`);
  const approved = r.getByRole('row', { name: /App approved/ });
  await expect(approved.getByRole('link', { name: s.app.name })).toHaveAttribute('href', `/apps/${s.app.id}`);
  await expect(approved).toContainText('Models: gpt-4o-mini-2024-07-18 · PHI policy: scrub');
  await expect(approved).toContainText('By: the operator (CLI)');
  await r.goto(`/audit?target=${key.id}`);
  await expect(
    r
      .getByRole('row', { name: /Key created/ })
      .getByRole('link', { name: `test (${key.prefix}…${key.last4}) of ${s.app.name}` }),
  ).toHaveAttribute('href', `/apps/${s.app.id}#keys`);
  await r.goto(`/audit?target=${s.owner.id}`);
  await expect(
    r.getByRole('row', { name: /User created/ }).getByRole('link', { name: s.owner.email }),
  ).toBeVisible();
  await screenshot(r, 'audit-log');

  // The export holds the filtered events, with the same names and words.
  await r.goto(`/audit?target=${s.app.id}`);
  const csv = await download(r, r.getByRole('link', { name: 'Export CSV' }));
  expect(csv[0]).toEqual([
    'When (UTC)',
    'Actor',
    'IP address',
    'Action',
    'Action code',
    'Target type',
    'Target',
    'Target id',
    'Details',
  ]);
  const row = csv.find((c) => c[4] === 'app.approved')!;
  expect(row.slice(3, 8)).toEqual(['App approved', 'app.approved', 'app', s.app.name, s.app.id]);
  expect(row[8]).toContain('PHI policy: scrub');
  // An app's events include its keys'.
  expect(csv.slice(1).every((c) => c[7] === s.app.id || c[7] === key.id)).toBe(true);
  expect(csv.some((c) => c[4] === 'key.created' && c[7] === key.id)).toBe(true);
  // Owners and members cannot export it.
  const o = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const op = await o.newPage();
  await signIn(op, s.owner.email, s.owner.password);
  expect((await op.request.get('/api/audit')).status()).toBe(404);
  await o.close();
  await reviewer.context.close();
});

test('keys can be created and revoked with the keyboard alone', async ({ browser }) => {
  const s = await seedApp({ models: [MODEL] });
  const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const o = await ctx.newPage();
  await signIn(o, s.owner.email, s.owner.password);
  await o.goto(`/apps/${s.app.id}`);

  await o.getByRole('button', { name: 'Create key' }).focus();
  await o.keyboard.press('Enter');
  await expect(o.getByLabel('Key name')).toBeFocused();
  await o.keyboard.type('keyboard key');
  await o.keyboard.press('Enter');
  const key = await readShownKey(o);
  await expect(o.getByLabel('New API key')).toBeFocused();
  // Escape asks first (the key is never shown again): "Back to the key" keeps it, a second Escape closes.
  await o.keyboard.press('Escape');
  await expect(o.getByText('Close without storing the key? It cannot be shown again.')).toBeVisible();
  await expect(o.getByRole('button', { name: 'Back to the key' })).toBeFocused();
  await o.keyboard.press('Enter');
  await expect(o.getByLabel('New API key')).toHaveValue(key);
  await o.keyboard.press('Escape');
  await o.keyboard.press('Escape');
  await expect(o.getByRole('dialog')).toBeHidden();
  await expect(o.getByRole('heading', { name: 'API keys' })).toBeFocused();
  await expect(keyRow(o, key)).toContainText('Active');

  await keyRow(o, key)
    .getByRole('button', { name: /^Revoke/ })
    .focus();
  await o.keyboard.press('Enter');
  await expect(o.getByRole('dialog').getByRole('button', { name: 'Cancel' })).toBeFocused();
  await o.keyboard.press('Tab');
  await expect(o.getByRole('dialog').getByRole('button', { name: 'Revoke key' })).toBeFocused();
  await o.keyboard.press('Enter');
  await expect(keyRow(o, key)).toContainText('Revoked');
  await ctx.close();
});
