import { test, expect, type Page } from '@playwright/test';
import { addOwner } from '../lib/apps/owners';
import { SYSTEM } from '../lib/audit';
import { db } from '../lib/db';
import { seedApp } from '../test/support/seed';
import { callWithKey, MODEL, screenshot, signedIn, signIn } from './support/fixtures';

const BIG = 'gpt-4o';
const PHONE = { width: 390, height: 844 };

async function askForBigModel(o: Page, appId: string, reason: string) {
  await o.goto(`/apps/${appId}`);
  await o.getByRole('link', { name: 'Ask for more access' }).click();
  await expect(o.getByRole('heading', { level: 1 })).toHaveText('Ask for more access');
  // What the app has is not offered again.
  await expect(o.getByRole('checkbox', { name: MODEL })).toHaveCount(0);
  await o.getByRole('checkbox', { name: BIG }).check();
  await o.getByLabel('Why the app needs it').fill(reason);
  await o.getByRole('button', { name: 'Ask for more access' }).click();
  await expect(o.getByText('Request for more access sent')).toBeVisible();
}

test('an approved app asks for another model: another reviewer approves it and the model answers through the proxy', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL] });
  const ownerCtx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const o = await ownerCtx.newPage();
  await signIn(o, s.owner.email, s.owner.password);

  await test.step('the owner asks, with a reason; a reason is required', async () => {
    await o.goto(`/apps/${s.app.id}/amend`);
    await o.getByRole('checkbox', { name: BIG }).check();
    await o.getByRole('button', { name: 'Ask for more access' }).click();
    await expect(
      o.getByText('The reason must say why the app needs more (at least 10 characters).'),
    ).toBeVisible();
    // The ticked model is kept after the refusal.
    await expect(o.getByRole('checkbox', { name: BIG })).toBeChecked();
    await o.setViewportSize(PHONE);
    expect(await o.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(o, 'amend-phone');
    await o.setViewportSize({ width: 1280, height: 860 });
    await askForBigModel(o, s.app.id, 'Long discharge summaries need the larger model.');
    await expect(o.getByText(`${s.owner.email} asked for models: ${BIG}`)).toBeVisible();
    await expect(o.getByRole('region', { name: 'Status history' })).toContainText(
      `Asked for more access by ${s.owner.email}`,
    );
    // One at a time: the button gives way to the waiting request.
    await expect(o.getByRole('link', { name: 'Ask for more access' })).toHaveCount(0);
    await o.setViewportSize(PHONE);
    expect(await o.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(o, 'app-amendment-pending-phone');
    await o.setViewportSize({ width: 1280, height: 860 });
  });

  await test.step('meanwhile the app works as approved, and nothing more', async () => {
    expect((await callWithKey(s.key!, 'hello', BIG)).status).toBe(404);
    expect((await callWithKey(s.key!, 'hello', MODEL)).status).toBe(200);
  });

  await test.step('a reviewer who owns the app may not decide it', async () => {
    const coOwner = await signedIn(browser, 'reviewer');
    await addOwner({ appId: s.app.id, email: coOwner.user.email, actor: SYSTEM });
    await coOwner.page.goto(`/review/${s.app.id}`);
    await expect(coOwner.page.getByText('Another reviewer must decide this amendment')).toBeVisible();
    await expect(coOwner.page.getByRole('button', { name: 'Approve the amendment' })).toHaveCount(0);
    await coOwner.context.close();
  });

  await test.step('another reviewer approves from the queue', async () => {
    const reviewer = await signedIn(browser, 'reviewer');
    const r = reviewer.page;
    await r.goto('/review');
    await expect(r.getByRole('heading', { name: /Asking for more access/ })).toBeVisible();
    await r.getByRole('link', { name: `Review the amendment of ${s.app.name}` }).click();
    await expect(r.getByText('Reason: “Long discharge summaries need the larger model.”')).toBeVisible();
    await expect(r.getByRole('checkbox', { name: BIG })).toBeChecked();
    await r.setViewportSize(PHONE);
    expect(await r.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(r, 'review-amendment-phone');
    await r.setViewportSize({ width: 1280, height: 860 });
    await r.getByRole('button', { name: 'Approve the amendment' }).click();
    await expect(r.getByText(`${s.app.name}: more access approved.`)).toBeVisible();
    await reviewer.context.close();
  });

  await test.step('the new model answers; the history shows the request and the amendment', async () => {
    await expect.poll(async () => (await callWithKey(s.key!, 'hello', BIG)).status).toBe(200);
    await o.goto(`/apps/${s.app.id}`);
    const history = o.getByRole('region', { name: 'Status history' });
    await expect(history).toContainText('Requested by');
    await expect(history).toContainText('Asked for more access');
    await expect(history).toContainText('More access approved by');
    await expect(o.getByRole('region', { name: 'Policy and limits' })).toContainText(`${MODEL}, ${BIG}`);
    const audit = await db().auditEvent.findMany({
      where: { targetId: s.app.id, action: { startsWith: 'app.amendment' } },
      select: { action: true },
    });
    expect(audit.map((a) => a.action).sort()).toEqual(['app.amendment_approved', 'app.amendment_requested']);
  });
  await ownerCtx.close();
});

test('a rejected amendment leaves access as it was, and the owner reads why', async ({ browser }) => {
  const s = await seedApp({ models: [MODEL] });
  const ownerCtx = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const o = await ownerCtx.newPage();
  await signIn(o, s.owner.email, s.owner.password);
  await askForBigModel(o, s.app.id, 'We would like to try the larger model.');

  const reviewer = await signedIn(browser, 'reviewer');
  const r = reviewer.page;
  await r.goto(`/review/${s.app.id}`);
  await r.getByLabel('Reason for the owner').fill('Measure the mini model on your notes first.');
  await r.getByRole('button', { name: 'Reject the amendment' }).click();
  const dialog = r.getByRole('dialog', { name: 'Reject this amendment?' });
  await expect(dialog).toContainText('The app keeps the access it has.');
  await dialog.getByRole('button', { name: 'Reject the amendment' }).click();
  await expect(r.getByText(`${s.app.name}: more access rejected; it keeps what it had.`)).toBeVisible();
  await reviewer.context.close();

  expect((await callWithKey(s.key!, 'hello', BIG)).status).toBe(404);
  expect((await callWithKey(s.key!, 'hello', MODEL)).status).toBe(200);
  await o.goto(`/apps/${s.app.id}`);
  const history = o.getByRole('region', { name: 'Status history' });
  await expect(history).toContainText('More access rejected by');
  await expect(history).toContainText('Measure the mini model on your notes first.');
  // The owners may ask again.
  await expect(o.getByRole('link', { name: 'Ask for more access' })).toBeVisible();
  expect((await db().app.findUniqueOrThrow({ where: { id: s.app.id } })).allowedModels).toEqual([MODEL]);
  await ownerCtx.close();
});
