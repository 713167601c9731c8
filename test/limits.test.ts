import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureOpenAI } from 'openai';
import { db } from '../lib/db';
import { Limiter } from '../lib/limits';
import { UsageRecorder } from '../lib/usage/recorder';
import { startHarness, type Harness } from './support/portico';
import { startRedis, type RedisServer } from './support/redis';
import { seedApp, usageFor } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
let redis: RedisServer;
let a: Harness;
let b: Harness;

/**
 * Two Portico instances on one PostgreSQL and one Redis. Their limiters count in one pinned minute (early in
 * the current one), so that no burst straddles two windows; every test uses apps of its own.
 */
const minute = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const clock = () => minute;
beforeAll(async () => {
  redis = await startRedis();
  a = await startHarness({ limiter: new Limiter({ redisUrl: redis.url, clock }) });
  b = await startHarness({ limiter: new Limiter({ redisUrl: redis.url, clock }) });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});

const post = (
  h: Harness,
  key: string,
  body: object = { model: MODEL, messages: [{ role: 'user', content: 'hello' }] },
) =>
  fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function waitForRedis(l: Limiter) {
  await expect.poll(() => l.shared?.redis.status, { timeout: 10_000 }).toBe('ready');
}

describe('limits shared across instances through Redis', () => {
  it('a per-minute limit of N lets exactly N requests through across both instances', async () => {
    const s = await seedApp({ models: [MODEL], rpmLimit: 5 });
    await waitForRedis(a.portico.limiter);
    await waitForRedis(b.portico.limiter);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await post(i % 2 ? b : a, s.key!);
      statuses.push(r.status);
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe(String(4 - i));
      expect(r.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    for (const h of [a, b]) {
      const over = await post(h, s.key!);
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await over.json()) as { error: { code: string; type: string; message: string } };
      expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
      expect(body.error.message).toMatch(/5 requests per minute/);
    }
    // The SDK sees a RateLimitError.
    const client = new AzureOpenAI({
      endpoint: `${a.base}/api/public/oai`,
      apiKey: s.key!,
      apiVersion: '2025-01-01-preview',
      deployment: MODEL,
      maxRetries: 0,
    });
    await expect(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 429 });
  });

  it('a monthly cost budget is never overspent by more than one request’s worth, under concurrency', async () => {
    // Each echo answer costs ~(10 in + 25 out tokens) at $0.15/$0.6 per 1M ≈ $0.0000165; budget ≈ 20 requests.
    const s = await seedApp({ models: [MODEL], monthlyCostBudgetUsd: 0.0003 });
    const content = 'x'.repeat(100);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(i % 2 ? a : b, s.key!, { model: MODEL, max_tokens: 40, messages: [{ role: 'user', content }] }),
      ),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    expect(ok + limited.length).toBe(60);
    expect(limited.length).toBeGreaterThan(0);
    expect(((await limited[0]!.json()) as { error: { code: string } }).error.code).toBe('budget_exceeded');
    await a.portico.usage.flush();
    await b.portico.usage.flush();
    const events = (await usageFor(s.app.id)).filter((e) => e.status === 200);
    expect(events).toHaveLength(ok);
    const spent = events.reduce((sum, e) => sum + e.costUsd, 0);
    const oneRequest = Math.max(...events.map((e) => e.costUsd));
    expect(spent).toBeLessThanOrEqual(0.0003 + oneRequest + 1e-12);
    expect(spent).toBeGreaterThan(0.0003 - 3 * oneRequest);
  });

  it('"remaining" is one number: the next request’s budget header says what GET /usage and the portal say', async () => {
    const s = await seedApp({ models: [MODEL], monthlyCostBudgetUsd: 50, monthlyTokenBudget: 1_000_000 });
    await waitForRedis(a.portico.limiter);
    // A generous max_tokens makes the reserved estimate far larger than the real use.
    const body = {
      model: MODEL,
      max_tokens: 4000,
      messages: [{ role: 'user', content: 'lorem ipsum '.repeat(3000) }],
    };
    const first = await post(a, s.key!, body);
    expect(first.status).toBe(200);
    await a.portico.usage.flush();
    const second = await post(b, s.key!, body);
    const usage = (await (
      await fetch(`${a.base}/api/public/v1/usage`, { headers: { 'api-key': s.key! } })
    ).json()) as { budget: { costUsdRemaining: number; tokensRemaining: number } };
    // The fake upstream reports a few tokens; the reservation was thousands.
    expect(usage.budget.tokensRemaining).toBeGreaterThan(1_000_000 - 100);
    expect(second.headers.get('x-portico-budget-remaining-usd')).toBe(
      usage.budget.costUsdRemaining.toFixed(4),
    );
    expect(second.headers.get('x-portico-budget-remaining-tokens')).toBe(
      String(usage.budget.tokensRemaining),
    );
  });

  it('keeps serving under local limits while Redis is down, and shares again when it returns', async () => {
    const s = await seedApp({ models: [MODEL], rpmLimit: 3 });
    await redis.stop();
    await expect.poll(() => a.portico.limiter.shared?.redis.status, { timeout: 5_000 }).not.toBe('ready');
    const local = [];
    for (let i = 0; i < 4; i++) local.push((await post(a, s.key!)).status);
    expect(local).toEqual([200, 200, 200, 429]); // instance a counts alone
    expect((await post(b, s.key!)).status).toBe(200); // b has its own local count
    await redis.start();
    await waitForRedis(a.portico.limiter);
    await waitForRedis(b.portico.limiter);
    const s2 = await seedApp({ models: [MODEL], rpmLimit: 2 });
    expect([
      (await post(a, s2.key!)).status,
      (await post(b, s2.key!)).status,
      (await post(a, s2.key!)).status,
    ]).toEqual([200, 200, 429]);
  });
});

describe('a slow Redis', () => {
  it('a command timeout falls back for a moment only: limits are shared again afterwards', async () => {
    const { Redis } = await import('ioredis');
    await waitForRedis(a.portico.limiter);
    await waitForRedis(b.portico.limiter);
    const blocker = new Redis(redis.url);
    try {
      const s = await seedApp({ models: [MODEL], rpmLimit: 100 });
      // Redis busy for 1.5 s: instance a's command times out (1 s) and it counts alone for a moment.
      const sleeping = blocker.call('DEBUG', 'SLEEP', '1.5');
      await new Promise((r) => setTimeout(r, 100));
      expect((await post(a, s.key!)).status).toBe(200);
      await sleeping;
      // Until instance a's back-off after the timeout is over and it counts in Redis again.
      await expect.poll(() => a.portico.limiter.counting, { timeout: 10_000, interval: 50 }).toBe('shared');
      const shared = await seedApp({ models: [MODEL], rpmLimit: 2 });
      expect([
        (await post(a, shared.key!)).status,
        (await post(b, shared.key!)).status,
        (await post(a, shared.key!)).status,
      ]).toEqual([200, 200, 429]);
    } finally {
      blocker.disconnect();
    }
  });
});

describe('metering', () => {
  it('N requests, streamed and not, some failing upstream, give exactly N records with the right tokens and cost', async () => {
    const s = await seedApp({ models: [MODEL] });
    const client = new AzureOpenAI({
      endpoint: `${a.base}/api/public/oai`,
      apiKey: s.key!,
      apiVersion: '2025-01-01-preview',
      deployment: MODEL,
      maxRetries: 0,
    });
    const seen: { prompt: number; completion: number }[] = [];
    for (let i = 0; i < 12; i++) {
      if (i % 4 === 3) {
        a.upstream.queue({ kind: 'status', status: 500 });
        await client.chat.completions
          .create({ model: MODEL, messages: [{ role: 'user', content: `fail ${i}` }] })
          .catch(() => {});
        seen.push({ prompt: 0, completion: 0 });
      } else if (i % 2) {
        const st = await client.chat.completions.create({
          model: MODEL,
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: `stream number ${i}` }],
        });
        let u = { prompt: 0, completion: 0 };
        for await (const c of st)
          if (c.usage) u = { prompt: c.usage.prompt_tokens, completion: c.usage.completion_tokens };
        seen.push(u);
      } else {
        const r = await client.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: `plain request ${i}` }],
        });
        seen.push({ prompt: r.usage!.prompt_tokens, completion: r.usage!.completion_tokens });
      }
    }
    await a.portico.usage.flush();
    const events = await usageFor(s.app.id);
    expect(events).toHaveLength(12);
    expect(events.map((e) => ({ prompt: e.promptTokens, completion: e.completionTokens }))).toEqual(seen);
    for (const e of events)
      expect(e.costUsd).toBeCloseTo((e.promptTokens * 0.15 + e.completionTokens * 0.6) / 1e6, 12);
    expect(events.filter((e) => e.status === 502)).toHaveLength(3);
    const daily = await db().usageDaily.findMany({ where: { appId: s.app.id } });
    expect(daily.reduce((n, d) => n + d.requests, 0)).toBe(12);
    expect(daily.reduce((n, d) => n + d.errors, 0)).toBe(3);

    const usage = await fetch(`${a.base}/api/public/v1/usage`, { headers: { 'api-key': s.key! } });
    expect(usage.status).toBe(200);
    const body = (await usage.json()) as {
      totals: { requests: number; costUsd: number };
      budget: { tokensRemaining: number | null };
      byModel: { model: string }[];
    };
    expect(body.totals.requests).toBe(12);
    expect(body.byModel.map((m) => m.model)).toEqual([MODEL]);
    expect(body.budget.tokensRemaining).toBeNull();

    // Calls that reach no model (whoami, usage itself, a model the app may not use) are counted apart.
    const unknown = await post(a, s.key!, {
      model: 'no-such-model',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(unknown.status).toBe(404);
    await fetch(`${a.base}/api/public/v1/whoami`, { headers: { 'api-key': s.key! } });
    await a.portico.usage.flush();
    const after = (await (
      await fetch(`${a.base}/api/public/v1/usage`, { headers: { 'api-key': s.key! } })
    ).json()) as typeof body & { otherCalls: { requests: number; errors: number } };
    expect(after.totals.requests).toBe(12);
    expect(after.byModel.map((m) => m.model)).toEqual([MODEL]);
    expect(after.otherCalls.requests).toBeGreaterThanOrEqual(3); // usage, 404, whoami
    expect(after.otherCalls.errors).toBe(1);
  });

  it('exposes Prometheus metrics', async () => {
    const res = await fetch(`${a.base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /portico_requests_total\{app="[^"]+",model="gpt-4o-mini-2024-07-18",operation="chat",status="200"\} \d+/,
    );
    expect(text).toMatch(/portico_request_duration_seconds_bucket/);
    expect(text).toMatch(/portico_limiter_decisions_total\{decision="rpm"\} \d+/);
    expect(text).toMatch(/portico_tokens_total/);
  });
});

describe('retention', () => {
  it('deletes raw events past the retention and keeps the daily rollups', async () => {
    const { pruneUsageEvents } = await import('../lib/usage/retention');
    const s = await seedApp({ models: [MODEL] });
    await post(a, s.key!);
    await a.portico.usage.flush();
    await db().usageEvent.updateMany({
      where: { appId: s.app.id },
      data: { createdAt: new Date(Date.now() - 100 * 86_400_000) },
    });
    expect(await pruneUsageEvents(90)).toBeGreaterThanOrEqual(1);
    expect(await db().usageEvent.count({ where: { appId: s.app.id } })).toBe(0);
    expect(await db().usageDaily.count({ where: { appId: s.app.id } })).toBe(1);
  });
});

describe('usage journal', () => {
  it('records queued by a process killed outright (SIGKILL) are written by the next one on the same folder', async () => {
    const s = await seedApp({ models: [MODEL] });
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-spool-'));
    const ids = Array.from({ length: 25 }, (_, i) => `spool-${s.app.id}-${i}`);
    // A process that queues records, never flushes them (a long interval), and is killed once the event-loop turn
    // that metered them ended (the journal's window: a record is on disk when its turn ends).
    const script = `
      const { UsageRecorder } = await import(${JSON.stringify(path.resolve('lib/usage/recorder.ts'))});
      const r = new UsageRecorder({ spoolDir: ${JSON.stringify(dir)}, flushIntervalMs: 3_600_000 });
      for (const requestId of ${JSON.stringify(ids)})
        r.record({ requestId, createdAt: new Date(), appId: ${JSON.stringify(s.app.id)}, keyId: null, model: 'm', operation: 'chat',
          route: '/v1/chat/completions', status: 200, streamed: false, promptTokens: 3, completionTokens: 4, costUsd: 0.001,
          latencyMs: 5, upstreamLatencyMs: 4, errorCode: null, phiCounts: null });
      setImmediate(() => process.kill(process.pid, 'SIGKILL'));`;
    const killed = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(await db().usageEvent.count({ where: { appId: s.app.id } })).toBe(0);

    const next = new UsageRecorder({ spoolDir: dir });
    await next.flush();
    expect(await db().usageEvent.count({ where: { requestId: { in: ids } } })).toBe(25);
    // Written, so the journal is empty again; a second recovery adds nothing.
    expect(readdirSync(dir).filter((f) => statSync(path.join(dir, f)).size > 0)).toEqual([]);
    await new UsageRecorder({ spoolDir: dir }).flush();
    const daily = await db().usageDaily.findMany({ where: { appId: s.app.id, model: 'm' } });
    expect(daily.reduce((n, d) => n + d.requests, 0)).toBe(25);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('usage queries', () => {
  it('tolerate rollup rows with empty or short latency histograms', async () => {
    const s = await seedApp({ models: [MODEL] });
    const day = new Date().toISOString().slice(0, 10);
    await db()
      .$executeRaw`INSERT INTO usage_daily (day, app_id, model, key_id, requests, errors, latency_buckets)
      VALUES (${day}::date, ${s.app.id}, ${MODEL}, 'k1', 2, 0, '{}'), (${day}::date, ${s.app.id}, ${MODEL}, 'k2', 3, 1, '{0,3}')`;
    const res = await fetch(`${a.base}/api/public/v1/usage`, { headers: { 'api-key': s.key! } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      totals: { requests: number; errors: number; latencyP50Ms: number | null };
    };
    expect(body.totals.requests).toBe(5);
    expect(body.totals.errors).toBe(1);
    expect(body.totals.latencyP50Ms).toBeGreaterThan(5);
    // Interpolated in its bucket, but given to a tenth of a millisecond.
    expect(String(body.totals.latencyP50Ms)).toMatch(/^\d+(\.\d)?$/);
  });
});

describe('usage records cannot poison the batch', () => {
  it('a NUL in a model name or an out-of-range count is cleaned, and a refused row is dropped alone', async () => {
    const { UsageRecorder } = await import('../lib/usage/recorder');
    const s = await seedApp({ models: [MODEL] });
    const r = new UsageRecorder({ flushIntervalMs: 60_000 });
    const base = {
      createdAt: new Date(),
      appId: s.app.id,
      keyId: s.keyId!,
      operation: 'chat',
      route: 'x',
      status: 200,
      streamed: false,
      costUsd: 0,
      latencyMs: 3,
      upstreamLatencyMs: null,
      errorCode: null,
      phiCounts: null,
    };
    r.record({
      ...base,
      requestId: crypto.randomUUID(),
      model: 'a\u0000b',
      promptTokens: 12.5,
      completionTokens: 3e12,
    });
    r.record({ ...base, requestId: crypto.randomUUID(), model: 'ok', promptTokens: 1, completionTokens: 1 });
    await r.flush();
    expect(r.pending).toBe(0);
    const rows = await usageFor(s.app.id);
    expect(rows.map((e) => [e.model, e.promptTokens, e.completionTokens]).sort()).toEqual([
      ['ab', 13, 2_147_483_647],
      ['ok', 1, 1],
    ]);
  });

  it('a retried batch that had committed adds nothing twice to the rollup', async () => {
    const { UsageRecorder } = await import('../lib/usage/recorder');
    const s = await seedApp({ models: [MODEL] });
    const rec = {
      requestId: crypto.randomUUID(),
      createdAt: new Date(),
      appId: s.app.id,
      keyId: s.keyId!,
      model: MODEL,
      operation: 'chat',
      route: 'x',
      status: 200,
      streamed: false,
      promptTokens: 5,
      completionTokens: 5,
      costUsd: 0.001,
      latencyMs: 3,
      upstreamLatencyMs: null,
      errorCode: null,
      phiCounts: null,
    };
    for (let i = 0; i < 2; i++) {
      const r = new UsageRecorder({ flushIntervalMs: 60_000 });
      r.record(rec);
      await r.flush();
    }
    const daily = await db().usageDaily.findMany({ where: { appId: s.app.id } });
    expect(daily.reduce((n, d) => n + d.requests, 0)).toBe(1);
  });
});
