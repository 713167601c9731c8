import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureOpenAI } from 'openai';
import pg from 'pg';
import { spawnReady, type Child } from '../scripts/lib/spawn';
import { startFakeUpstream, type FakeUpstream } from '../scripts/lib/fake-upstream';
import { TEST_SECRETS, testConfigYaml } from './support/portico';
import { seedApp } from './support/seed';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODEL = 'gpt-4o-mini-2024-07-18';
const PROMPTS = [
  'Pt Maria Gonzalez, DOB 7/22/1948, MRN 00912345, lives at 42 Oak Street, Springfield 01103. Call 413-555-0142.',
  'Reach the family at maria.g@example.org or fax 413-555-0190; insurance member ID XKH882910441.',
];
const VALUES = [
  'Maria Gonzalez',
  '7/22/1948',
  '00912345',
  '42 Oak Street',
  '01103',
  '413-555-0142',
  'maria.g@example.org',
  '413-555-0190',
  'XKH882910441',
];

const standalone = (v: string) =>
  new RegExp(`(?<![0-9A-Za-z])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`);
// A value with letters is searched for anywhere; a run of digits only where it stands alone, since random ids
// (cuids, request ids) may happen to hold one.
const pattern = (v: string) => (/[A-Za-z]/.test(v) ? v : standalone(v));

describe('after a run of PHI traffic, no PHI value is at rest', () => {
  let upstream: FakeUpstream;
  let server: Child;
  let key: string;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-rest-'));
    const configFile = path.join(dir, 'portico.config.yaml');
    writeFileSync(configFile, testConfigYaml(upstream.url));
    key = (await seedApp({ models: [MODEL], phiPolicy: 'scrub' })).key!;
    // Debug logging: the most a misconfigured operator could turn on.
    server = await spawnReady(ROOT, 'scripts/lib/proxy-main.ts', [], {
      DATABASE_URL: process.env.DATABASE_URL!,
      PORTICO_CONFIG: configFile,
      ...TEST_SECRETS,
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('neither in any database table nor in the server log', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const client = new AzureOpenAI({
      endpoint: `${base}/api/public/oai`,
      apiKey: key,
      apiVersion: '2025-01-01-preview',
      deployment: MODEL,
      maxRetries: 0,
    });
    for (const content of PROMPTS) {
      const r = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }] });
      expect(r.choices[0]!.message.content).toBe(content);
      const s = await client.chat.completions.create({
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content }],
      });
      for await (const _ of s) void _;
    }
    upstream.queue({
      kind: 'status',
      status: 400,
      body: { error: { message: 'rejected', type: 'invalid_request_error' } },
    });
    await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: PROMPTS[0]! }] })
      .catch(() => {});
    const deid = await fetch(`${base}/api/public/v1/phi/deidentify`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ texts: PROMPTS }),
    });
    expect(deid.status).toBe(200);
    const bad = await fetch(`${base}/api/public/v1/phi/deidentify`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: `{"text": "${PROMPTS[0]}", "oops": 1}`,
    });
    expect(bad.status).toBe(400);
    expect(await server.stop()).toBe(0); // flushes usage

    const log = server.output();
    expect(log.length).toBeGreaterThan(0);
    for (const v of [...VALUES, key]) expect(log).not.toContain(v);

    const client2 = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client2.connect();
    try {
      const tables = await client2.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
      );
      expect(tables.rows.length).toBeGreaterThan(5);
      for (const { tablename } of tables.rows) {
        const rows = await client2.query(`SELECT t::text AS row FROM "${tablename}" t`);
        const text = rows.rows.map((r: { row: string }) => r.row).join('\n');
        for (const v of [...VALUES, key])
          expect(text, `${tablename} holds a PHI value or a key`).not.toMatch(pattern(v));
      }
    } finally {
      await client2.end();
    }
  });
});

describe('POST /api/public/v1/phi/deidentify', () => {
  it('returns tokenized texts and typed offsets, never values, consistent tokens across texts', async () => {
    const { startHarness } = await import('./support/portico');
    const h = await startHarness();
    try {
      const { key: k } = await seedApp({ models: [MODEL] });
      const res = await fetch(`${h.base}/api/public/v1/phi/deidentify`, {
        method: 'POST',
        headers: { 'api-key': k!, 'content-type': 'application/json' },
        body: JSON.stringify({ texts: ['Call Maria Gonzalez at 413-555-0142.', 'Maria Gonzalez agreed.'] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        results: { text: string; entities: { type: string; start: number; end: number }[] }[];
        counts: Record<string, number>;
        total: number;
      };
      expect(body.results[0]!.text).toBe('Call [NAME_1] at [PHONE_1].');
      expect(body.results[1]!.text).toBe('[NAME_1] agreed.');
      expect(body.results[0]!.entities).toEqual([
        { type: 'NAME', start: 5, end: 19 },
        { type: 'PHONE', start: 23, end: 35 },
      ]);
      expect(body.counts).toEqual({ NAME: 2, PHONE: 1 });
      expect(JSON.stringify(body)).not.toContain('Maria');
      const single = await fetch(`${h.base}/api/public/v1/phi/deidentify`, {
        method: 'POST',
        headers: { 'api-key': k!, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'no identifiers here' }),
      });
      expect(((await single.json()) as { results: { text: string }[] }).results[0]!.text).toBe(
        'no identifiers here',
      );
      const unauth = await fetch(`${h.base}/api/public/v1/phi/deidentify`, {
        method: 'POST',
        body: '{"text":"x"}',
      });
      expect(unauth.status).toBe(401);
      const both = await fetch(`${h.base}/api/public/v1/phi/deidentify`, {
        method: 'POST',
        headers: { 'api-key': k! },
        body: JSON.stringify({ text: 'a', texts: ['b'] }),
      });
      expect(both.status).toBe(400);
    } finally {
      await h.close();
    }
  });
});
