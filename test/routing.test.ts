// One model over several deployments, with real failures: fake upstreams that answer 429 with Retry-After, drop
// connections or answer slowly, behind one model name; the real openai SDK as the client.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../scripts/lib/fake-upstream';
import { startHarness, testConfigYaml, type Harness } from './support/portico';
import { seedApp } from './support/seed';
import { Redis } from 'ioredis';
import { db } from '../lib/db';
import { parseConfig, resolveConfig, type Target } from '../lib/config';
import { Router, router } from '../lib/proxy/router';
import { startRedis } from './support/redis';

const GROUP = 'gpt-4o-group';
const TIERS = 'gpt-4o-tiers';
const CAPPED = 'gpt-4o-capped';
const FASTEST = 'gpt-4o-fastest';
let h: Harness;
let east: FakeUpstream;
let west: FakeUpstream;
let key = '';
let appId = '';

beforeAll(async () => {
  east = await startFakeUpstream();
  west = await startFakeUpstream();
  const provider = (name: string, url: string) => `
  ${name}:
    type: azure
    baseUrl: ${url}
    apiVersion: 2024-10-21
    headers:
      api-key: \${{ UPSTREAM_KEY }}
    timeouts: { connectMs: 1000, totalMs: 5000 }`;
  h = await startHarness({
    yaml: (url) =>
      testConfigYaml(url, {
        providers: provider('eastus', east.url) + provider('westus', west.url),
        models: `
  ${GROUP}:
    targets:
      - { name: east, provider: eastus, deployment: gpt-4o-east, weight: 3 }
      - { name: west, provider: westus, deployment: gpt-4o-west, weight: 1 }
      - { name: main, provider: azure-up, deployment: gpt-4o-main, weight: 0.000001 }
    price: { inputPerMillion: 2.5, outputPerMillion: 10 }
  ${CAPPED}:
    targets:
      - { name: east-capped, provider: eastus, deployment: capped, weight: 1000, rpm: 5 }
      - { name: west-rest, provider: westus, deployment: rest, weight: 1 }
  ${FASTEST}:
    strategy: latency
    targets:
      - { name: slow-east, provider: eastus, deployment: slow }
      - { name: quick-west, provider: westus, deployment: quick }
  ${TIERS}:
    targets:
      - { name: provisioned, provider: eastus, deployment: ptu, priority: 0 }
      - { name: paygo, provider: westus, deployment: paygo, priority: 1 }`,
      }),
  });
  const seeded = await seedApp({ models: [GROUP, TIERS, CAPPED, FASTEST] });
  key = seeded.key!;
  appId = seeded.app.id;
});
afterAll(async () => {
  await h?.close();
  await east?.close();
  await west?.close();
});

const reset = () => {
  for (const u of [east, west, h.upstream]) {
    u.always(null);
    u.reset();
  }
};
const call = (model: string) =>
  fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
async function burst(model: string, n: number, concurrency = 8): Promise<{ status: number; by: string }[]> {
  const out: { status: number; by: string }[] = [];
  for (let i = 0; i < n; i += concurrency) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(concurrency, n - i) }, async () => {
        const r = await call(model);
        await r.arrayBuffer();
        return { status: r.status, by: r.headers.get('x-portico-upstream') ?? '' };
      }),
    );
    out.push(...batch);
  }
  return out;
}
const share = (rs: { by: string }[], name: string) => rs.filter((r) => r.by === name).length / rs.length;

/** Until the target's rest (after a 429, or a spent quota) is over: the router's own clock, no fixed sleep. */
const restOver = async (target: string) => {
  // A name no rest was ever recorded for would pass at once and prove nothing.
  expect(
    router()
      .cooling()
      .some((c) => c.target === target),
  ).toBe(true);
  await expect
    .poll(
      () =>
        router()
          .cooling()
          .some((c) => c.target === target),
      { timeout: 5_000, interval: 25 },
    )
    .toBe(false);
};

describe('a model over several deployments', () => {
  it('spreads requests by weight (3:1 within ±8 points), naming the deployment in x-portico-upstream', async () => {
    reset();
    const rs = await burst(GROUP, 400);
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(share(rs, 'east')).toBeGreaterThan(0.75 - 0.08);
    expect(share(rs, 'east')).toBeLessThan(0.75 + 0.08);
    expect(share(rs, 'west')).toBeGreaterThan(0.25 - 0.08);
    // The Azure deployment names reach the right upstreams.
    expect(east.received.every((r) => r.path.includes('/deployments/gpt-4o-east/'))).toBe(true);
    expect(west.received.every((r) => r.path.includes('/deployments/gpt-4o-west/'))).toBe(true);
  });

  it('a deployment answering 429 with Retry-After rests for that long; no client sees an error; it comes back', async () => {
    reset();
    east.always({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const rs = await burst(GROUP, 60);
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(share(rs, 'west') + share(rs, 'main')).toBe(1);
    // Resting after its first 429s: only the requests already on their way found it.
    expect(east.received.length).toBeLessThanOrEqual(8);
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(
      /portico_upstream_cooldown_seconds\{model="gpt-4o-group",target="east"\} (0\.\d+|1)\n/,
    );
    expect(metrics).toMatch(
      /portico_upstream_attempts_total\{model="gpt-4o-group",target="east",outcome="429"\} \d+/,
    );
    east.always(null);
    await restOver('east');
    const after = await burst(GROUP, 40);
    expect(share(after, 'east')).toBeGreaterThan(0.4);
  });

  it('a deployment that drops connections is skipped within the same request; streams work through the SDK', async () => {
    reset();
    west.always({ kind: 'reset' });
    const client = new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: key, maxRetries: 0 });
    for (let i = 0; i < 20; i++) {
      const stream = await client.chat.completions.create({
        model: GROUP,
        stream: true,
        messages: [{ role: 'user', content: `stream ${i}` }],
      });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      expect(text).toBe(`stream ${i}`);
    }
    const rs = await burst(GROUP, 40);
    expect(rs.every((r) => r.status === 200 && r.by !== 'west')).toBe(true);
    // Tried once, then resting (1 s, doubling): not on every request.
    expect(west.received.length).toBeLessThanOrEqual(6);
  });

  it('a stream that breaks after it started is not replayed on another deployment', async () => {
    reset();
    east.always({ kind: 'stream-reset', afterChunks: 2 });
    west.always({ kind: 'stream-reset', afterChunks: 2 });
    h.upstream.always({ kind: 'stream-reset', afterChunks: 2 });
    const client = new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: key, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: GROUP,
      stream: true,
      messages: [{ role: 'user', content: 'a long answer please' }],
    });
    await expect(
      (async () => {
        for await (const c of stream) void c;
      })(),
    ).rejects.toThrow();
    expect(east.received.length + west.received.length + h.upstream.received.length).toBe(1);
  });

  it('a deployment that says its quota is spent (x-ratelimit-remaining-requests: 0) gets no more until it resets', async () => {
    reset();
    await new Promise((r) => setTimeout(r, 50));
    east.queue({
      kind: 'status',
      status: 200,
      headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s' },
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model: 'gpt-4o',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
    });
    // Until east has answered once, with its quota spent.
    for (let i = 0; i < 20 && east.received.length === 0; i++) await burst(GROUP, 1);
    const rs = await burst(GROUP, 30);
    expect(rs.every((r) => r.status === 200 && r.by !== 'east')).toBe(true);
    await restOver('east');
    expect(share(await burst(GROUP, 40), 'east')).toBeGreaterThan(0.4);
  });

  it('usage records which deployment answered each request', async () => {
    reset();
    const rs = await burst(GROUP, 30);
    await h.portico.usage.flush();
    const rows = await db().usageEvent.findMany({
      where: { appId, model: GROUP },
      select: { upstream: true },
      orderBy: { createdAt: 'desc' },
      take: 30,
    });
    expect(rows.map((r) => r.upstream).sort()).toEqual(rs.map((r) => r.by).sort());
  });

  it('a deployment with its own per-minute quota (rpm) takes that many, then the next one does', async () => {
    reset();
    const minute = Math.floor(Date.now() / 60_000);
    const rs = await burst(CAPPED, 12, 1);
    const sameMinute = Math.floor(Date.now() / 60_000) === minute;
    expect(rs.every((r) => r.status === 200)).toBe(true);
    const capped = rs.filter((r) => r.by === 'east-capped').length;
    if (sameMinute) {
      expect(capped).toBe(5);
      expect(rs.slice(0, 5).every((r) => r.by === 'east-capped')).toBe(true);
    } else expect(capped).toBeLessThanOrEqual(10);
  });

  it('the latency strategy sends requests to the deployment that answers faster, and metrics time each one', async () => {
    reset();
    east.always({ kind: 'delay', ms: 150 });
    // Each is measured once (unmeasured ones are tried first), then the quick one takes the traffic.
    const rs = await burst(FASTEST, 20, 1);
    expect(rs.slice(2).every((r) => r.status === 200 && r.by === 'quick-west')).toBe(true);
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(
      /portico_upstream_duration_seconds_count\{provider="eastus",model="gpt-4o-fastest",target="slow-east"\} [12]\n/,
    );
  });

  it('priority tiers: the provisioned deployment first, pay-as-you-go only while it is throttled', async () => {
    reset();
    const first = await burst(TIERS, 20);
    expect(first.every((r) => r.status === 200 && r.by === 'provisioned')).toBe(true);
    east.always({ kind: 'status', status: 429, headers: { 'retry-after-ms': '800' } });
    const spill = await burst(TIERS, 20);
    expect(spill.every((r) => r.status === 200 && r.by === 'paygo')).toBe(true);
    east.always(null);
    await restOver('provisioned');
    const back = await burst(TIERS, 20);
    expect(back.every((r) => r.by === 'provisioned')).toBe(true);
  });

  it('when every deployment refuses, the client gets the upstream’s 429 with its Retry-After', async () => {
    reset();
    for (const u of [east, west, h.upstream])
      u.always({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
    const r = await call(GROUP);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('2');
    reset();
    await new Promise((res) => setTimeout(res, 2_100));
  });
});

describe('shared through Redis', () => {
  it('a cooldown set by one instance rests the deployment on the other; least-busy counts both instances', async () => {
    const redis = await startRedis();
    const cfg = resolveConfig(
      {
        file: parseConfig(
          `providers: { a: { type: echo }, b: { type: echo } }
models:
  g:
    strategy: least-busy
    targets: [{ name: a, provider: a }, { name: b, provider: b }]
`,
          'shared routing test',
        ),
        source: 'shared routing test',
      },
      {},
    );
    const model = cfg.models.get('g')!;
    const [a, b] = model.targets as [Target, Target];
    const one = new Router();
    const two = new Router();
    const c1 = new Redis(redis.url);
    const c2 = new Redis(redis.url);
    const stops = [one.share(c1, 50), two.share(c2, 50)];
    try {
      // Both instances know the group.
      one.order(model);
      two.order(model);
      // Instance one has three requests in flight on a: instance two sends its next to b.
      for (let i = 0; i < 3; i++) one.start(model, a);
      await expect.poll(() => two.order(model)[0]!.name, { timeout: 2_000 }).toBe('b');
      for (let i = 0; i < 3; i++) one.finish(model, a, { ok: true, latencyMs: 5 });
      // Instance one sees b refuse (429, 1 s): instance two rests it too.
      one.start(model, b);
      one.finish(model, b, { ok: false, kind: 'status', status: 429, retryAfterMs: 1_000 });
      await expect
        .poll(
          () =>
            two
              .order(model)
              .map((t) => t.name)
              .join(),
          { timeout: 2_000 },
        )
        .toBe('a,b');
      expect(two.order(model).at(-1)!.name).toBe('b');
    } finally {
      stops.forEach((stop) => stop());
      c1.disconnect();
      c2.disconnect();
      await redis.stop();
    }
  });
});
