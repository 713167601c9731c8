// Usage at scale: 10 million raw usage events (about 2.8 hours at 1,000 requests a second) and their rollups, then
// what it costs to write more through the real recorder, to draw the usage pages, and to prune a day past the
// retention. Prints figures and the query plans; asserts nothing (npm run bench:usage [-- --rows N]).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { resolveEnv } from '../lib/env';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000000' } } });
const ROWS = Number(values.rows);
const APPS = 50;
const DAYS = 30;

const dataDir = path.join(ROOT, '.data', 'bench-usage');
rmSync(dataDir, { recursive: true, force: true });
const pg = await startEmbeddedPostgres({ dataDir, port: 54371, fast: true, within: ROOT });
resolveEnv({ DATABASE_URL: pg.url });
await migrate(pg.url, ROOT);
const { pgPool, closePgPool } = await import('../lib/db/pool');
const { UsageRecorder } = await import('../lib/usage/recorder');
const { appUsageReport, orgUsageReport, budgetUse } = await import('../lib/usage/queries');
const { pruneUsageEvents } = await import('../lib/usage/retention');
const pool = pgPool();

const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
};
const median = async (fn: () => Promise<unknown>, runs = 5) => {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await time(fn))[1]);
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(
  `usage at scale: ${fmt(ROWS)} raw events over ${DAYS} days, ${APPS} apps (PostgreSQL 17, ${dataDir})`,
);
await pool.query(
  `INSERT INTO apps (id, name, status, monthly_token_budget, updated_at)
   SELECT 'app' || g, 'bench-app-' || g, 'approved', 1000000000, now() FROM generate_series(1, $1::int) g`,
  [APPS],
);

// Raw events, in chunks, the way months of traffic would have left them (spread over the last DAYS days).
const chunk = 1_000_000;
let inserted = 0;
const [, seedMs] = await time(async () => {
  while (inserted < ROWS) {
    const n = Math.min(chunk, ROWS - inserted);
    await pool.query(
      `INSERT INTO usage_events (request_id, created_at, app_id, key_id, model, operation, route, status, streamed,
         prompt_tokens, completion_tokens, cost_usd, latency_ms, upstream_latency_ms, phi_entities, units, unit)
       SELECT 'bench-' || ($1::bigint + g), now() - (($1::bigint + g) * $2::int * 86400 / $5::bigint) * interval '1 second',
              'app' || (1 + g % $3::int), 'key' || (g % 7), (ARRAY['gpt-4o-mini','gpt-4o','text-embedding-3-small'])[1 + g % 3],
              'chat', '/api/public/oai/v1/chat/completions', CASE WHEN g % 50 = 0 THEN 500 ELSE 200 END, g % 2 = 0,
              200 + g % 800, 50 + g % 300, 0.0001 * (1 + g % 10), 300 + g % 2000, 250 + g % 1900, g % 4,
              CASE WHEN g % 1000 = 0 THEN 1 END, CASE WHEN g % 1000 = 0 THEN 'images' END
       FROM generate_series(1, $4::int) g`,
      [inserted, DAYS, APPS, n, ROWS],
    );
    inserted += n;
    process.stdout.write(`  seeded ${fmt(inserted)} events\r`);
  }
});
await pool.query(
  `INSERT INTO usage_daily (day, app_id, model, key_id, requests, errors, prompt_tokens, completion_tokens, cost_usd,
     latency_ms_sum, latency_buckets, phi_entities)
   SELECT created_at::date, app_id, model, key_id, count(*), count(*) FILTER (WHERE status >= 400),
          sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(latency_ms), '{}', sum(phi_entities)
   FROM usage_events GROUP BY 1, 2, 3, 4`,
);
await pool.query('ANALYZE usage_events; ANALYZE usage_daily');
const size = await pool.query<{ size: string; rollups: string }>(
  `SELECT pg_size_pretty(pg_total_relation_size('usage_events')) AS size, (SELECT count(*) FROM usage_daily)::text AS rollups`,
);
console.log(
  `\nseeded in ${(seedMs / 1000).toFixed(0)} s (${fmt(ROWS / (seedMs / 1000))} rows/s by SQL): usage_events ${size.rows[0]!.size}, ${size.rows[0]!.rollups} rollup rows`,
);

// Writes through the real recorder (events + rollups + keys' last use, one transaction per batch), on top.
const recorder = new UsageRecorder({ flushIntervalMs: 3_600_000, batchSize: 1_000 });
const N = 50_000;
for (let i = 0; i < N; i++)
  recorder.record({
    requestId: `rec-${i}`,
    createdAt: new Date(),
    appId: `app${1 + (i % APPS)}`,
    keyId: `key${i % 7}`,
    model: 'gpt-4o-mini',
    operation: 'chat',
    route: '/api/public/oai/v1/chat/completions',
    status: 200,
    streamed: false,
    promptTokens: 300,
    completionTokens: 80,
    costUsd: 0.0001,
    latencyMs: 420,
    upstreamLatencyMs: 400,
    errorCode: null,
    phiCounts: { NAME: 1 },
  });
const [, writeMs] = await time(() => recorder.flush());
console.log(
  `recorder: ${fmt(N)} records written in ${fmt(writeMs)} ms = ${fmt(N / (writeMs / 1000))} records/s`,
);

// What the usage pages and GET /usage run.
const to = new Date().toISOString().slice(0, 10);
const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
console.log('query times (median of 5):');
console.log(
  `  app page, 30 days (appUsageReport):  ${(await median(() => appUsageReport('app1', from, to))).toFixed(1)} ms`,
);
console.log(
  `  org page, 30 days (orgUsageReport):  ${(await median(() => orgUsageReport(from, to))).toFixed(1)} ms`,
);
console.log(
  `  budgets, this month (budgetUse):     ${(await median(() => budgetUse({ minShare: 0 }))).toFixed(1)} ms`,
);

const plan = async (label: string, sql: string, params: unknown[]) => {
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
    'EXPLAIN (ANALYZE, BUFFERS off) ' + sql, // this file's own constant statements
    params,
  );
  console.log(`plan: ${label}`);
  for (const r of rows) console.log(`  ${r['QUERY PLAN']}`);
};
await plan(
  'the app page’s image/audio units (raw events)',
  `SELECT model, unit, SUM(units)::float8 AS units, COUNT(*)::text AS requests FROM usage_events
   WHERE app_id = $1 AND unit IS NOT NULL AND created_at >= $2::date AND created_at < $3::date + 1 GROUP BY model, unit`,
  ['app1', from, to],
);
await plan(
  'the app page’s rollups',
  `SELECT day, model, key_id, requests FROM usage_daily WHERE app_id = $1 AND day BETWEEN $2::date AND $3::date`,
  ['app1', from, to],
);

// Retention: one day of events past it, deleted in batches (never one long lock).
const moved = await pool.query(
  `UPDATE usage_events SET created_at = created_at - interval '200 days'
   WHERE created_at < (now() AT TIME ZONE 'UTC') - interval '29 days'`,
);
console.log(
  `retention: ${fmt(moved.rowCount ?? 0)} events (one day's worth) moved past the 90-day retention`,
);
const [deleted, pruneMs] = await time(() => pruneUsageEvents(90));
console.log(
  `retention: ${fmt(deleted)} events past 90 days deleted in ${fmt(pruneMs)} ms (${fmt(deleted / (pruneMs / 1000))} rows/s)`,
);

await closePgPool();
await pg.stop();
rmSync(dataDir, { recursive: true, force: true });
