import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureOpenAI } from 'openai';
import { db } from '../lib/db';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { spawnReady, type Child } from '../scripts/lib/spawn';
import { startFakeUpstream, type FakeUpstream } from '../scripts/lib/fake-upstream';
import { cli } from './support/cli';
import { startHarness, TEST_SECRETS, testConfigYaml, type Harness } from './support/portico';
import { seedApp, usageFor, uid } from './support/seed';

const ROOT = path.resolve(import.meta.dirname, '..');
const MODEL = 'gpt-4o-mini-2024-07-18';
const chat = (
  base: string,
  key: string,
  body: object = { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
) =>
  fetch(`${base}/api/public/oai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

function writeConfig(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'portico-hard-')), 'portico.config.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('upstream faults', () => {
  let h: Harness;
  let backup: FakeUpstream;
  let key: string;
  let appId: string;
  beforeAll(async () => {
    backup = await startFakeUpstream();
    // "resilient" falls back to a second provider; "lonely" has a dead provider and no fallback.
    h = await startHarness({
      yaml: (url) =>
        testConfigYaml(url, {
          providers: `\n  backup:\n    type: openai-compatible\n    baseUrl: ${backup.url}/v1\n  dead:\n    type: openai-compatible\n    baseUrl: http://127.0.0.1:9/v1\n    timeouts: { connectMs: 500, totalMs: 2000 }`,
          models: `\n  resilient:\n    provider: upstream\n    fallbacks: [resilient-backup]\n  resilient-backup:\n    provider: backup\n  lonely:\n    provider: dead`,
        }),
    });
    const s = await seedApp({ models: [MODEL, 'azure-gpt-4o'] });
    key = s.key!;
    appId = s.app.id;
  });
  afterAll(async () => {
    await h?.close();
    await backup?.close();
  });

  it('a reset before the first byte is retried once on the fallback model’s provider, else 502 with Retry-After', async () => {
    const h2 = h;
    {
      const s = await seedApp({ models: ['resilient', 'lonely'] });
      h2.upstream.queue({ kind: 'reset' });
      const ok = await chat(h2.base, s.key!, {
        model: 'resilient',
        messages: [{ role: 'user', content: 'served by the fallback' }],
      });
      expect(ok.status).toBe(200);
      expect(
        ((await ok.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
      ).toBe('served by the fallback');
      expect(backup.received.at(-1)!.path).toBe('/v1/chat/completions');
      const dead = await chat(h2.base, s.key!, {
        model: 'lonely',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(dead.status).toBe(502);
      expect(dead.headers.get('retry-after')).toMatch(/^\d+$/);
      await h2.portico.usage.flush();
      const events = await usageFor(s.app.id);
      expect(events.map((e) => [e.model, e.status])).toEqual([
        ['resilient', 200],
        ['lonely', 502],
      ]);
    }
  });

  it('a reset in the middle of a stream ends it with an OpenAI-style error event, no [DONE], never a hang', async () => {
    h.upstream.queue({ kind: 'stream-reset', afterChunks: 2 });
    const res = await chat(h.base, key, {
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'a stream that will break in the middle' }],
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.length).toBe(3);
    expect(JSON.parse(events.at(-1)!.replace(/^data: /, ''))).toMatchObject({
      error: { code: 'upstream_unavailable', type: 'api_error' },
    });
    expect(text).not.toContain('[DONE]');
    // The SDK raises it as an error rather than ending quietly.
    h.upstream.queue({ kind: 'stream-reset', afterChunks: 2 });
    const client = new AzureOpenAI({
      endpoint: `${h.base}/api/public/oai`,
      apiKey: key,
      apiVersion: '2025-01-01-preview',
      deployment: MODEL,
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'break again please' }],
    });
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toThrow(/could not be reached/);
  });

  it('a stream running past the provider’s total timeout ends with a timeout error event, not a hang', async () => {
    // azure-gpt-4o's provider allows 3 s in all; this answer would take ~8 s.
    h.upstream.queue({ kind: 'slow-stream', chunkDelayMs: 400 });
    const t0 = Date.now();
    const res = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'azure-gpt-4o',
        stream: true,
        messages: [
          { role: 'user', content: 'a long answer that streams slowly, chunk after chunk, for a while' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Date.now() - t0).toBeLessThan(6_000);
    const last = text.split('\n\n').filter(Boolean).at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({ error: { code: 'upstream_timeout' } });
    expect(text).not.toContain('[DONE]');
  });

  it('upstream 429 and 5xx keep Retry-After, and every case writes its usage record', async () => {
    await h.portico.usage.flush();
    const before = (await usageFor(appId)).length;
    h.upstream.queue({ kind: 'status', status: 429, headers: { 'retry-after': '11' } });
    const limited = await chat(h.base, key);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('11');
    h.upstream.queue({ kind: 'status', status: 503, headers: { 'retry-after': '5' } });
    const failed = await chat(h.base, key);
    expect(failed.status).toBe(502);
    expect(failed.headers.get('retry-after')).toBe('5');
    await h.portico.usage.flush();
    const after = await usageFor(appId);
    expect(after.length).toBe(before + 2);
    expect(after.slice(-2).map((e) => [e.status, e.errorCode])).toEqual([
      [429, 'upstream_rate_limited'],
      [502, 'upstream_error'],
    ]);
  });

  it('throttles an address that keeps guessing keys; keys it already proved keep working', async () => {
    const h3 = await startHarness();
    try {
      const s = await seedApp({ models: [MODEL] });
      expect((await chat(h3.base, s.key!)).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++)
        statuses.push((await chat(h3.base, `ptc_${uid()}${'g'.repeat(40)}`)).status);
      expect(statuses.slice(0, 30).every((st) => st === 401)).toBe(true);
      expect(statuses[30]).toBe(429);
      const blocked = await chat(h3.base, `ptc_${'h'.repeat(43)}`);
      expect(blocked.status).toBe(429);
      expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe(
        'too_many_invalid_keys',
      );
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await chat(h3.base, s.key!)).status).toBe(200);
    } finally {
      await h3.close();
    }
  });
});

describe('many instances', () => {
  let upstream: FakeUpstream;
  const servers: Child[] = [];
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    const configFile = writeConfig(testConfigYaml(upstream.url));
    for (let i = 0; i < 2; i++) {
      servers.push(
        await spawnReady(ROOT, 'scripts/lib/proxy-main.ts', [], {
          DATABASE_URL: process.env.DATABASE_URL!,
          PORTICO_CONFIG: configFile,
          ...TEST_SECRETS,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await upstream?.close();
  });

  it('a key revoked or an app suspended anywhere is refused by every instance within 5 s', async () => {
    const bases = servers.map((s) => `http://127.0.0.1:${s.port}`);
    const k = await seedApp({ models: [MODEL] });
    const a = await seedApp({ models: [MODEL] });
    for (const b of bases) {
      expect((await chat(b, k.key!)).status).toBe(200);
      expect((await chat(b, a.key!)).status).toBe(200);
    }
    const { revokeKey } = await import('../lib/keys/manage');
    const { suspend } = await import('../lib/apps');
    const { SYSTEM } = await import('../lib/audit');
    const t0 = Date.now();
    await revokeKey({ keyId: k.keyId!, actor: SYSTEM });
    await suspend({ appId: a.app.id, reason: 'security review pending', actor: SYSTEM });
    for (const b of bases) {
      await expect
        .poll(async () => (await chat(b, k.key!)).status, { timeout: 5_000, interval: 100 })
        .toBe(401);
      await expect
        .poll(async () => (await chat(b, a.key!)).status, { timeout: 5_000, interval: 100 })
        .toBe(403);
    }
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe('PostgreSQL outage', () => {
  it('keeps serving recently verified keys, buffers usage and writes it when the database returns; /readyz says not ready', async () => {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(ROOT, '.data', 'test-outage'),
      port: 54369,
      fast: true,
    });
    const upstream = await startFakeUpstream();
    let server: Child | undefined;
    try {
      await migrate(pg.url, ROOT);
      const configFile = writeConfig(testConfigYaml(upstream.url));
      const env = { DATABASE_URL: pg.url, PORTICO_CONFIG: configFile, ...TEST_SECRETS };
      const name = `outage-${uid()}`;
      expect(
        (
          await cli(
            ['app', 'add', '--name', name, '--owner', `${name}@test.portico`, '--approve', '--models', MODEL],
            env,
          )
        ).code,
      ).toBe(0);
      const key = (await cli(['key', 'add', '--app', name], env)).stdout.trim();
      const other = (await cli(['key', 'add', '--app', name, '--name', 'never-used'], env)).stdout.trim();
      server = await spawnReady(ROOT, 'scripts/lib/proxy-main.ts', [], {
        ...env,
        PORTICO_KEY_CACHE_FRESH_MS: '500',
      });
      const base = `http://127.0.0.1:${server.port}`;
      expect((await chat(base, key)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      await pg.stop();
      await new Promise((r) => setTimeout(r, 1_000)); // past the fresh window: the stale-but-recent path serves
      const during: number[] = [];
      for (let i = 0; i < 5; i++) during.push((await chat(base, key)).status);
      expect(during).toEqual([200, 200, 200, 200, 200]);
      const unknown = await chat(base, other);
      expect(unknown.status).toBe(503);
      expect(unknown.headers.get('retry-after')).toBeTruthy();
      await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 5_000 }).toBe(503);

      const again = await startEmbeddedPostgres({
        dataDir: path.join(ROOT, '.data', 'test-outage'),
        port: 54369,
        fast: true,
      });
      pg.stop = again.stop;
      await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 15_000 }).toBe(200);
      const pgc = new (await import('pg')).default.Client({ connectionString: pg.url });
      await pgc.connect();
      try {
        // 1 before + 5 during + 1 refused (503 after auth failed: not an app's usage) = 6 for the app, none lost.
        await expect
          .poll(
            async () =>
              Number(
                (
                  await pgc.query(
                    `SELECT count(*) FROM usage_events e JOIN apps a ON a.id = e.app_id WHERE a.name = $1`,
                    [name],
                  )
                ).rows[0].count,
              ),
            { timeout: 20_000, interval: 250 },
          )
          .toBe(6);
        // A database that lacks a migration this code ships with is reachable but not ready.
        const latest = (await pgc.query(`SELECT max(migration_name) AS m FROM _prisma_migrations`)).rows[0]
          .m as string;
        await pgc.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1`, [
          latest,
        ]);
        await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 5_000 }).toBe(503);
        expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
          status: 'not ready',
          database: 'unreachable or migrations pending',
        });
        await pgc.query(`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = $1`, [
          latest,
        ]);
        await expect.poll(async () => (await fetch(`${base}/readyz`)).status, { timeout: 5_000 }).toBe(200);
      } finally {
        await pgc.end();
      }
    } finally {
      await server?.stop();
      await upstream.close();
      await pg.stop();
    }
  });
});

void db;

describe('streams without a usage chunk are still billed', () => {
  it('estimates tokens when the upstream ignores stream_options, so budgets cannot be bypassed', async () => {
    const h = await startHarness();
    try {
      const s = await seedApp({ models: [MODEL] });
      h.upstream.queue({ kind: 'no-usage' });
      const res = await chat(h.base, s.key!, {
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: 'x'.repeat(400) }],
      });
      expect(res.status).toBe(200);
      await res.text();
      await h.portico.usage.flush();
      const [e] = await usageFor(s.app.id);
      expect(e!.promptTokens).toBeGreaterThan(90);
      expect(e!.completionTokens).toBeGreaterThan(50);
      expect(e!.costUsd).toBeGreaterThan(0);

      // And the estimate counts against a budget: after one such stream, a 150-token budget is spent.
      const b = await seedApp({ models: [MODEL], monthlyTokenBudget: 150 });
      h.upstream.queue({ kind: 'no-usage' });
      const first = await chat(h.base, b.key!, {
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: 'x'.repeat(400) }],
      });
      expect(first.status).toBe(200);
      await first.text();
      const next = await chat(h.base, b.key!, { model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
      expect(next.status).toBe(429);
      expect(((await next.json()) as { error: { code: string } }).error.code).toBe('budget_exceeded');
    } finally {
      await h.close();
    }
  });
});

describe('resource bounds', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness({ maxConnections: 40, bodyRateFloor: { minRate: 1024, graceMs: 500 } });
    key = (await seedApp({ models: [MODEL] })).key!;
  });
  afterAll(async () => h?.close());

  /** One raw HTTP exchange: writes `head` (and `body`, if any), resolves with the status line's code. */
  async function raw(head: string, body?: Buffer | string, trickle = false): Promise<number> {
    const { connect } = await import('node:net');
    const { port } = new URL(h.base);
    return new Promise((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => {
        s.write(head);
        if (body && !trickle) s.write(body);
        if (body && trickle) {
          const t = setInterval(() => (s.writable ? s.write('x') : clearInterval(t)), 200);
          s.once('close', () => clearInterval(t));
        }
      });
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
        if (m) {
          s.destroy();
          resolve(Number(m[1]));
        }
      });
      s.once('error', reject);
    });
  }

  it('portal routes refuse a body over the bound before reading it (413), and one of undeclared length (411)', async () => {
    // 300 MB declared, a few bytes sent: the answer comes at once, nothing is buffered.
    const huge = await raw(
      'POST /api/auth/callback/credentials HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        `Content-Length: ${300 * 1024 * 1024}\r\n\r\n`,
      'email=a&password=b',
    );
    expect(huge).toBe(413);
    const chunked = await raw(
      'POST /api/auth/callback/credentials HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      '5\r\nhello\r\n',
    );
    expect(chunked).toBe(411);
    // A body within the bound goes through to the route (404 here: this harness runs without the portal).
    const small = await fetch(`${h.base}/api/auth/callback/credentials`, { method: 'POST', body: 'email=a' });
    expect(small.status).toBe(404);
  });

  it('a request body that trickles in below the rate floor is cut with 408', async () => {
    const status = await raw(
      `POST /api/public/oai/v1/chat/completions HTTP/1.1\r\nHost: x\r\napi-key: ${key}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
      '{',
      true,
    );
    expect(status).toBe(408);
  });

  it('holds at most the configured number of connections; the rest are refused at accept', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(h.base);
    const open = await Promise.all(
      Array.from(
        { length: 60 },
        () =>
          new Promise<{ closedEarly: boolean; socket: import('node:net').Socket }>((resolve) => {
            const s = connect(Number(port), '127.0.0.1');
            let closedEarly = false;
            s.once('close', () => (closedEarly = true));
            s.once('error', () => {});
            setTimeout(
              () =>
                resolve({
                  get closedEarly() {
                    return closedEarly;
                  },
                  socket: s,
                }),
              500,
            );
          }),
      ),
    );
    const refused = open.filter((o) => o.closedEarly).length;
    expect(refused).toBeGreaterThanOrEqual(20);
    for (const o of open) o.socket.destroy();
    // Once they are gone, requests are served again.
    await expect.poll(async () => (await fetch(`${h.base}/healthz`)).status, { timeout: 5_000 }).toBe(200);
  });

  it('/metrics without a token answers this machine only, not a request a same-host proxy forwarded', async () => {
    expect((await fetch(`${h.base}/metrics`)).status).toBe(200);
    const forwarded = await fetch(`${h.base}/metrics`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(forwarded.status).toBe(403);
  });
});
