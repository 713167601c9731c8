// Request bodies and headers of clients that cannot run on this machine, written down from each library's own
// source (test/fixtures/clients/README.md says where from), replayed as they are against the running server:
// LangChain Python (chat, streamed chat, embeddings), LlamaIndex, LiteLLM as a client, Semantic Kernel (Python, .NET).
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

interface Recorded {
  client: string;
  request: {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string>;
    body: unknown;
  };
}

const DIR = new URL('./fixtures/clients/', import.meta.url);
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as Recorded] as const);

let h: Harness;
let key: string;
beforeAll(async () => {
  h = await startHarness();
  key = (await seedApp({ models: ['gpt-4o-mini-2024-07-18', 'text-embedding-3-small'] })).key!;
});
afterAll(async () => h?.close());

const fill = (s: string, deployment: string): string =>
  s.replaceAll('{deployment}', deployment).replaceAll('{key}', key);

describe('recorded client requests get 200', () => {
  it('has the clients the issue names', () => {
    const names = fixtures.map(([f]) => f).join(' ');
    for (const c of [
      'langchain-python-azure-chat',
      'langchain-python-azure-embeddings',
      'llamaindex',
      'litellm',
      'semantic-kernel',
    ])
      expect(names).toContain(c);
  });

  it.each(fixtures)('%s', async (_file, rec) => {
    const deployment = rec.request.path.includes('/embeddings')
      ? 'text-embedding-3-small'
      : 'gpt-4o-mini-2024-07-18';
    const query = new URLSearchParams(rec.request.query).toString();
    const headers = Object.fromEntries(
      Object.entries(rec.request.headers).map(([k, v]) => [k, fill(v, deployment)]),
    );
    const body = fill(JSON.stringify(rec.request.body), deployment);
    const res = await request(`${h.base}/api/public/oai${fill(rec.request.path, deployment)}?${query}`, {
      method: rec.request.method,
      headers,
      body,
    });
    const text = await res.body.text();
    expect(res.statusCode, text).toBe(200);
    const stream = (rec.request.body as { stream?: unknown }).stream === true;
    if (stream) {
      expect(String(res.headers['content-type'])).toContain('text/event-stream');
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      // A client that asked for usage gets its usage chunk; one that did not, none.
      const wantsUsage = JSON.stringify(rec.request.body).includes('"include_usage":true');
      expect(text.includes('"usage":{')).toBe(wantsUsage);
    } else {
      const json = JSON.parse(text) as { choices?: unknown[]; data?: unknown[] };
      expect((json.choices ?? json.data ?? []).length).toBeGreaterThan(0);
    }
  });
});
