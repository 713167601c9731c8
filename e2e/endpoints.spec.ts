import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { seedApp, uid } from '../test/support/seed';
import { db } from '../lib/db';
import { readShownKey, screenshot, signedIn } from './support/fixtures';

const ROOT = path.resolve(import.meta.dirname, '..');
const PHONE = { width: 390, height: 844 };

/** A custom endpoint called as a backend would, with Node's fetch: the status and the parsed answer. */
async function callEndpoint(name: string, key: string, body: unknown) {
  const res = await fetch(`${process.env.E2E_BASE_URL}/api/public/v1/endpoints/${name}`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as {
    output?: { summary?: unknown; problems?: unknown };
    error?: { code?: string };
  };
  return { status: res.status, json };
}

/** Runs a sample as a backend would, from a file, with the key in the environment. */
function runSample(code: string, key: string, shell: boolean): string {
  const dir = mkdtempSync(path.join(ROOT, '.data', 'e2e', 'sample-'));
  try {
    const file = path.join(dir, shell ? 'sample.sh' : 'sample.mjs');
    writeFileSync(file, code);
    return execFileSync(shell ? 'bash' : process.execPath, [file], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORTICO_API_KEY: key },
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'], // curl's progress meter stays out of the test's output
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fitsPhone(page: Page, what: string) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), what).toBeLessThanOrEqual(
    PHONE.width,
  );
}

// Owner asks for an endpoint → another reviewer sees it ticked and grants it → key → sample → the endpoint answers;
// an app without the grant is refused.
test('custom endpoints: asked for on the request, granted at review, shown and callable', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const owner = await signedIn(browser, 'member', PHONE);
  const reviewer = await signedIn(browser, 'reviewer', PHONE);
  const o = owner.page;
  const r = reviewer.page;
  const name = `Note summaries ${uid()}`;

  await test.step('the owner asks for the summarize-note endpoint and no model', async () => {
    await o.goto('/apps/new');
    const endpoints = o.getByRole('group', { name: 'Custom endpoints' });
    await expect(endpoints.getByRole('checkbox')).toHaveCount(2);
    await expect(endpoints.getByRole('checkbox', { name: /^summarize-note/ })).toHaveAccessibleName(
      /Summarises a clinical note .* Answers JSON\./,
    );
    await expect(endpoints.getByRole('checkbox', { name: /^patient-letter/ })).toHaveAccessibleName(
      /Answers text\./,
    );
    await o.getByLabel('App name').fill(name);
    await o.getByLabel('Description').fill('Summaries of ward notes for the next clinician.');
    await o
      .getByLabel('Use case')
      .fill('Hospitalists get a short summary of each progress note at handover.');
    await o.getByLabel('Executive sponsor').fill('Dr. A. Example, Chief Medical Officer');
    await o.getByLabel('Expected volume').fill('500 notes a day');
    await o.getByLabel('Expected return / KPI').fill('Handover in 10 minutes instead of 25');
    await o.getByLabel('Yes, it may contain PHI').check();
    await endpoints.getByRole('checkbox', { name: /^summarize-note/ }).check();
    await o.getByLabel(/I confirm this app is for internal use only/).check();
    await fitsPhone(o, 'request form');
    await screenshot(o, 'endpoints-request-phone');
    await o.getByRole('button', { name: 'Submit request' }).click();
    await expect(o.getByText('Request sent')).toBeVisible();
    const request = o.getByRole('region', { name: 'Request', exact: true });
    await expect(request).toContainText('Requested endpoints');
    await expect(request).toContainText('summarize-note');
  });
  const appId = /\/apps\/([a-z0-9]+)/.exec(o.url())![1]!;
  expect(await db().app.findUniqueOrThrow({ where: { id: appId } })).toMatchObject({
    requestedModels: [],
    requestedEndpoints: ['summarize-note'],
  });

  await test.step('an edit can take the endpoint away, and must leave a model or an endpoint', async () => {
    const edit = async () => {
      await o.goto(`/apps/${appId}/edit`);
      return o
        .getByRole('group', { name: 'Custom endpoints' })
        .getByRole('checkbox', { name: /^summarize-note/ });
    };
    let box = await edit();
    await expect(box).toBeChecked();
    await box.uncheck();
    await o.getByLabel('gpt-4o', { exact: true }).check();
    await o.getByRole('button', { name: 'Save changes' }).click();
    await expect(o.getByText('Request updated: reviewers see the new version.')).toBeVisible();
    expect(await db().app.findUniqueOrThrow({ where: { id: appId } })).toMatchObject({
      requestedModels: ['gpt-4o'],
      requestedEndpoints: [],
    });

    box = await edit();
    await expect(box).not.toBeChecked();
    await o.getByLabel('gpt-4o', { exact: true }).uncheck();
    await o.getByRole('button', { name: 'Save changes' }).click();
    await expect(o.getByText('Choose at least one model or custom endpoint.')).toBeVisible();
    await expect(box).not.toBeChecked();
    await box.check();
    await o.getByRole('button', { name: 'Save changes' }).click();
    await expect(o.getByText('Request updated: reviewers see the new version.')).toBeVisible();
    expect(await db().app.findUniqueOrThrow({ where: { id: appId } })).toMatchObject({
      requestedModels: [],
      requestedEndpoints: ['summarize-note'],
    });
  });

  await test.step('another reviewer sees it asked for and ticked, and approves', async () => {
    await r.goto('/review');
    await expect(r.getByRole('row', { name: new RegExp(name) })).toContainText('Endpoints: summarize-note');
    await r.getByRole('link', { name: `Review ${name}` }).click();
    await expect(r.getByRole('region', { name: 'Request', exact: true })).toContainText('summarize-note');
    const approve = r.getByRole('region', { name: 'Approve' });
    const endpoints = approve.getByRole('group', { name: 'Custom endpoints' });
    await expect(endpoints.getByRole('checkbox', { name: /^summarize-note/ })).toBeChecked();
    await expect(endpoints.getByRole('checkbox', { name: /^patient-letter/ })).not.toBeChecked();
    await fitsPhone(r, 'review page');
    await screenshot(r, 'endpoints-review-phone');
    await approve.getByRole('button', { name: 'Approve' }).click();
    await expect(r.getByText(`${name}: approved.`)).toBeVisible();
    expect(await db().app.findUniqueOrThrow({ where: { id: appId } })).toMatchObject({
      status: 'approved',
      allowedModels: [],
      allowedEndpoints: ['summarize-note'],
    });
    await r.goto(`/audit?target=${appId}`);
    await expect(r.getByRole('table')).toContainText('Custom endpoints: summarize-note');
  });

  let key = '';
  await test.step('the owner sees the grant and creates a key', async () => {
    await o.reload();
    await expect(o.getByRole('heading', { level: 1 })).toContainText('Approved');
    await expect(o.getByRole('region', { name: 'Policy and limits' })).toContainText(
      /Custom endpoints\s*summarize-note/,
    );
    await expect(o.getByRole('region', { name: 'Status history' })).toContainText(
      'no models · endpoints: summarize-note',
    );
    await o.getByRole('button', { name: 'Create key' }).click();
    const dialog = o.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Key name').fill('ward backend');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    key = await readShownKey(o);
    await o.getByRole('button', { name: 'I have stored the key' }).click();
  });

  await test.step('the getting-started page shows the sample, which runs', async () => {
    await o.goto(`/getting-started?app=${appId}`);
    const section = o.getByRole('region', { name: 'Custom endpoints' });
    await expect(section).toContainText(`Endpoints ${name} may call: summarize-note.`);
    await expect(section).toContainText('Answers JSON');
    await expect(section.getByRole('heading', { name: 'patient-letter' })).toHaveCount(0);
    const base = process.env.E2E_BASE_URL!;
    const fetchSample = o.locator('pre[aria-labelledby="sample-endpoint-summarize-note-fetch"]');
    await expect(fetchSample).toContainText(`fetch('${base}/api/public/v1/endpoints/summarize-note'`);
    await expect(fetchSample).toContainText("'api-key': process.env.PORTICO_API_KEY");
    await expect(fetchSample).toContainText('"note_type": "progress"');
    await section.getByRole('tab', { name: 'curl' }).click();
    const curlSample = o.locator('pre[aria-labelledby="sample-endpoint-summarize-note-curl"]');
    await expect(curlSample).toBeVisible();
    await expect(curlSample).toContainText(`curl ${base}/api/public/v1/endpoints/summarize-note`);
    await section.getByRole('tab', { name: 'Node.js' }).click();
    await fitsPhone(o, 'getting started');
    await section.scrollIntoViewIfNeeded();
    await screenshot(o, 'endpoints-getting-started-phone');

    // Both samples run unchanged but for the key (the example note has an apostrophe: the shell quoting holds).
    expect(runSample((await fetchSample.textContent())!, key, false)).toMatch(/summary: /);
    const curled = JSON.parse(runSample((await curlSample.textContent())!, key, true)) as {
      endpoint: string;
      output: { summary: string };
    };
    expect(curled.endpoint).toBe('summarize-note');
    expect(typeof curled.output.summary).toBe('string');
  });

  await test.step('the key calls the endpoint; a not-granted endpoint and an app without the grant get 403', async () => {
    const ok = await callEndpoint('summarize-note', key, {
      note: 'Seen today for hypertension. Start lisinopril 10 mg daily; recheck in 2 weeks.',
    });
    expect(ok.status).toBe(200);
    expect(typeof ok.json.output?.summary).toBe('string');
    expect(Array.isArray(ok.json.output?.problems)).toBe(true);

    const letter = await callEndpoint('patient-letter', key, { discharge_summary: 'Home today.' });
    expect(letter.status).toBe(403);
    expect(letter.json.error?.code).toBe('endpoint_not_allowed');

    const other = await seedApp({ models: ['gpt-4o-mini-2024-07-18'] });
    const refused = await callEndpoint('summarize-note', other.key!, { note: 'Seen today.' });
    expect(refused.status).toBe(403);
    expect(refused.json.error?.code).toBe('endpoint_not_allowed');
  });

  await test.step('an admin’s policy form shows and keeps the grant', async () => {
    const admin = await signedIn(browser, 'admin');
    const a = admin.page;
    await a.goto(`/apps/${appId}`);
    const panel = a.getByRole('region', { name: 'Administration' });
    await panel.getByText('Edit policy and limits').click();
    await expect(panel.getByRole('checkbox', { name: /^summarize-note/ })).toBeChecked();
    await panel.getByLabel('Requests per minute').fill('120');
    await panel.getByRole('button', { name: 'Save policy' }).click();
    await expect(panel.getByText('Policy and limits saved.', { exact: false })).toBeVisible();
    expect(await db().app.findUniqueOrThrow({ where: { id: appId } })).toMatchObject({
      rpmLimit: 120,
      allowedEndpoints: ['summarize-note'],
    });
    await admin.context.close();
  });

  await owner.context.close();
  await reviewer.context.close();
});
