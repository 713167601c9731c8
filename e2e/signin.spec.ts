import { test, expect } from '@playwright/test';
import { seedUser } from '../test/support/seed';
import { screenshot, signIn } from './support/fixtures';

test('a user signs in with email and password and sees the portal', async ({ page }) => {
  const user = await seedUser('member');
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin/);
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
