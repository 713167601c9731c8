import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { seedApp } from '../test/support/seed';
import { MODEL, screenshot, signIn } from './support/fixtures';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs a Node sample as a backend would: from a file, with the key in the environment (in this repo, for its packages). */
function runNode(code: string, key: string): string {
  const dir = mkdtempSync(path.join(ROOT, '.data', 'e2e', 'sample-'));
  try {
    const file = path.join(dir, 'sample.mjs');
    writeFileSync(file, code);
    return execFileSync(process.execPath, [file], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORTICO_API_KEY: key },
      encoding: 'utf8',
      timeout: 30_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('getting started: samples for every client with this server and the app filled in, runnable, with copy buttons', async ({
  browser,
}) => {
  const s = await seedApp({ models: [MODEL], allowedAdapters: ['search'], allowByoKey: true });
  const base = process.env.E2E_BASE_URL!;
  const ctx = await browser.newContext({ baseURL: base, permissions: ['clipboard-read', 'clipboard-write'] });
  const o = await ctx.newPage();
  await signIn(o, s.owner.email, s.owner.password);
  await o.goto(`/getting-started?app=${s.app.id}`);

  const pre = (id: string) => o.locator(`pre[aria-labelledby="sample-${id}"]`);
  await expect(pre('ai-sdk-azure')).toContainText(
    `createAzure({ baseURL: '${base}/api/public/oai/openai', apiKey: process.env.PORTICO_API_KEY })`,
  );
  await expect(pre('ai-sdk-azure')).toContainText(`azure.chat('${MODEL}')`);
  await expect(pre('ai-sdk-azure')).toContainText('streamText(');
  await expect(pre('ai-sdk-openai')).toContainText(`createOpenAI({ baseURL: '${base}/api/public/oai/v1'`);
  await expect(pre('node-openai')).toContainText(`new OpenAI({ baseURL: '${base}/api/public/oai/v1'`);
  await expect(pre('node-openai')).toContainText(`new OpenAI({ baseURL: '${base}/api/public/oai/openai/v1'`);
  await expect(pre('phi-chat-fetch')).toContainText(`fetch('${base}/v1/chat/completions'`);
  await expect(pre('phi-chat-fetch')).toContainText("'x-openai-key'"); // this app may bring its own key
  await expect(pre('phi-chat-python')).toContainText(
    '"x-compliantchatgpt-key": os.environ["PORTICO_API_KEY"]',
  );
  await expect(pre('phi-chat-curl')).toContainText(`curl ${base}/v1/chat/completions`);
  await expect(pre('adapter-curl')).toContainText(`${base}/api/public/http/search/v1/models -H "api-key:`);
  await expect(o.getByRole('region', { name: 'HTTP adapters' })).toContainText(
    `Adapters ${s.app.name} may use: search.`,
  );
  await expect(pre('usage')).toContainText(`${base}/api/public/v1/usage`);
  await expect(pre('deidentify')).toContainText(`${base}/api/public/v1/phi/deidentify`);
  await expect(o.getByRole('link', { name: 'Open the API reference' })).toHaveAttribute('href', '/api');

  // One sample at a time, as tabs: choosing one shows it, and its copy button copies it exactly.
  const phiChat = o.getByRole('region', { name: 'PHI-safe chat API' });
  await expect(phiChat.getByRole('tab', { name: 'Node.js' })).toHaveAttribute('aria-selected', 'true');
  await expect(pre('phi-chat-curl')).toBeHidden();
  await phiChat.getByRole('tab', { name: 'Node.js' }).focus();
  await o.keyboard.press('End');
  await expect(phiChat.getByRole('tab', { name: 'curl' })).toBeFocused();
  await expect(pre('phi-chat-curl')).toBeVisible();
  await phiChat.getByRole('tabpanel').getByRole('button', { name: 'Copy code' }).click();
  await expect(phiChat.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await o.evaluate(() => navigator.clipboard.readText())).toBe(
    await pre('phi-chat-curl').textContent(),
  );
  // Every connection URL has its own Copy button.
  const connection = o.getByRole('region', { name: 'Connection details' });
  await expect(connection.getByRole('button', { name: 'Copy' })).toHaveCount(5);
  await connection.getByRole('button', { name: 'Copy' }).nth(1).click();
  expect(await o.evaluate(() => navigator.clipboard.readText())).toBe(`${base}/api/public/oai/v1`);
  // The page is a guide, not a wall of code; and at phone width nothing runs off the side.
  expect(await o.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(4_000);
  await o.setViewportSize({ width: 390, height: 844 });
  expect(await o.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(o, 'getting-started-phone');
  await o.setViewportSize({ width: 1280, height: 800 });

  // The samples run unchanged but for the key: the PHI-safe chat answer has a top-level content (PHI
  // restored), the openai SDK and the Vercel AI SDK get their answers.
  expect(
    runNode((await pre('phi-chat-fetch').textContent())!.replace(/^.*x-openai-key.*\n/m, ''), s.key!),
  ).toBe('Patient John Doe has complained about recurring headaches.\n');
  // Each sample makes three calls (chat, Responses, and the v1 shape or a stream); every one must answer.
  const three = ['Tell me a joke', 'Tell me a joke', 'Tell me a joke'];
  expect(
    runNode((await pre('node-openai').textContent())!, s.key!)
      .trim()
      .split('\n'),
  ).toEqual(three);
  expect(
    runNode((await pre('ai-sdk-azure').textContent())!, s.key!)
      .trim()
      .split('\n'),
  ).toEqual(three);
  await screenshot(o, 'getting-started');

  // Without an allowed adapter or own key, the page says so and leaves the header out.
  await ctx.close();
  const plain = await seedApp({ models: [MODEL] });
  const ctx2 = await browser.newContext({ baseURL: base });
  const p = await ctx2.newPage();
  await signIn(p, plain.owner.email, plain.owner.password);
  await p.goto(`/getting-started?app=${plain.app.id}`);
  await expect(p.locator('pre[aria-labelledby="sample-phi-chat-fetch"]')).not.toContainText('x-openai-key');
  await expect(p.getByRole('region', { name: 'PHI-safe chat API' })).toContainText(
    `${plain.app.name} is not, so the header is ignored`,
  );
  await expect(p.getByRole('region', { name: 'HTTP adapters' })).toContainText(
    `${plain.app.name} may not use any adapter yet`,
  );
  await ctx2.close();
});
