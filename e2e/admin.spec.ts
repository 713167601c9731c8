import { test, expect } from '@playwright/test';
import { seedApp, uid } from '../test/support/seed';
import { db } from '../lib/db';
import { callWithKey, MODEL, screenshot, signedIn, signIn } from './support/fixtures';
import { rememberSecret } from './support/secrets';

test('admins create users, change roles, disable accounts, suspend and reinstate apps and edit their policy', async ({
  browser,
}) => {
  const admin = await signedIn(browser, 'admin');
  const a = admin.page;
  const email = `nurse-${uid()}@test.portico`;
  const password = `a long password ${uid()}`;
  rememberSecret(password);

  await test.step('create a user, make them a reviewer, disable and enable the account', async () => {
    await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await expect(a.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
    await a.getByLabel('Email').fill(email);
    await a.getByLabel('Name').fill('Night Nurse');
    await a.getByLabel('Password', { exact: true }).fill('too short');
    await a.getByRole('button', { name: 'Create user' }).click();
    await expect(a.getByText('Password must be at least 12 characters.')).toBeVisible();
    await expect(a.getByLabel('Email')).toHaveValue(email);
    await expect(a.getByLabel('Password', { exact: true })).toHaveValue(''); // a password is never sent back
    await a.getByLabel('Password', { exact: true }).fill(password);
    await a.getByRole('button', { name: 'Create user' }).click();
    await expect(a.getByText(`Created ${email} (member).`)).toBeVisible();

    await a.getByLabel('Find', { exact: true }).fill(email.slice(0, 14));
    await a.getByRole('button', { name: 'Search' }).click();
    await expect(a.getByRole('row')).toHaveCount(2);
    const row = a.getByRole('row', { name: new RegExp(email) });
    await row.getByLabel(`Role of ${email}`, { exact: true }).selectOption('reviewer');
    await row.getByRole('button', { name: `Save role of ${email}` }).click();
    await expect(row.getByText('Role changed to reviewer.')).toBeVisible();
    await row.getByRole('button', { name: `Disable ${email}` }).click();
    await expect(row.getByText('Disabled', { exact: true })).toBeVisible();
    await screenshot(a, 'users');
    await a.goto(`/users?q=${encodeURIComponent(admin.user.email)}`);
    await expect(a.getByRole('row', { name: new RegExp(admin.user.email) })).toContainText(
      'You (another admin can change your role)',
    );
    await a.goto(`/users?q=${encodeURIComponent(email)}`);

    const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
    const p = await ctx.newPage();
    await p.goto('/signin');
    await p.getByLabel('Email', { exact: true }).fill(email);
    await p.getByLabel('Password', { exact: true }).fill(password);
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(p.getByText('That email and password do not match')).toBeVisible();

    await row.getByRole('button', { name: `Enable ${email}` }).click();
    await expect(row.getByText('Account enabled.')).toBeVisible();
    await signIn(p, email, password);
    // A password an admin chose is the admin's: the new user picks their own before anything else.
    await expect(p).toHaveURL(/\/account/);
    await expect(p.getByText('Choose a new password before you continue')).toBeVisible();
    await p.getByLabel('Current password').fill(password);
    await p.getByRole('textbox', { name: 'New password', exact: true }).fill('their own passphrase now');
    await p.getByLabel('New password again').fill('their own passphrase now');
    await p.getByRole('button', { name: 'Change password' }).click();
    await expect(
      p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Review queue/ }),
    ).toBeVisible();
    await ctx.close();

    await a.goto(`/audit?action=user.role_changed&actor=${encodeURIComponent(admin.user.email)}`);
    await expect(a.getByRole('table')).toContainText(`Email: ${email} · From: member · To: reviewer`);
  });

  await test.step('suspend an app (its key gets 403 at once), reinstate it, change its limits', async () => {
    const s = await seedApp({ models: [MODEL] });
    expect((await callWithKey(s.key!)).status).toBe(200);
    await a.goto(`/apps/${s.app.id}`);
    const confirmSuspend = a.getByRole('dialog', { name: 'Suspend this app?' });
    await a.getByRole('button', { name: 'Suspend app' }).click();
    await confirmSuspend.getByRole('button', { name: 'Suspend app' }).click();
    await expect(
      a.getByText('The reason must say what the owner should know (at least 3 characters).'),
    ).toBeVisible();
    await a
      .getByLabel('Reason for suspending')
      .fill('Unexpected volume at night; investigating with the owners.');
    await a.getByRole('button', { name: 'Suspend app' }).click();
    await expect(confirmSuspend).toContainText('Every key of the app gets 403 at once');
    await confirmSuspend.getByRole('button', { name: 'Suspend app' }).click();
    await expect(a.getByText('App suspended: its keys are refused with 403 from now on.')).toBeVisible();
    await expect(a.getByRole('heading', { level: 1 })).toContainText('Suspended');
    expect((await callWithKey(s.key!)).status).toBe(403);

    await a.getByRole('button', { name: 'Reinstate app' }).click();
    await expect(a.getByText('App reinstated: its keys work again.')).toBeVisible();
    expect((await callWithKey(s.key!)).status).toBe(200);

    const adminPanel = a.getByRole('region', { name: 'Administration' });
    await adminPanel.getByText('Edit policy and limits').click();
    await adminPanel.getByLabel('Tokens per minute').fill('lots');
    await adminPanel.getByRole('button', { name: 'Save policy' }).click();
    await expect(adminPanel.getByText('Tokens per minute must be a number.')).toBeVisible();
    await expect(adminPanel.getByLabel('Tokens per minute')).toBeFocused();
    await adminPanel.getByLabel('Tokens per minute').fill('50,000');
    await adminPanel.getByRole('button', { name: 'Save policy' }).click();
    await expect(adminPanel.getByText('Policy and limits saved.', { exact: false })).toBeVisible();
    await expect(a.getByRole('region', { name: 'Policy and limits' })).toContainText('50,000');
    await expect(a.getByRole('region', { name: 'Status history' })).toContainText('tokens/min 50,000');

    // The form is still open after the save above.
    await adminPanel.getByRole('checkbox', { name: /^openai/ }).check();
    await adminPanel.getByRole('checkbox', { name: /^Bring your own OpenAI key/ }).check();
    const images = adminPanel.getByRole('checkbox', { name: /^Images/ });
    await expect(images).toHaveAccessibleName(/PHI inside an image cannot be scrubbed/);
    await images.check();
    await adminPanel.getByRole('button', { name: 'Save policy' }).click();
    await expect(adminPanel.getByText('Policy and limits saved.', { exact: false })).toBeVisible();
    const policy = a.getByRole('region', { name: 'Policy and limits' });
    await expect(policy).toContainText('openai');
    await expect(policy).toContainText('Allowed on the PHI-safe chat endpoint');
    await expect(policy).toContainText('PHI inside an image cannot be scrubbed.');
    await expect(a.getByRole('region', { name: 'Status history' })).toContainText(
      'adapters: openai · own OpenAI key allowed · images allowed · audio not allowed',
    );
    const app = await db().app.findUniqueOrThrow({ where: { id: s.app.id } });
    expect(app).toMatchObject({
      allowedAdapters: ['openai'],
      allowByoKey: true,
      allowImages: true,
      allowAudio: false,
    });
    await screenshot(a, 'app-admin');
  });
  await admin.context.close();
});

test('reviewers allow HTTP adapters and audio at approval; owners see them read-only', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL], approved: false });
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  await r.goto(`/review/${s.app.id}`);
  const form = r.getByRole('region', { name: 'Approve' });
  const search = form.getByRole('checkbox', { name: /^search/ });
  await expect(search).toHaveAccessibleName(/PHI scrubbed from the path, the query and every text body/);
  await expect(form.getByRole('checkbox', { name: /^openai/ })).toHaveAccessibleName(/no PHI scrubbing/);
  await search.check();
  const audio = form.getByRole('checkbox', { name: /^Audio/ });
  await expect(audio).toHaveAccessibleName(/PHI inside audio cannot be scrubbed/);
  await expect(audio).not.toBeChecked();
  await audio.check();
  await expect(form.getByRole('checkbox', { name: /^Images/ })).not.toBeChecked();
  await expect(form.getByRole('checkbox', { name: /^Bring your own OpenAI key/ })).not.toBeChecked();
  await form.getByRole('button', { name: 'Approve' }).click();
  await expect(r.getByText(`${s.app.name}: approved.`)).toBeVisible();
  await reviewer.context.close();

  const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const o = await ctx.newPage();
  await signIn(o, s.owner.email, s.owner.password);
  await o.goto(`/apps/${s.app.id}`);
  const policy = o.getByRole('region', { name: 'Policy and limits' });
  await expect(policy).toContainText('HTTP adapters');
  await expect(policy).toContainText('search');
  await expect(policy).toContainText('PHI inside audio cannot be scrubbed.');
  await expect(policy.getByRole('checkbox')).toHaveCount(0); // read-only for owners
  await expect(o.getByRole('region', { name: 'Administration' })).toHaveCount(0);
  await screenshot(o, 'app-policy-owner');
  await ctx.close();
});
