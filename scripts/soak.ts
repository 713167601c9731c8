/**
 * `npm run soak`: a bounded run of mixed traffic on loopback (plain and streamed chat, PHI scrubbed and
 * restored, some upstream failures) against Portico in its own process. Every 10 s it prints throughput,
 * p50/p99, the server's RSS and open file descriptors; at the end it sends SIGTERM under load and checks
 * that every answered request has exactly one usage record.
 * Options: --seconds N (default 600), --concurrency N (default 16), --json FILE. Exit 1 when a check fails.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { spawnReady, startNodeFlags } from './lib/spawn';
import { startFakeUpstream } from './lib/fake-upstream';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', Number(process.env.SOAK_SECONDS ?? 600));
const CONCURRENCY = arg('concurrency', 16);
const SAMPLE_MS = Math.min(10_000, Math.max(2_000, (SECONDS * 1000) / 12));
const MODEL = 'gpt-4o-mini-2024-07-18';
const PHI =
  'Patient Maria Gonzalez, DOB 7/22/1948, MRN 00912345, call 413-555-0142 about her INR of 2.4 on warfarin.';
const CLEAN = 'What is the usual maintenance dose of warfarin and how often should INR be checked?';
const say = (m: string) => process.stderr.write(`[soak] ${m}\n`);

function procStats(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  return { rssMb: Math.round(rss), fds };
}

function rssFlat(warm: { rssMb: number }[]): boolean {
  if (warm.length < 3) return true;
  const third = Math.max(1, Math.floor(warm.length / 3));
  const peak = (xs: { rssMb: number }[]) => Math.max(...xs.map((x) => x.rssMb));
  return peak(warm.slice(-third)) <= 1.5 * peak(warm.slice(0, third));
}

const q = (a: number[], p: number) =>
  a.length ? [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))]! : 0;

async function main() {
  process.env.LOG_LEVEL ??= 'warn';
  const { prepareDatabase } = await import('../lib/db/prepare');
  const database = await prepareDatabase({ dataDir: '.data/soak', port: 54379, root: ROOT, fast: true });
  const upstream = await startFakeUpstream({ record: false });
  upstream.always({ kind: 'flaky', rate: 0.05 });
  const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'portico-soak-')), 'portico.config.yaml');
  writeFileSync(
    configFile,
    `providers:\n  up:\n    type: openai-compatible\n    baseUrl: ${upstream.url}/v1\nmodels:\n  ${MODEL}:\n    provider: up\n    price: { inputPerMillion: 0.15, outputPerMillion: 0.6 }\n`,
  );

  const { requestAccess, approve } = await import('../lib/apps');
  const { createKey } = await import('../lib/keys/manage');
  const { createUser } = await import('../lib/users');
  const { SYSTEM } = await import('../lib/audit');
  const { db, disconnectDb } = await import('../lib/db');
  const tag = Date.now().toString(36);
  const owner = await createUser({ email: `soak-${tag}@soak.local`, role: 'member' }, SYSTEM);
  const app = await requestAccess(
    {
      name: `soak-${tag}`,
      description: 'soak',
      useCase: 'soak',
      sponsor: 'soak',
      expectedReturn: 'soak',
      involvesPhi: true,
      requestedModels: [MODEL],
      expectedVolume: 'high',
      internalOnlyAttested: true,
    },
    owner.id,
    SYSTEM,
  );
  await approve(
    app.id,
    {
      allowedModels: [MODEL],
      phiPolicy: 'scrub',
      rpmLimit: null,
      tpmLimit: null,
      monthlyTokenBudget: null,
      monthlyCostBudgetUsd: null,
    },
    SYSTEM,
  );
  const { key } = await createKey(app.id, { name: 'soak' }, SYSTEM);

  // With the Node.js flags `npm start` gives the server: its memory is what production's would be.
  const server = await spawnReady(
    ROOT,
    'scripts/lib/proxy-main.ts',
    [],
    {
      DATABASE_URL: database.url,
      PORTICO_CONFIG: configFile,
      LOG_LEVEL: 'warn',
      PORTICO_DRAIN_MS: '10000',
    },
    60_000,
    startNodeFlags(ROOT),
  );
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: CONCURRENCY });
  say(`Portico pid ${server.pid} on port ${server.port}; ${CONCURRENCY} clients for ${SECONDS} s`);

  let stop = false;
  let answered = 0;
  let failedToConnect = 0;
  let statusErrors = 0;
  let window: number[] = [];
  let i = 0;
  const worker = async () => {
    while (!stop) {
      const n = i++;
      const stream = n % 10 < 3;
      const content = n % 5 === 0 ? PHI : CLEAN;
      const t0 = performance.now();
      try {
        const res = await pool.request({
          method: 'POST',
          path: '/api/public/oai/v1/chat/completions',
          headers: { 'api-key': key, 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, stream, messages: [{ role: 'user', content }] }),
        });
        answered++;
        if (res.statusCode >= 400) statusErrors++;
        const text = await res.body.text();
        if (res.statusCode === 200 && content === PHI && !text.includes('Maria Gonzalez'))
          throw new Error('PHI was not restored');
        window.push(performance.now() - t0);
      } catch (err) {
        if ((err as Error).message === 'PHI was not restored') throw err;
        failedToConnect++;
      }
    }
  };

  const samples: { t: number; rps: number; p50: number; p99: number; rssMb: number; fds: number }[] = [];
  const started = Date.now();
  const workers = Array.from({ length: CONCURRENCY }, worker);
  const sampler = setInterval(() => {
    const s = procStats(server.pid);
    const row = {
      t: Math.round((Date.now() - started) / 1000),
      rps: Math.round(window.length / (SAMPLE_MS / 1000)),
      p50: Number(q(window, 0.5).toFixed(2)),
      p99: Number(q(window, 0.99).toFixed(2)),
      ...s,
    };
    samples.push(row);
    window = [];
    say(
      `t=${row.t}s  ${row.rps} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms  RSS ${row.rssMb} MB  fds ${row.fds}`,
    );
  }, SAMPLE_MS);

  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  // SIGTERM under load: in-flight requests must finish or end cleanly, and keep their usage.
  say('SIGTERM under load');
  const exit = server.stop('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  clearInterval(sampler);
  await Promise.all(workers);
  const code = await exit;
  await pool.close().catch(() => {});
  await upstream.close();

  const rows = await db().usageEvent.count({ where: { appId: app.id } });
  await disconnectDb();
  await database.stop();

  const warm = samples.slice(Math.min(2, samples.length - 1));
  const first = warm[0];
  const last = warm.at(-1);
  const report = {
    seconds: SECONDS,
    concurrency: CONCURRENCY,
    answered,
    statusErrors,
    failedToConnect,
    usageRows: rows,
    exitCode: code,
    throughputRps: Math.round(answered / SECONDS),
    p50Ms: q(
      samples.map((s) => s.p50),
      0.5,
    ),
    p99Ms: Math.max(...samples.map((s) => s.p99)),
    rssMb: { afterWarmUp: first?.rssMb, end: last?.rssMb, max: Math.max(...samples.map((s) => s.rssMb)) },
    fds: { afterWarmUp: first?.fds, end: last?.fds, max: Math.max(...samples.map((s) => s.fds)) },
    samples,
  };
  const checks = {
    // A server that stalls answers a handful; even a slow CI machine answers hundreds a second here.
    'answered at least 50 requests a second': answered >= 50 * SECONDS,
    'usage rows = answered requests': rows === answered,
    'server exited 0 after SIGTERM': code === 0,
    'no descriptor growth after warm-up (±10)': !first || !last || last.fds - first.fds <= 10,
    // GC makes RSS saw-tooth: compare the peaks of the first and last thirds after warm-up.
    'RSS flat after warm-up (last third peak < 1.5 × first third peak)': rssFlat(warm),
    'no PHI value or key in the server log': ![
      'Maria Gonzalez',
      '00912345',
      '413-555-0142',
      '7/22/1948',
      key,
    ].some((v) => server.output().includes(v)),
  };
  process.stdout.write(
    `\nSoak: ${SECONDS} s, ${CONCURRENCY} clients, ${answered} answers (${statusErrors} error statuses from the flaky upstream), ${report.throughputRps} req/s\n`,
  );
  console.table(samples);
  for (const [name, ok] of Object.entries(checks)) process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}\n`);
  process.stdout.write(
    `usage rows ${rows}, answered ${answered}; RSS ${first?.rssMb} → ${last?.rssMb} MB; fds ${first?.fds} → ${last?.fds}\n`,
  );
  const out = process.argv.indexOf('--json');
  if (out >= 0) writeFileSync(process.argv[out + 1]!, JSON.stringify({ ...report, checks }, null, 2));
  process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`[soak] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
