import { pgPool } from '../db/pool';
import { addBuckets, quantile } from './histogram';

export interface UsageRow {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface AppUsage {
  from: string;
  to: string;
  totals: UsageRow;
  byDay: (UsageRow & { day: string })[];
  byModel: (UsageRow & { model: string })[];
  byKey: (UsageRow & { keyId: string })[];
}

interface Raw {
  k: string;
  requests: string;
  errors: string;
  prompt: string;
  completion: string;
  cost: number;
  buckets: number[][] | null;
}

function row(r: Raw | undefined): UsageRow {
  const buckets = (r?.buckets ?? []).reduce<number[]>((acc, b) => addBuckets(acc, b ?? []), []);
  return {
    requests: Number(r?.requests ?? 0),
    errors: Number(r?.errors ?? 0),
    promptTokens: Number(r?.prompt ?? 0),
    completionTokens: Number(r?.completion ?? 0),
    costUsd: Number(r?.cost ?? 0),
    latencyP50Ms: quantile(buckets, 0.5),
    latencyP95Ms: quantile(buckets, 0.95),
  };
}

const GROUPS = { day: `to_char(day, 'YYYY-MM-DD')`, model: 'model', key: 'key_id', all: `''` } as const;

/** Usage of one app between two days (inclusive), from the daily rollups. */
export async function appUsage(appId: string, from: string, to: string): Promise<AppUsage> {
  const q = (group: keyof typeof GROUPS) =>
    pgPool().query<Raw>(
      `SELECT ${GROUPS[group]} AS k, SUM(requests)::text AS requests, SUM(errors)::text AS errors,
              SUM(prompt_tokens)::text AS prompt, SUM(completion_tokens)::text AS completion, SUM(cost_usd) AS cost,
              array_agg(latency_buckets) AS buckets
       FROM usage_daily WHERE app_id = $1 AND day BETWEEN $2::date AND $3::date
       GROUP BY 1 ORDER BY 1`,
      [appId, from, to],
    );
  const [all, day, model, key] = await Promise.all([q('all'), q('day'), q('model'), q('key')]);
  return {
    from,
    to,
    totals: row(all.rows[0]),
    byDay: day.rows.map((r) => ({ day: r.k, ...row(r) })),
    byModel: model.rows.map((r) => ({ model: r.k, ...row(r) })),
    byKey: key.rows.map((r) => ({ keyId: r.k, ...row(r) })),
  };
}

export function monthBounds(now = new Date()): { from: string; to: string; month: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return { from: iso(new Date(Date.UTC(y, m, 1))), to: iso(new Date(Date.UTC(y, m + 1, 0))), month: iso(now).slice(0, 7) };
}
