import { test, expect } from '@playwright/test';
import { seedUser } from '../test/support/seed';
import { screenshot, signIn } from './support/fixtures';

test('a user signs in with email and password and sees the portal', async ({ page }) => {
  const user = await seedUser('member');
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin/);
  // Every page names its icon, and browsers that ask for /favicon.ico by name get it too.
  const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect((await page.request.get(icon!)).status()).toBe(200);
  const ico = await page.request.get('/favicon.ico');
  expect([ico.status(), ico.headers()['content-type']]).toEqual([200, 'image/x-icon']);
  await screenshot(page, 'signin');
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill('wrong password entirely');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText('That email and password do not match')).toBeVisible();
  await signIn(page, user.email, user.password);
  await screenshot(page, 'home');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
});

test('repeated wrong passwords lock the account for a while, and the burst is audited', async ({ page }) => {
  const user = await seedUser('member');
  const attempt = async (password: string) => {
    await page.goto('/signin');
    await page.getByLabel('Email', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  };
  for (let i = 0; i < 5; i++) {
    await attempt(`wrong password number ${i}`);
    await expect(page.getByText('That email and password do not match')).toBeVisible();
  }
  // Even the right password is refused until the lock ends.
  await attempt(user.password);
  await expect(page.getByText('Too many failed attempts')).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
  const { db } = await import('../lib/db');
  const events = await db().auditEvent.findMany({
    where: { action: 'auth.signin_failure_burst', targetId: user.id },
  });
  expect(events).toHaveLength(1);
  expect(JSON.stringify(events)).not.toContain('wrong password');
});
