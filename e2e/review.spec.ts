import { test, expect } from '@playwright/test';
import { seedApp } from '../test/support/seed';
import { db } from '../lib/db';
import { MODEL, screenshot, signedIn, signIn } from './support/fixtures';

test('a reviewer rejects with a reason, or sends back for changes, and the owner sees why and resubmits', async ({
  browser,
}) => {
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  const first = await seedApp({ models: [MODEL], approved: false });
  const second = await seedApp({ models: [MODEL], approved: false });

  await test.step('reject needs a reason the owner can act on', async () => {
    await r.goto(`/review/${first.app.id}`);
    // Rejecting is final: it asks first, and keeping the request changes nothing.
    const confirmReject = r.getByRole('dialog', { name: 'Reject this request?' });
    await r.getByRole('button', { name: 'Reject' }).click();
    await expect(confirmReject).toContainText('A rejection is final');
    await confirmReject.getByRole('button', { name: 'Keep it for review' }).click();
    await expect(confirmReject).toBeHidden();
    await r.getByRole('button', { name: 'Reject' }).click();
    await confirmReject.getByRole('button', { name: 'Reject' }).click();
    await expect(
      r.getByText('The reason must say what the owner should know (at least 3 characters).'),
    ).toBeVisible();
    await expect(r.getByLabel('Reason or comment for the owner')).toHaveAttribute('aria-invalid', 'true');
    await r
      .getByLabel('Reason or comment for the owner')
      .fill('Patient-facing chat is out of scope: Portico is for internal tools.');
    await r.getByRole('button', { name: 'Reject' }).click();
    await confirmReject.getByRole('button', { name: 'Reject' }).click();
    await expect(r.getByText(`${first.app.name}: rejected.`)).toBeVisible();
  });

  await test.step('the owner sees the decision and the reason', async () => {
    const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
    const o = await ctx.newPage();
    await signIn(o, first.owner.email, first.owner.password);
    await o.goto('/apps');
    await expect(o.getByRole('row', { name: new RegExp(first.app.name) })).toContainText('Rejected');
    await o.getByRole('link', { name: first.app.name }).click();
    await expect(o.getByText('Request rejected')).toBeVisible();
    await expect(
      o.getByText('Reason: “Patient-facing chat is out of scope: Portico is for internal tools.”'),
    ).toBeVisible();
    await expect(o.getByRole('region', { name: 'Status history' })).toContainText(
      `Rejected by ${reviewer.user.email}`,
    );
    await expect(o.getByRole('button', { name: 'Create key' })).toHaveCount(0);
    // A rejected app takes no new owners, and the samples do not offer it.
    await expect(o.getByRole('button', { name: 'Add owner' })).toHaveCount(0);
    await screenshot(o, 'app-rejected');
    await o.goto('/getting-started');
    // Not "no app yet": the page says the one there is was rejected.
    await expect(o.getByText('None of your apps can call Portico')).toBeVisible();
    await expect(o.getByText(`Your request for ${first.app.name} was rejected`)).toBeVisible();
    await ctx.close();
  });

  await test.step('sent back for changes, the owner edits and resubmits; the request is back in the queue', async () => {
    await r.goto('/review');
    // The app's name in the queue opens its review too.
    await expect(r.getByRole('link', { name: second.app.name, exact: true })).toHaveAttribute(
      'href',
      `/review/${second.app.id}`,
    );
    await r.getByRole('link', { name: `Review ${second.app.name}` }).click();
    await r
      .getByLabel('Reason or comment for the owner')
      .fill('Name the executive sponsor and give a measurable KPI.');
    await r.getByRole('button', { name: 'Send back for changes' }).click();
    await expect(r.getByText(`${second.app.name}: changes requested.`)).toBeVisible();
    await expect(r.getByRole('heading', { name: /Sent back to owners/ })).toBeVisible();

    const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
    const o = await ctx.newPage();
    await signIn(o, second.owner.email, second.owner.password);
    await o.goto('/apps');
    await expect(o.getByText('Action needed: edit and resubmit')).toBeVisible();
    await screenshot(o, 'my-apps');
    await o.getByRole('link', { name: second.app.name }).click();
    await expect(o.getByText('The reviewer asked for changes')).toBeVisible();
    await expect(o.getByText('“Name the executive sponsor and give a measurable KPI.”')).toBeVisible();
    await o.getByRole('link', { name: 'Edit and resubmit' }).click();
    await expect(o.getByLabel('App name')).toHaveValue(second.app.name);
    await o.getByLabel('Executive sponsor').fill('Dr. B. Example, Chief Nursing Officer');
    await o
      .getByLabel('Expected return / KPI')
      .fill('Discharge letters out within 2 hours for 90% of patients');
    // The owners attested when they first submitted: the box starts ticked, so the resubmission goes through at once.
    await expect(o.getByLabel(/I confirm this app is for internal use only/)).toBeChecked();
    await screenshot(o, 'resubmit');
    await o.getByRole('button', { name: 'Resubmit request' }).click();
    await expect(o.getByText('Resubmitted: the request is back in the review queue.')).toBeVisible();
    await expect(o.getByRole('heading', { level: 1 })).toContainText('Pending review');
    await expect(o.getByRole('region', { name: 'Status history' })).toContainText('Sent back for changes');
    await expect(o.getByRole('region', { name: 'Status history' })).toContainText(
      `Resubmitted by ${second.owner.email}`,
    );
    await ctx.close();
    const saved = await db().app.findUniqueOrThrow({ where: { id: second.app.id } });
    expect(saved).toMatchObject({ status: 'pending', sponsor: 'Dr. B. Example, Chief Nursing Officer' });

    await r.goto('/review');
    await expect(r.getByRole('link', { name: `Review ${second.app.name}` })).toBeVisible();
  });
  await reviewer.context.close();
});

test('owners edit or withdraw a pending request; a reviewer never decides a request they own', async ({
  browser,
}) => {
  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;

  await test.step('a reviewer’s own request waits for another reviewer', async () => {
    await r.goto('/apps/new');
    const name = `own-${Date.now().toString(36)}`;
    await r.getByLabel('App name').fill(name);
    await r.getByLabel('Description').fill('Summaries of shift handovers');
    await r.getByLabel('Use case').fill('Nurses get a summary of the handover notes');
    await r.getByLabel('Executive sponsor').fill('Chief Nursing Officer');
    await r.getByLabel('Expected volume').fill('200 a day');
    await r.getByLabel('Expected return / KPI').fill('Handover in 10 minutes instead of 20');
    await r.getByLabel('Yes, it may contain PHI').check();
    await r.getByLabel(MODEL).check();
    await r.getByLabel(/I confirm this app is for internal use only/).check();
    await r.getByRole('button', { name: 'Submit request' }).click();
    await expect(r.getByRole('heading', { level: 1 })).toContainText('Pending review');
    // The same name again is marked on its field, with the rule the hint states.
    await r.goto('/apps/new');
    await expect(
      r.getByText('3 to 60 letters, digits, spaces and . _ -, starting with a letter or a digit.'),
    ).toBeVisible();
    await r.getByLabel('App name').fill(name);
    await r.getByLabel('Description').fill('Twice');
    await r.getByLabel('Use case').fill('Twice');
    await r.getByLabel('Executive sponsor').fill('Twice');
    await r.getByLabel('Expected volume').fill('Twice');
    await r.getByLabel('Expected return / KPI').fill('Twice');
    await r.getByLabel('No PHI').check();
    await r.getByLabel(MODEL).check();
    await r.getByLabel(/I confirm this app is for internal use only/).check();
    await r.getByRole('button', { name: 'Submit request' }).click();
    await expect(r.getByLabel('App name')).toHaveAttribute('aria-invalid', 'true');
    await expect(
      r.getByText(`App name: an app named "${name}" already exists; choose another name.`),
    ).toBeVisible();
    await r.goto('/apps');
    await r.getByRole('link', { name }).click();
    await r.getByRole('link', { name: 'Review request' }).click();
    await expect(r.getByText('Another reviewer must decide this request')).toBeVisible();
    await expect(
      r.getByText(/You own this app: another reviewer, who does not own it, must decide/),
    ).toBeVisible();
    await expect(r.getByRole('button', { name: 'Approve' })).toHaveCount(0);
    await expect(r.getByRole('button', { name: 'Reject' })).toHaveCount(0);
    await screenshot(r, 'review-own-request');
  });

  await test.step('the owner edits the pending request in place, then withdraws it', async () => {
    const s = await seedApp({ models: [MODEL], approved: false });
    const ctx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
    const o = await ctx.newPage();
    await signIn(o, s.owner.email, s.owner.password);
    await o.goto(`/apps/${s.app.id}`);
    await o.getByRole('link', { name: 'Edit request' }).click();
    await expect(o.getByRole('heading', { level: 1 })).toHaveText('Edit request');
    await expect(o.getByLabel(/I confirm this app is for internal use only/)).toBeChecked();
    await o.getByLabel('Expected volume').fill('5,000 requests a day');
    await o.getByRole('button', { name: 'Save changes' }).click();
    await expect(o.getByText('Request updated: reviewers see the new version.')).toBeVisible();
    await expect(o.getByRole('region', { name: 'Status history' })).toContainText(
      `Request edited by ${s.owner.email}`,
    );
    expect((await db().app.findUniqueOrThrow({ where: { id: s.app.id } })).expectedVolume).toBe(
      '5,000 requests a day',
    );

    await o.getByRole('button', { name: 'Withdraw request' }).click();
    const dialog = o.getByRole('dialog');
    await expect(dialog).toContainText(`Withdraw ${s.app.name}?`);
    await dialog.getByRole('button', { name: 'Withdraw request' }).click();
    await expect(o.getByText('Request withdrawn: it left the review queue.')).toBeVisible();
    expect(await db().app.findUnique({ where: { id: s.app.id } })).toBeNull();
    await r.goto('/review');
    await expect(r.getByRole('link', { name: `Review ${s.app.name}` })).toHaveCount(0);
    await ctx.close();
  });
  await reviewer.context.close();
});
