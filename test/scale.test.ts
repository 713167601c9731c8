// Scale-out on real parts: three Portico processes on one PostgreSQL and one Redis behind HAProxy (Debian's),
// driven by the real openai SDK through the load balancer. Limits and budgets are exact across instances, a
// revoked key is refused everywhere within seconds, and instances killed mid-traffic (SIGKILL, SIGTERM) cost
// clients a retry or a clean error, never a hang, while every answered request keeps its usage record.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../lib/db';
import { revokeKey } from '../lib/keys/manage';
import { SYSTEM } from '../lib/audit';
import { startFakeUpstream, type FakeUpstream } from '../scripts/lib/fake-upstream';
import { freePort } from './support/ports';
import { startRedis, type RedisServer } from './support/redis';
import { seedApp } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
const ROOT = path.resolve(import.meta.dirname, '..');

interface Instance {
  name: string;
  port: number;
  proc?: ChildProcess;
}

let redis: RedisServer;
let upstream: FakeUpstream;
let haproxy: ChildProcess;
let lb = '';
let spool = '';
const instances: Instance[] = [];

function start(i: Instance): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/instance.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        SCALE_UPSTREAM_URL: upstream.url,
        SCALE_PORT: String(i.port),
        PORTICO_USAGE_SPOOL_DIR: spool,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    i.proc = proc;
    const timer = setTimeout(() => reject(new Error(`${i.name} did not start`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`${i.name} exited with ${code} while starting`)));
  });
}

const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => p.once('exit', () => r()));

/** The backends HAProxy reports up, from its own health checks (GET /readyz). */
async function backendsUp(): Promise<number> {
  let up = 0;
  for (const i of instances) {
    const ok = await fetch(`http://127.0.0.1:${i.port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) up++;
  }
  return up;
}

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startFakeUpstream();
  spool = mkdtempSync(path.join(tmpdir(), 'portico-scale-spool-'));
  for (const name of ['p1', 'p2', 'p3']) instances.push({ name, port: await freePort() });
  await Promise.all(instances.map(start));
  const port = await freePort();
  lb = `http://127.0.0.1:${port}`;
  const cfg = path.join(spool, '..', `portico-haproxy-${port}.cfg`);
  // Retries go to another server only when nothing was answered (a dead or refusing instance).
  writeFileSync(
    cfg,
    `global
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
frontend portico
  bind 127.0.0.1:${port}
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 300ms fall 2 rise 2
  http-response set-header x-served-by %[srv_name]
${instances.map((i) => `  server ${i.name} 127.0.0.1:${i.port} check`).join('\n')}
`,
  );
  // Debian puts it in /usr/sbin, outside an ordinary user's PATH.
  const bin = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
  haproxy = spawn(bin, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  // Ready when HAProxy's health checks have put all three in the rotation.
  for (let tries = 0; ; tries++) {
    const seen = new Set<string>();
    for (let n = 0; n < 6; n++) {
      const r = await fetch(`${lb}/readyz`).catch(() => undefined);
      if (r?.ok) seen.add(r.headers.get('x-served-by') ?? '');
    }
    if (seen.size === 3) break;
    if (tries > 100) throw new Error(`HAProxy sends requests to ${[...seen].join(', ') || 'no instance'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  haproxy?.kill('SIGKILL');
  for (const i of instances) i.proc?.kill('SIGKILL');
  await Promise.all(instances.map((i) => (i.proc ? exited(i.proc) : undefined)));
  await redis?.stop();
  await upstream?.close();
  rmSync(spool, { recursive: true, force: true });
});

const client = (key: string, maxRetries = 0) =>
  new OpenAI({ baseURL: `${lb}/api/public/oai/v1`, apiKey: key, maxRetries, timeout: 30_000 });
const ask = (key: string, maxRetries = 0) =>
  client(key, maxRetries)
    .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] })
    .withResponse();
const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { status?: number }) => e.status ?? 0,
  );

describe('three instances behind HAProxy, one PostgreSQL, one Redis', () => {
  it('spreads requests over all three, and a per-minute limit of N lets exactly N through', async () => {
    const s = await seedApp({ models: [MODEL], rpmLimit: 24 });
    const served = new Set<string>();
    const results = await Promise.all(
      Array.from({ length: 45 }, () =>
        ask(s.key!).then(
          ({ response }) => {
            served.add(response.headers.get('x-served-by') ?? '');
            return 200;
          },
          (e: { status?: number; headers?: Headers }) => {
            served.add(e.headers?.get('x-served-by') ?? '');
            return e.status ?? 0;
          },
        ),
      ),
    );
    // Every instance answered (admitted or limited: which get admitted depends on who reaches Redis first).
    expect(served).toEqual(new Set(['p1', 'p2', 'p3']));
    expect(results.filter((r) => r === 200)).toHaveLength(24);
    expect(results.filter((r) => r === 429)).toHaveLength(21);
  });

  it('a monthly token budget is not overspent by more than one request’s worth across instances', async () => {
    // Each echo answer uses a few tokens; the budget holds about ten of them.
    const s = await seedApp({ models: [MODEL], monthlyTokenBudget: 60 });
    const results = await Promise.all(Array.from({ length: 40 }, () => statusOf(ask(s.key!))));
    expect(results.filter((r) => r === 429).length).toBeGreaterThan(0);
    expect(results.every((r) => r === 200 || r === 429)).toBe(true);
    await expect
      .poll(async () => (await db().usageEvent.count({ where: { appId: s.app.id, status: 200 } })) >= 1)
      .toBe(true);
    // Every instance's batch is in.
    await expect
      .poll(() => db().usageEvent.count({ where: { appId: s.app.id, status: 200 } }))
      .toBe(results.filter((r) => r === 200).length);
    const events = await db().usageEvent.findMany({ where: { appId: s.app.id, status: 200 } });
    const spent = events.reduce((n, e) => n + e.promptTokens + e.completionTokens, 0);
    const one = Math.max(...events.map((e) => e.promptTokens + e.completionTokens));
    expect(spent).toBeLessThanOrEqual(60 + one);
  });

  it('a revoked key is refused by every instance within 5 seconds', async () => {
    const s = await seedApp({ models: [MODEL] });
    expect(await statusOf(ask(s.key!))).toBe(200);
    const revokedAt = Date.now();
    await revokeKey({ keyId: s.keyId!, actor: SYSTEM });
    // Six in a row through the round robin: twice on each instance.
    await expect
      .poll(async () => (await Promise.all(Array.from({ length: 6 }, () => statusOf(ask(s.key!))))).join(), {
        timeout: 5_000,
        interval: 100,
      })
      .toBe('401,401,401,401,401,401');
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
  });

  it('SIGKILL and SIGTERM mid-traffic: retries or clean errors, never a hang, and every answer is metered', async () => {
    const s = await seedApp({ models: [MODEL] });
    upstream.always({ kind: 'delay', ms: 120 });
    const answered: string[] = [];
    const failures: string[] = [];
    let slowest = 0;
    const until = Date.now() + 9_000;
    const worker = async () => {
      while (Date.now() < until) {
        const t0 = Date.now();
        try {
          // The SDK's own retries (2, its default) are part of what clients see.
          const { response } = await ask(s.key!, 2);
          answered.push(response.headers.get('x-request-id')!);
        } catch (e) {
          failures.push(`${(e as { status?: number }).status ?? (e as Error).constructor.name}`);
        }
        slowest = Math.max(slowest, Date.now() - t0);
      }
    };
    const traffic = Promise.all(Array.from({ length: 12 }, worker));
    // Each instance is stopped mid-traffic: once a good number of answers have come back since the last event.
    const answers = (n: number) =>
      expect.poll(() => answered.length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(n);
    await answers(40);
    instances[0]!.proc!.kill('SIGKILL');
    await answers(answered.length + 40);
    instances[1]!.proc!.kill('SIGTERM');
    await traffic;
    upstream.always(null);
    await exited(instances[1]!.proc!);
    expect(instances[1]!.proc!.exitCode).toBe(0); // drained and flushed

    console.log(
      `scale-out: ${answered.length} answered, ${failures.length} failed (${failures.join(', ') || 'none'}), slowest ${slowest} ms, with one instance SIGKILLed and one SIGTERMed`,
    );
    expect(answered.length).toBeGreaterThan(100);
    // Never a hang: the slowest call (retries included) ended well before the SDK's 30 s timeout.
    expect(slowest).toBeLessThan(15_000);
    // Any failure is a clean answer (an HTTP status) or a connection error the SDK names, and rare.
    for (const f of failures) expect(f).toMatch(/^(5\d\d|APIConnectionError|APIConnectionTimeoutError)$/);
    expect(failures.length).toBeLessThan(answered.length / 20);

    // The killed instance's unwritten records are in its journal: the next instance on that folder writes them.
    await start(instances[0]!);
    await expect
      .poll(async () => db().usageEvent.count({ where: { requestId: { in: answered } } }), {
        timeout: 15_000,
      })
      .toBe(answered.length);
    expect(await backendsUp()).toBe(2);
  }, 60_000);
});
