import { test, expect, type Browser, type BrowserContext } from '@playwright/test';
import { seedUser } from '../test/support/seed';
import { screenshot, signedIn, signIn } from './support/fixtures';

/** A second browser holding a copy of `from`'s cookies, as someone who stole the session cookie would. */
async function copyOf(browser: Browser, from: BrowserContext) {
  const copy = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  await copy.addCookies(await from.cookies());
  return copy;
}

/** Whether a browser context is signed in: /apps opens, or sends it to sign in. */
async function opensPortal(context: BrowserContext) {
  const page = await context.newPage();
  await page.goto('/apps');
  const signedIn = !page.url().includes('/signin');
  await page.close();
  return signedIn;
}

test('signing out ends the session: a copy of its cookie no longer opens the portal', async ({ browser }) => {
  const m = await signedIn(browser, 'member');
  const thief = await copyOf(browser, m.context);
  expect(await opensPortal(thief)).toBe(true);
  await m.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(m.page).toHaveURL(/\/signin/);
  expect(await opensPortal(thief)).toBe(false);
});

test('disabling, re-enabling and a role change end sessions; an old cookie is never revived', async ({
  browser,
}) => {
  const admin = await signedIn(browser, 'admin');
  const m = await signedIn(browser, 'member');
  const kept = await copyOf(browser, m.context);
  await admin.page.goto(`/users?q=${encodeURIComponent(m.user.email)}`);
  const row = admin.page.getByRole('row').filter({ hasText: m.user.email });
  await row.getByRole('button', { name: `Disable ${m.user.email}` }).click();
  await expect(row.getByRole('button', { name: `Enable ${m.user.email}` })).toBeVisible();
  await row.getByRole('button', { name: `Enable ${m.user.email}` }).click();
  await expect(row.getByRole('button', { name: `Disable ${m.user.email}` })).toBeVisible();
  expect(await opensPortal(kept)).toBe(false);
  expect(await opensPortal(m.context)).toBe(false);

  // Signed in again, then promoted: the member's session ends and the next one has the new role.
  await signIn(m.page, m.user.email, m.user.password);
  const r = row;
  await r.getByLabel(`Role of ${m.user.email}`, { exact: true }).selectOption('reviewer');
  await r.getByRole('button', { name: `Save role of ${m.user.email}` }).click();
  await expect(r.getByText('Role changed to reviewer.')).toBeVisible();
  expect(await opensPortal(m.context)).toBe(false);
});

test('a user changes their password: other browsers are signed out, this one stays', async ({ browser }) => {
  const m = await signedIn(browser, 'member', { width: 390, height: 844 });
  const other = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  await signIn(await other.newPage(), m.user.email, m.user.password);
  await m.page
    .getByRole('banner')
    .getByRole('link', { name: new RegExp(m.user.email) })
    .click();
  await expect(m.page.getByRole('heading', { name: 'Your account' })).toBeVisible();
  await m.page.getByLabel('Current password').fill('not the password');
  await m.page.getByRole('textbox', { name: 'New password', exact: true }).fill('a brand new passphrase');
  await m.page.getByLabel('New password again').fill('a brand new passphrase');
  await m.page.getByRole('button', { name: 'Change password' }).click();
  await expect(m.page.getByRole('region', { name: 'Change password' }).getByRole('alert')).toContainText(
    'The current password is not right',
  );
  await m.page.getByLabel('Current password').fill(m.user.password);
  await m.page.getByRole('textbox', { name: 'New password', exact: true }).fill('a brand new passphrase');
  await m.page.getByLabel('New password again').fill('a brand new passphrase');
  await m.page.getByRole('button', { name: 'Change password' }).click();
  await expect(m.page.getByText('Password changed.')).toBeVisible();
  await expect(m.page.getByText('This browser is the only one signed in')).toBeVisible();
  await screenshot(m.page, 'account-phone');
  expect(await opensPortal(m.context)).toBe(true);
  expect(await opensPortal(other)).toBe(false);

  // Sign out everywhere: this browser too.
  await m.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(m.page).toHaveURL(/\/signin/);
  expect(await opensPortal(m.context)).toBe(false);
  await signIn(m.page, m.user.email, 'a brand new passphrase');
});

test('an admin resets a password: a temporary one shown once, which must be changed before anything else', async ({
  browser,
}) => {
  const admin = await signedIn(browser, 'admin');
  const u = await seedUser('member');
  await admin.page.goto(`/users?q=${encodeURIComponent(u.email)}`);
  await admin.page.getByRole('button', { name: `Reset the password of ${u.email}` }).click();
  await admin.page
    .getByRole('dialog', { name: `Reset the password of ${u.email}?` })
    .getByRole('button', { name: 'Reset password' })
    .click();
  const shown = admin.page.locator('[data-temporary-password]');
  await expect(shown).toBeVisible();
  const temporary = (await shown.textContent())!.trim();
  expect(temporary).toMatch(/^[A-Za-z0-9]{20}$/);
  await screenshot(admin.page, 'users-reset-password');
  await admin.page.reload();
  await expect(admin.page.locator('[data-temporary-password]')).toHaveCount(0);

  const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const page = await ctx.newPage();
  // The old password no longer works; the temporary one leads to the account page, and only there.
  await page.goto('/signin');
  await page.getByLabel('Email', { exact: true }).fill(u.email);
  await page.getByLabel('Password', { exact: true }).fill(u.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText('That email and password do not match')).toBeVisible();
  await signIn(page, u.email, temporary);
  await expect(page).toHaveURL(/\/account/);
  await expect(page.getByText('Choose a new password before you continue')).toBeVisible();
  await page.goto('/apps/new');
  await expect(page).toHaveURL(/\/account/);
  await page.getByLabel('Current password').fill(temporary);
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill('my own passphrase now');
  await page.getByLabel('New password again').fill('my own passphrase now');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/apps/);
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Apps' })).toBeVisible();
});
