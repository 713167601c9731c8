import { test, expect } from '@playwright/test';
import { db } from '../lib/db';
import { publishInvalidation } from '../lib/events/publish';
import { hashKey } from '../lib/keys/format';
import { uid } from '../test/support/seed';
import { callWithKey, keyRow, MODEL, readShownKey, screenshot, shownAs, signedIn } from './support/fixtures';

// Owner requests → reviewer approves → owner creates a key → the key works with the openai SDK →
// rotation with a one-minute grace (both keys work, then only the new one) → revoke → 401.
test('an app from request to revoked key', async ({ browser }) => {
  test.setTimeout(120_000);
  const owner = await signedIn(browser, 'member');
  const reviewer = await signedIn(browser, 'reviewer');
  const o = owner.page;
  const r = reviewer.page;
  const name = `Discharge summaries ${uid()}`;

  await test.step('the owner starts with no apps and requests access', async () => {
    await o.goto('/apps');
    await expect(o.getByText('You don’t own any apps yet')).toBeVisible();
    const nav = o.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link')).toHaveText([
      'My apps',
      'Request access',
      'Getting started',
      'Notifications',
    ]);
    await screenshot(o, 'my-apps-empty');

    await nav.getByRole('link', { name: 'Request access' }).click();
    await expect(o.getByRole('heading', { name: 'Request access' })).toBeVisible();
    // Sent empty: every required field says what is missing, and focus moves to the first.
    await o.getByRole('button', { name: 'Submit request' }).click();
    await expect(o.getByText('App name must be at least 3 characters.')).toBeVisible();
    await expect(o.getByText('Choose at least one model or custom endpoint.')).toBeVisible();
    await expect(
      o.getByText('The internal-use attestation must be confirmed to submit the request.'),
    ).toBeVisible();
    await expect(o.getByLabel('App name')).toBeFocused();
    await screenshot(o, 'request-access-errors');

    await o.getByLabel('App name').fill(name);
    await o
      .getByLabel('Description')
      .fill('Drafts discharge summaries from the ward notes for a clinician to check.');
    await o
      .getByLabel('Use case')
      .fill('Hospitalists on medical wards get a first draft of the discharge summary.');
    await o.getByLabel('Executive sponsor').fill('Dr. A. Example, Chief Medical Officer');
    await o.getByLabel('Expected volume').fill('300 requests a day');
    await o.getByLabel('Expected return / KPI').fill('20 minutes saved per discharge');
    await o.getByLabel('Yes, it may contain PHI').check();
    await o.getByLabel(MODEL).check();
    // The price table helps choose a model with the budget in mind.
    await o.getByText('Prices per model', { exact: true }).click();
    await expect(o.getByRole('row', { name: new RegExp(`^${MODEL}`) })).toHaveText(
      new RegExp(`${MODEL}\\s*\\$0\\.15\\s*\\$0\\.6`),
    );
    await o
      .getByLabel('I confirm this app is for internal use only and will not be offered to customers.')
      .check();
    await o.getByRole('button', { name: 'Submit request' }).click();
    await expect(o.getByText('Request sent')).toBeVisible();
    await expect(o.getByRole('heading', { level: 1 })).toContainText('Pending review');
    await expect(o.getByText('You can create keys once the app is approved.')).toBeVisible();
    await screenshot(o, 'app-pending');
  });
  const appId = /\/apps\/([a-z0-9]+)/.exec(o.url())![1]!;

  await test.step('the reviewer approves it from the queue with limits and a PHI policy', async () => {
    await r.goto('/review');
    await expect(r.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText([
      'My apps',
      'Request access',
      'Getting started',
      'Notifications',
      /Review queue/,
      'All apps',
      'Usage',
      'Audit log',
    ]);
    await screenshot(r, 'review-queue');
    await r.getByRole('link', { name: `Review ${name}` }).click();
    await expect(r.getByRole('heading', { level: 1 })).toContainText(`Review ${name}`);
    await expect(r.getByLabel(MODEL)).toBeChecked();
    await expect(r.getByLabel(/^Off/)).toBeDisabled(); // the owner said PHI: policy off is not offered
    await r.getByLabel('Requests per minute').fill('600');
    await r.getByLabel('Monthly cost budget (USD)').fill('250');
    await screenshot(r, 'review-page');
    await r.getByRole('button', { name: 'Approve' }).click();
    await expect(r.getByText(`${name}: approved.`)).toBeVisible();
  });

  let firstKey = '';
  await test.step('the owner creates a key, shown once, and it works with the openai SDK', async () => {
    await o.reload();
    await expect(o.getByRole('heading', { level: 1 })).toContainText('Approved');
    await expect(o.getByRole('region', { name: 'Policy and limits' })).toContainText('600');
    await o.getByRole('button', { name: 'Create key' }).click();
    const dialog = o.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Key name').fill('production backend');
    await dialog.getByLabel('Expiry').selectOption('90');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    firstKey = await readShownKey(o);
    await screenshot(o, 'key-created');
    await o.getByRole('button', { name: 'I have stored the key' }).click();
    await expect(o.getByRole('dialog')).toBeHidden();
    const row = keyRow(o, firstKey);
    await expect(row).toContainText('Active');
    await expect(row).toContainText(owner.user.email);
    // The page never shows the key again.
    await expect(o.locator('body')).not.toContainText(firstKey);
    expect(await callWithKey(firstKey, 'first key works')).toEqual({
      status: 200,
      content: 'first key works',
    });
  });

  let secondKey = '';
  await test.step('rotation with a one-minute grace: both keys work', async () => {
    await o.getByRole('button', { name: /^Rotate key production backend/ }).click();
    const dialog = o.getByRole('dialog', { name: 'Rotate production backend' });
    await dialog.getByLabel('Custom').check();
    // A refused custom grace keeps the choice: the next submit sends the minutes, not the default 24 hours.
    await dialog.getByLabel('Minutes').fill('0');
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    await expect(dialog.getByText(/whole number of minutes from 1/)).toBeVisible();
    await expect(dialog.getByLabel('Custom')).toBeChecked();
    await expect(dialog.getByLabel('24 hours')).not.toBeChecked();
    await dialog.getByLabel('Minutes').fill('1');
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    secondKey = await readShownKey(o);
    expect(secondKey).not.toBe(firstKey);
    await expect(o.getByRole('dialog')).toContainText('keeps working until');
    await expect(o.getByRole('dialog')).not.toContainText('24 hours');
    await o.getByRole('button', { name: 'I have stored the key' }).click();
    expect((await callWithKey(firstKey)).status).toBe(200);
    expect((await callWithKey(secondKey)).status).toBe(200);
    const oldRow = keyRow(o, firstKey);
    await expect(oldRow).toContainText('Rotating until');
    await expect(oldRow).toContainText(`Replaced by ${shownAs(secondKey)}`);
    await screenshot(o, 'app-keys-rotating');
  });

  await test.step('meanwhile: the getting-started page, all apps and the audit log', async () => {
    await o.getByRole('link', { name: 'Getting started' }).first().click();
    await expect(o.getByTestId('endpoint')).toHaveText(`${process.env.E2E_BASE_URL}/api/public/oai`);
    await expect(o.getByRole('region', { name: 'Connection details' })).toContainText(MODEL);
    await expect(o.locator('pre').first()).toContainText(
      `azure_endpoint="${process.env.E2E_BASE_URL}/api/public/oai"`,
    );
    await expect(o.locator('pre').first()).toContainText(`model="${MODEL}"`);
    await o.getByText('How should I handle keys?').click();
    await screenshot(o, 'getting-started');

    await r.getByRole('link', { name: 'All apps' }).click();
    await r.getByLabel('Name').fill(name);
    await r.getByRole('button', { name: 'Filter' }).click();
    await expect(r.getByRole('link', { name })).toBeVisible();
    await screenshot(r, 'all-apps');

    await r.getByRole('link', { name: 'Audit log' }).click();
    await r.getByLabel('Target').fill(appId);
    await r.getByRole('button', { name: 'Apply filters' }).click();
    await expect(r.getByRole('cell', { name: /Access requested/ })).toBeVisible();
    await expect(r.getByRole('cell', { name: /App approved/ })).toBeVisible();
    await r.getByLabel('Target').fill('');
    await r.getByLabel('Action').selectOption('key.rotated');
    await r.getByLabel('Actor').fill(owner.user.email);
    await r.getByRole('button', { name: 'Apply filters' }).click();
    await expect(r.getByRole('table')).toContainText(owner.user.email);
    await expect(r.getByText('1 event', { exact: true })).toBeVisible();
    await screenshot(r, 'audit-log');
  });

  await test.step('after the grace the old key stops; the new one keeps working', async () => {
    // The minute chosen is what the database holds as the old key's end (rotated a moment ago, so 0 to 1 minute
    // from now). Rather than wait it out, the end is moved to the past, as the clock would move it, and announced
    // as the product announces key changes: the proxy's own expiry check does the rest.
    const old = await db().apiKey.findUniqueOrThrow({ where: { hash: hashKey(firstKey) } });
    const left = old.expiresAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(60_000);
    await db().apiKey.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    await publishInvalidation({ keyId: old.id });
    await expect.poll(async () => (await callWithKey(firstKey)).status, { timeout: 10_000 }).toBe(401);
    expect((await callWithKey(secondKey)).status).toBe(200);
    await o.goto(`/apps/${appId}`);
    await expect(keyRow(o, firstKey)).toContainText('Replaced (expired)');
  });

  await test.step('revoking the new key refuses it with 401', async () => {
    await o.getByRole('button', { name: /^Revoke key production backend/ }).click();
    const dialog = o.getByRole('dialog', { name: 'Revoke production backend?' });
    await expect(dialog).toContainText('cannot be undone');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await expect(o.getByRole('dialog')).toBeHidden();
    await expect(keyRow(o, secondKey)).toContainText('Revoked');
    await expect.poll(async () => (await callWithKey(secondKey)).status, { timeout: 5_000 }).toBe(401);
  });

  await test.step('the app page shows the usage so far and the history', async () => {
    await expect
      .poll(
        async () => {
          await o.reload();
          return o
            .getByRole('region', { name: 'Usage' })
            .getByRole('table', { name: 'By model', exact: true })
            .getByRole('rowheader', { name: MODEL })
            .count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    const usage = o.getByRole('region', { name: 'Usage' });
    await expect(usage.getByRole('figure', { name: 'Requests per day by model' })).toBeVisible();
    await expect(o.getByRole('region', { name: 'Status history' })).toContainText(
      `Approved by ${reviewer.user.email}`,
    );
    await screenshot(o, 'app-page');
    await o.setViewportSize({ width: 820, height: 1180 });
    await screenshot(o, 'app-page-tablet');
  });

  await owner.context.close();
  await reviewer.context.close();
});
