import { test, expect, type Page } from '@playwright/test';
import { seedUser, uid } from '../test/support/seed';
import { db } from '../lib/db';
import { screenshot } from './support/fixtures';

// The server points at a real OpenID provider (npm oidc-provider) started by the e2e global setup, which vouches
// for every address it is given (email_verified).
async function ssoSignInAs(page: Page, email: string): Promise<void> {
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Continue with Hospital SSO' }).click();
  // The provider's sign-in page, or straight back to Portico's start page (an owner's apps, a reviewer's queue)
  // when the provider still knows the browser.
  await page.waitForURL(
    (u) =>
      u.port === (process.env.PORTICO_E2E_OIDC_PORT ?? '3918') || /^\/(?:apps|review)\b/.test(u.pathname),
  );
  if (new URL(page.url()).pathname.startsWith('/interaction')) {
    await page.locator('input[name="login"]').fill(email);
    await page.locator('input[name="password"]').fill('any password works here');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await expect(page.getByRole('banner').getByText(email)).toBeVisible();
}

test('a first single sign-on creates a member; the next one finds the same account', async ({ page }) => {
  const email = `sso-${uid()}@hospital.test`;
  const ssoSignIn = () => ssoSignInAs(page, email);

  await ssoSignIn();
  await expect(page.getByRole('banner')).toContainText('member');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText([
    'My apps',
    'Request access',
    'Getting started',
    'Notifications',
  ]);
  await screenshot(page, 'sso-first-sign-in');
  const user = await db().user.findUniqueOrThrow({ where: { email }, omit: { passwordHash: false } });
  expect(user).toMatchObject({ role: 'member', passwordHash: null });
  expect(user.ssoSubject).toContain(email);
  expect(await db().auditEvent.count({ where: { action: 'user.created_by_sso', targetId: user.id } })).toBe(
    1,
  );

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await ssoSignIn();
  expect(await db().user.count({ where: { email } })).toBe(1);
});

test('an account that exists signs in with SSO once its address is vouched for: linked, audited once, its role kept', async ({
  page,
}) => {
  const reviewer = await seedUser('reviewer');
  await ssoSignInAs(page, reviewer.email);
  await expect(page.getByRole('banner')).toContainText('reviewer');
  const linked = await db().user.findUniqueOrThrow({ where: { id: reviewer.id } });
  expect(linked.ssoSubject).toContain(reviewer.email);
  const audited = () =>
    db().auditEvent.count({ where: { action: 'user.sso_linked', targetId: reviewer.id } });
  expect(await audited()).toBe(1);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await ssoSignInAs(page, reviewer.email);
  expect(await audited()).toBe(1);
});
