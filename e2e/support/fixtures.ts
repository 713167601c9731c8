import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Browser, type Locator, type Page } from '@playwright/test';
import { AzureOpenAI } from 'openai';
import { seedUser } from '../../test/support/seed';
import { rememberSecret } from './secrets';

export const ARTIFACTS = path.resolve(import.meta.dirname, '..', 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export const MODEL = 'gpt-4o-mini-2024-07-18';

export async function signIn(page: Page, email: string, password: string, from = '/signin') {
  rememberSecret(password);
  await page.goto(from);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('banner').getByText(email)).toBeVisible();
}

/** A new user of the role, signed in, in a browser context of their own. */
export async function signedIn(
  browser: Browser,
  role: 'admin' | 'reviewer' | 'member',
  viewport?: { width: number; height: number },
) {
  const user = await seedUser(role);
  const context = await browser.newContext({
    baseURL: process.env.E2E_BASE_URL,
    ...(viewport ? { viewport } : {}),
  });
  const page = await context.newPage();
  await signIn(page, user.email, user.password);
  return { user, context, page };
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A chat completion through the proxy with the openai SDK, as a backend would send it: the status it got. */
export async function callWithKey(
  key: string,
  content = 'hello from e2e',
  model = MODEL,
): Promise<{ status: number; content?: string | null }> {
  const client = new AzureOpenAI({
    endpoint: `${process.env.E2E_BASE_URL}/api/public/oai`,
    apiKey: key,
    apiVersion: '2025-01-01-preview',
    deployment: model,
    maxRetries: 0,
  });
  try {
    const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] });
    return { status: 200, content: res.choices[0]?.message.content };
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (typeof status !== 'number') throw err;
    return { status };
  }
}

/** The key shown once in the dialog; remembered so teardown can check it never reached the server's log. */
export async function readShownKey(page: Page): Promise<string> {
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('it will not be shown again')).toBeVisible();
  const key = await dialog.getByLabel('New API key').inputValue();
  expect(key).toMatch(/^ptc_[0-9A-Za-z]{43}$/);
  rememberSecret(key);
  return key;
}

/** How the portal shows a key: its prefix and last four characters. */
export function shownAs(key: string): string {
  return `${key.slice(0, 8)}…${key.slice(-4)}`;
}

/** The key list's row for a key (not the usage table's row for it). */
export function keyRow(page: Page, key: string) {
  return page.locator('tr[data-key-id]', { has: page.getByText(shownAs(key), { exact: true }) });
}

/** RFC 4180, enough for the exports: quoted cells with doubled quotes, CRLF rows, a leading BOM. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (c !== '\r') cell += c;
  }
  return rows;
}

/** Clicks a download link and reads the CSV it gives. */
export async function download(page: Page, link: Locator): Promise<string[][]> {
  const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return parseCsv(readFileSync((await file.path())!, 'utf8'));
}
