import { test, expect } from '@playwright/test';
import { endSessions } from '../lib/auth/sessions';
import { db } from '../lib/db';
import { uid } from '../test/support/seed';
import { MODEL, screenshot, signedIn } from './support/fixtures';

test('a request sent after the session ended elsewhere: the sign-in page says why, and the form comes back filled', async ({
  browser,
}) => {
  const { user, context, page: p } = await signedIn(browser, 'member', { width: 390, height: 844 });
  const name = `draft-${uid()}`;
  await p.goto('/apps/new');
  await p.getByLabel('App name').fill(name);
  await p.getByLabel('Description').fill('Summaries of ward rounds');
  await p.getByLabel('Use case').fill('Registrars get a summary of the round for the handover');
  await p.getByLabel('Executive sponsor').fill('Chief Medical Officer');
  await p.getByLabel('Expected volume').fill('300 a day');
  await p.getByLabel('Expected return / KPI').fill('Handover in 10 minutes instead of 25');
  await p.getByLabel('Yes, it may contain PHI').check();
  await p.getByLabel(MODEL).check();
  await p.getByLabel(/I confirm this app is for internal use only/).check();

  // Signed out elsewhere (another browser, a password change): this browser's session is gone.
  await endSessions(user.id);
  await p.getByRole('button', { name: 'Submit request' }).click();
  // Nothing was sent; the sign-in page says why, and comes back to the form.
  await expect(p).toHaveURL(/\/signin\?ended=1&next=%2Fapps%2Fnew$/);
  expect(await db().app.count({ where: { name } })).toBe(0);
  await expect(p.getByRole('status')).toContainText('Your session ended');
  expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(p, 'signin-session-ended-phone');
  await p.getByLabel('Email', { exact: true }).fill(user.email);
  await p.getByLabel('Password', { exact: true }).fill(user.password);
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();

  await expect(p).toHaveURL(/\/apps\/new$/);
  await expect(p.getByText('Your draft is back')).toBeVisible();
  await expect(p.getByLabel('App name')).toHaveValue(name);
  await expect(p.getByLabel('Use case')).toHaveValue(
    'Registrars get a summary of the round for the handover',
  );
  await expect(p.getByLabel('Yes, it may contain PHI')).toBeChecked();
  await expect(p.getByLabel(MODEL)).toBeChecked();
  await screenshot(p, 'request-draft-restored-phone');
  await p.getByRole('button', { name: 'Submit request' }).click();
  await expect(p.getByText('Request sent')).toBeVisible();
  expect(await db().app.count({ where: { name } })).toBe(1);

  // Sent: the draft is gone, and the next request starts empty.
  await p.goto('/apps/new');
  await expect(p.getByLabel('App name')).toHaveValue('');
  await expect(p.getByText('Your draft is back')).toHaveCount(0);
  await context.close();
});

test('a page opened after the session ended sends to sign-in with the reason, then back', async ({
  browser,
}) => {
  const { user, context, page: p } = await signedIn(browser, 'member');
  await endSessions(user.id);
  await p.goto('/apps/new');
  await expect(p).toHaveURL(/\/signin\?ended=1&next=%2Fapps%2Fnew$/);
  await expect(p.getByRole('status')).toContainText('Your session ended');
  await context.close();
});
