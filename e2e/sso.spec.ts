import { test, expect } from '@playwright/test';
import { uid } from '../test/support/seed';
import { db } from '../lib/db';
import { screenshot } from './support/fixtures';

// The server points at a real OpenID provider (npm oidc-provider) started by the e2e global setup.
test('a first single sign-on creates a member; the next one finds the same account', async ({ page }) => {
  const email = `sso-${uid()}@hospital.test`;
  const ssoSignIn = async () => {
    await page.goto('/signin');
    await page.getByRole('button', { name: 'Continue with Hospital SSO' }).click();
    await page.waitForURL(
      (u) => u.port === (process.env.PORTICO_E2E_OIDC_PORT ?? '3918') || u.pathname.startsWith('/apps'),
    );
    if (new URL(page.url()).pathname.startsWith('/interaction')) {
      await page.locator('input[name="login"]').fill(email);
      await page.locator('input[name="password"]').fill('any password works here');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    await expect(page.getByRole('banner').getByText(email)).toBeVisible();
  };

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
