import { test, expect } from '@playwright/test';
import { seedApp } from '../test/support/seed';
import { MODEL, screenshot, signedIn, signIn } from './support/fixtures';

test('without email set up, each person sees in the portal what Portico would have emailed them', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL], approved: false });
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  await r.goto(`/review/${s.app.id}`);
  await r.getByLabel('Reason or comment for the owner').fill('Name the wards that will use it.');
  await r.getByRole('button', { name: 'Send back for changes' }).click();
  await expect(r.getByText(`${s.app.name}: changes requested.`)).toBeVisible();
  await reviewer.context.close();

  const ctx = await browser.newContext({
    baseURL: process.env.E2E_BASE_URL,
    viewport: { width: 390, height: 844 },
  });
  const o = await ctx.newPage();
  await signIn(o, s.owner.email, s.owner.password);
  await o.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
  await expect(o.getByText('Email is not set up on this server')).toBeVisible();
  const item = o.getByRole('listitem').filter({ hasText: `Changes requested: ${s.app.name}` });
  await expect(item).toContainText(`${reviewer.user.email} asked for changes to "${s.app.name}".`);
  await expect(item).toContainText('Reason: Name the wards that will use it.');
  expect(await o.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(o, 'notifications-phone-owner');
  await item.getByRole('link', { name: 'Open the app' }).click();
  await expect(o).toHaveURL(new RegExp(`/apps/${s.app.id}$`));
  await ctx.close();

  // Another person's list holds none of it.
  const other = await signedIn(browser, 'member');
  await other.page.goto('/notifications');
  await expect(other.page.getByText(s.app.name)).toHaveCount(0);
  await other.context.close();
});
