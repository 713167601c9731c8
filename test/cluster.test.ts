// One instance on several cores (PORTICO_WORKERS): two worker processes behind one port, with no Redis. The
// per-app limits are counted once for the instance (by the primary), /metrics adds up both workers, a revoked key
// is refused by both, a killed worker is replaced, and SIGTERM to the primary drains and stops the workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../lib/audit';
import { revokeKey } from '../lib/keys/manage';
import { startFakeUpstream, type FakeUpstream } from '../scripts/lib/fake-upstream';
import { freePort } from './support/ports';
import { seedApp } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
const ROOT = path.resolve(import.meta.dirname, '..');

let upstream: FakeUpstream;
let primary: ChildProcess;
let base = '';
let spool = '';

beforeAll(async () => {
  upstream = await startFakeUpstream();
  spool = mkdtempSync(path.join(tmpdir(), 'portico-cluster-spool-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, LOG_LEVEL: 'error', PORTICO_USAGE_SPOOL_DIR: spool } as Record<
    string,
    string
  >;
  delete env.REDIS_URL;
  primary = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/instance.ts')], {
    cwd: ROOT,
    env: {
      ...env,
      SCALE_UPSTREAM_URL: upstream.url,
      SCALE_PORT: String(port),
      SCALE_WORKERS: '2',
    } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the instance did not start')), 90_000);
    primary.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    primary.once('exit', (code) => reject(new Error(`the primary exited with ${code} while starting`)));
  });
}, 120_000);

afterAll(async () => {
  if (primary && primary.exitCode === null) {
    for (const pid of workerPids()) process.kill(pid, 'SIGKILL');
    primary.kill('SIGKILL');
  }
  await upstream?.close();
  rmSync(spool, { recursive: true, force: true });
});

function workerPids(): number[] {
  // The primary's children that run the instance (not esbuild's service, which tsx starts), from /proc.
  try {
    const pid = primary.pid!;
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number)
      .filter((child) => {
        try {
          return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('instance.ts');
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/** One request on a connection of its own, so that the primary hands it to either worker. */
async function chat(key: string): Promise<number> {
  const dispatcher = new Agent({ connections: 1 });
  try {
    const r = await request(`${base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      dispatcher,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hello' }] }),
    });
    await r.body.dump();
    return r.statusCode;
  } finally {
    await dispatcher.close();
  }
}

async function requestsCounted(appName: string): Promise<number> {
  const r = await request(`${base}/metrics`);
  const text = await r.body.text();
  let n = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('portico_requests_total{') && line.includes(`app="${appName}"`))
      n += Number(line.slice(line.lastIndexOf(' ') + 1));
  return n;
}

describe('one instance, two worker processes, no Redis', () => {
  it('runs two workers, and a per-minute limit of N lets exactly N through whichever worker answers', async () => {
    expect(workerPids()).toHaveLength(2);
    const s = await seedApp({ models: [MODEL], rpmLimit: 9 });
    const results = await Promise.all(Array.from({ length: 20 }, () => chat(s.key!)));
    expect(results.filter((r) => r === 200)).toHaveLength(9);
    expect(results.filter((r) => r === 429)).toHaveLength(11);
    // /metrics, scraped from either worker, counts the requests both answered.
    for (let i = 0; i < 4; i++) expect(await requestsCounted(s.app.name)).toBe(20);
  });

  it('a revoked key is refused by both workers within 5 seconds', async () => {
    const s = await seedApp({ models: [MODEL] });
    expect(await chat(s.key!)).toBe(200);
    await revokeKey({ keyId: s.keyId!, actor: SYSTEM });
    await expect
      .poll(async () => (await Promise.all(Array.from({ length: 6 }, () => chat(s.key!)))).join(), {
        timeout: 5_000,
        interval: 100,
      })
      .toBe('401,401,401,401,401,401');
  });

  it('a worker killed outright is replaced, and the port keeps answering', async () => {
    const s = await seedApp({ models: [MODEL] });
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    await expect.poll(() => workerPids().filter((p) => p !== victim).length, { timeout: 30_000 }).toBe(2);
    await expect
      .poll(async () => (await Promise.all(Array.from({ length: 6 }, () => chat(s.key!)))).join(), {
        timeout: 30_000,
      })
      .toBe('200,200,200,200,200,200');
  });

  it('SIGTERM to the primary stops both workers and then itself', async () => {
    const workers = workerPids();
    expect(workers).toHaveLength(2);
    const exited = new Promise<number | null>((r) => primary.once('exit', (code) => r(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});
