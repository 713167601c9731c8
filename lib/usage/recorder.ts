import { rmSync } from 'node:fs';
import { pgPool } from '../db/pool';
import { log } from '../log';
import { BUCKETS, bucketOf } from './histogram';
import { UsageSpool } from './spool';

/** One proxied request, as metered. Counts and timings only: never content, never a PHI value. */
export interface UsageRecord {
  requestId: string;
  createdAt: Date;
  appId: string;
  keyId: string | null;
  model: string;
  operation: string;
  route: string;
  status: number;
  streamed: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMs: number;
  upstreamLatencyMs: number | null;
  errorCode: string | null;
  phiCounts: Record<string, number> | null;
  /** What images and audio bill by (count, seconds, characters); tokens for everything else. */
  units?: number | null;
  unit?: string | null;
  /** The deployment (target) of the model that answered, when it reached one. */
  upstream?: string | null;
}

export interface RecorderOptions {
  /** Benchmarks only (PORTICO_BENCH_NO_METERING=1): drop records instead of writing them, to measure metering's cost. */
  disabled?: boolean;
  flushIntervalMs?: number;
  batchSize?: number;
  /** Records kept in memory while the database is unreachable; beyond it the oldest are dropped (counted, logged). */
  maxBuffered?: number;
  /** A folder for the local journal that keeps queued records through a kill (see UsageSpool); none: no journal. */
  spoolDir?: string;
}

interface DailyDelta {
  day: string;
  appId: string;
  model: string;
  keyId: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMsSum: number;
  buckets: number[];
  phiEntities: number;
}

const sumCounts = (c: Record<string, number> | null) => (c ? Object.values(c).reduce((s, n) => s + n, 0) : 0);

/** Batches usage records into one transaction per flush: raw events + daily rollups + keys' last use. */
export class UsageRecorder {
  private queue: UsageRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  dropped = 0;
  written = 0;
  private lastDropLog = 0;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly disabled: boolean;
  private readonly spool: UsageSpool | undefined;

  constructor(opts: RecorderOptions = {}) {
    this.disabled = opts.disabled ?? false;
    this.spool = opts.spoolDir && !this.disabled ? new UsageSpool(opts.spoolDir) : undefined;
    if (this.spool) {
      // What a killed process on this data folder had not written yet: queued (and journalled) again here.
      const { records, files } = UsageSpool.orphans(this.spool.dir);
      for (const r of records) this.record(r);
      for (const f of files) rmSync(f, { force: true });
      if (records.length)
        log().info({ records: records.length }, 'usage records of a stopped process recovered');
    }
    this.flushIntervalMs = opts.flushIntervalMs ?? 500;
    this.batchSize = opts.batchSize ?? 1_000;
    this.maxBuffered = opts.maxBuffered ?? 200_000;
  }

  get pending(): number {
    return this.queue.length;
  }

  record(r: UsageRecord): void {
    if (this.disabled) return;
    const clean = sanitize(r);
    this.queue.push(clean);
    this.spool?.append(clean);
    if (this.queue.length > this.maxBuffered) {
      // Drop a tenth at once, not one record per request: the outage that filled the buffer is long.
      const over = this.queue.length - this.maxBuffered + Math.ceil(this.maxBuffered / 10);
      this.queue.splice(0, over);
      this.dropped += over;
      const now = Date.now();
      if (now - this.lastDropLog > 10_000) {
        this.lastDropLog = now;
        log().error({ totalDropped: this.dropped }, 'usage buffer full: oldest records dropped');
      }
    }
    this.schedule();
  }

  /** Runs `then` once the records queued so far are in the journal (at the end of this turn; at once without one). */
  afterJournal(then: () => void): void {
    if (this.spool) this.spool.whenWritten(then);
    else then();
  }

  private schedule(delay = this.flushIntervalMs) {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
    this.timer.unref();
  }

  /** Writes everything queued; resolves when done (or when a write failed: records stay queued). */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return;
    this.spool?.seal();
    const run = this.writeQueued();
    this.flushing = run;
    await run;
    if (this.flushing === run) this.flushing = undefined;
    if (this.queue.length === 0) this.spool?.release();
    if (this.queue.length > 0)
      this.schedule(Math.min(this.flushIntervalMs * 2 ** Math.min(this.failures, 5), 10_000));
  }

  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, this.batchSize);
        this.dropped += await writeBatchOrBisect(batch);
        this.queue.splice(0, batch.length);
        this.written += batch.length;
        if (this.failures > 0) log().info({ pending: this.queue.length }, 'usage writes recovered');
        this.failures = 0;
      }
    } catch (err) {
      this.failures++;
      if (this.failures === 1 || this.failures % 20 === 0) {
        log().warn(
          { err: (err as Error).message, pending: this.queue.length },
          'usage write failed; will retry',
        );
      }
    }
  }

  /** On shutdown: keep trying until the queue is empty or the deadline passes. */
  async drain(deadlineMs = 10_000): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const until = Date.now() + deadlineMs;
    while (this.queue.length > 0 && Date.now() < until) {
      await this.flush();
      if (this.queue.length > 0) await new Promise((r) => setTimeout(r, 200));
    }
    if (this.queue.length > 0) {
      log().error({ lost: this.queue.length }, 'usage records could not be written before shutdown');
    }
  }
}

const MAX_INT = 2_147_483_647;
const int = (v: number | null) =>
  v === null ? null : Number.isFinite(v) ? Math.min(Math.max(Math.round(v), 0), MAX_INT) : 0;
const num = (v: number) => (Number.isFinite(v) && v >= 0 ? v : 0);
// PostgreSQL text cannot hold NUL; no field needs more than this.
const text = (v: string) => (v.includes('\u0000') ? v.replaceAll('\u0000', '') : v).slice(0, 200);

/** A record every column accepts: one bad value must not make a batch, and all behind it, unwritable. */
function sanitize(r: UsageRecord): UsageRecord {
  return {
    ...r,
    model: text(r.model),
    operation: text(r.operation),
    route: text(r.route),
    errorCode: r.errorCode === null ? null : text(r.errorCode),
    status: int(r.status) ?? 0,
    promptTokens: int(r.promptTokens) ?? 0,
    completionTokens: int(r.completionTokens) ?? 0,
    costUsd: num(r.costUsd),
    latencyMs: int(r.latencyMs) ?? 0,
    upstreamLatencyMs: int(r.upstreamLatencyMs),
    units: r.units === null || r.units === undefined ? null : num(r.units),
    unit: r.unit ? text(r.unit) : null,
    upstream: r.upstream ? text(r.upstream) : null,
    phiCounts: r.phiCounts
      ? Object.fromEntries(Object.entries(r.phiCounts).map(([k, n]) => [text(k), int(n) ?? 0]))
      : null,
  };
}

/** A data error (SQLSTATE class 22 or 23) is about the rows, not the connection: retrying cannot help. */
const isDataError = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown })?.code ?? ''));

/**
 * Writes a batch; when PostgreSQL refuses its data, halves it until the bad rows are isolated and drops
 * only those (logged by request id, never content). Returns how many were dropped.
 */
async function writeBatchOrBisect(batch: UsageRecord[]): Promise<number> {
  try {
    await writeBatch(batch);
    return 0;
  } catch (err) {
    if (!isDataError(err)) throw err;
    if (batch.length === 1) {
      log().error(
        { requestId: batch[0]!.requestId, code: (err as { code?: string }).code },
        'usage record refused by the database; dropped',
      );
      return 1;
    }
    const mid = Math.ceil(batch.length / 2);
    return (await writeBatchOrBisect(batch.slice(0, mid))) + (await writeBatchOrBisect(batch.slice(mid)));
  }
}

function dailyDeltas(batch: UsageRecord[]): DailyDelta[] {
  const byKey = new Map<string, DailyDelta>();
  for (const r of batch) {
    const day = r.createdAt.toISOString().slice(0, 10);
    const keyId = r.keyId ?? '';
    const k = `${day}|${r.appId}|${r.model}|${keyId}`;
    let d = byKey.get(k);
    if (!d) {
      d = {
        day,
        appId: r.appId,
        model: r.model,
        keyId,
        requests: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
        latencyMsSum: 0,
        buckets: new Array<number>(BUCKETS).fill(0),
        phiEntities: 0,
      };
      byKey.set(k, d);
    }
    d.requests++;
    // Refusals for being over a limit or a budget (429) are the app's quota at work, not errors.
    if (r.status >= 400 && r.status !== 429) d.errors++;
    d.promptTokens += r.promptTokens;
    d.completionTokens += r.completionTokens;
    d.costUsd += r.costUsd;
    d.latencyMsSum += r.latencyMs;
    d.buckets[bucketOf(r.latencyMs)]!++;
    d.phiEntities += sumCounts(r.phiCounts);
  }
  return [...byKey.values()];
}

async function writeBatch(batch: UsageRecord[]): Promise<void> {
  const keyIds = [...new Set(batch.map((r) => r.keyId).filter((k): k is string => !!k))];
  const col = <T>(f: (r: UsageRecord) => T) => batch.map(f);
  const client = await pgPool().connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query<{ request_id: string }>(
      `INSERT INTO usage_events (request_id, created_at, app_id, key_id, model, operation, route, status, streamed,
         prompt_tokens, completion_tokens, cost_usd, latency_ms, upstream_latency_ms, error_code, phi_entities, phi_counts, units, unit, upstream)
       SELECT t.request_id, t.created_at::timestamptz AT TIME ZONE 'UTC', t.app_id, t.key_id, t.model, t.operation, t.route, t.status, t.streamed,
         t.prompt_tokens, t.completion_tokens, t.cost_usd, t.latency_ms, t.upstream_latency_ms, t.error_code, t.phi_entities, t.phi_counts, t.units, t.unit, t.upstream
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::bool[],
         $10::int[], $11::int[], $12::float8[], $13::int[], $14::int[], $15::text[], $16::int[], $17::jsonb[], $18::float8[], $19::text[], $20::text[])
         AS t(request_id, created_at, app_id, key_id, model, operation, route, status, streamed,
         prompt_tokens, completion_tokens, cost_usd, latency_ms, upstream_latency_ms, error_code, phi_entities, phi_counts, units, unit, upstream)
       ON CONFLICT (request_id) DO NOTHING
       RETURNING request_id`,
      [
        col((r) => r.requestId),
        col((r) => r.createdAt.toISOString()),
        col((r) => r.appId),
        col((r) => r.keyId),
        col((r) => r.model),
        col((r) => r.operation),
        col((r) => r.route),
        col((r) => r.status),
        col((r) => r.streamed),
        col((r) => r.promptTokens),
        col((r) => r.completionTokens),
        col((r) => r.costUsd),
        col((r) => r.latencyMs),
        col((r) => r.upstreamLatencyMs),
        col((r) => r.errorCode),
        col((r) => sumCounts(r.phiCounts)),
        col((r) => (r.phiCounts ? JSON.stringify(r.phiCounts) : null)),
        col((r) => r.units ?? null),
        col((r) => r.unit ?? null),
        col((r) => r.upstream ?? null),
      ],
    );
    // Roll up only what this batch inserted: a retry of a batch that did commit adds nothing twice.
    const fresh = new Set(inserted.rows.map((r) => r.request_id));
    const deltas = dailyDeltas(
      fresh.size === batch.length ? batch : batch.filter((r) => fresh.has(r.requestId)),
    );
    const d = <T>(f: (x: DailyDelta) => T) => deltas.map(f);
    if (deltas.length > 0)
      await client.query(
        `INSERT INTO usage_daily (day, app_id, model, key_id, requests, errors, prompt_tokens, completion_tokens, cost_usd, latency_ms_sum, latency_buckets, phi_entities)
       SELECT t.day, t.app_id, t.model, t.key_id, t.requests, t.errors, t.prompt_tokens, t.completion_tokens, t.cost_usd, t.latency_ms_sum, t.buckets::int[], t.phi_entities
       FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::bigint[], $9::float8[], $10::bigint[], $11::text[], $12::int[])
         AS t(day, app_id, model, key_id, requests, errors, prompt_tokens, completion_tokens, cost_usd, latency_ms_sum, buckets, phi_entities)
       ON CONFLICT (day, app_id, model, key_id) DO UPDATE SET
         requests = usage_daily.requests + EXCLUDED.requests,
         errors = usage_daily.errors + EXCLUDED.errors,
         prompt_tokens = usage_daily.prompt_tokens + EXCLUDED.prompt_tokens,
         completion_tokens = usage_daily.completion_tokens + EXCLUDED.completion_tokens,
         cost_usd = usage_daily.cost_usd + EXCLUDED.cost_usd,
         latency_ms_sum = usage_daily.latency_ms_sum + EXCLUDED.latency_ms_sum,
         latency_buckets = ARRAY(
           SELECT COALESCE(a, 0) + COALESCE(b, 0)
           FROM unnest(usage_daily.latency_buckets, EXCLUDED.latency_buckets) WITH ORDINALITY AS u(a, b, i)
           ORDER BY i),
         phi_entities = usage_daily.phi_entities + EXCLUDED.phi_entities`,
        [
          d((x) => x.day),
          d((x) => x.appId),
          d((x) => x.model),
          d((x) => x.keyId),
          d((x) => x.requests),
          d((x) => x.errors),
          d((x) => x.promptTokens),
          d((x) => x.completionTokens),
          d((x) => x.costUsd),
          d((x) => x.latencyMsSum),
          d((x) => `{${x.buckets.join(',')}}`),
          d((x) => x.phiEntities),
        ],
      );
    if (keyIds.length > 0)
      await client.query('UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1::text[])', [keyIds]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
