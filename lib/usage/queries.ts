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

/**
 * Calls that reached no model (whoami, usage, a model that does not exist for the app) are recorded without
 * one. They are counted apart, so that they neither inflate an app's requests nor its error rate.
 */
export interface OtherCalls {
  requests: number;
  errors: number;
}

// Rows without a model hold '' or '-' (the SQL below says the same).
const isModelCall = (r: { model: string }) => r.model !== '' && r.model !== '-';

function splitCalls<T extends { model: string; requests: number | string; errors: number | string }>(
  rows: T[],
): [T[], OtherCalls] {
  const calls: T[] = [];
  const other = { requests: 0, errors: 0 };
  for (const r of rows) {
    if (isModelCall(r)) calls.push(r);
    else {
      other.requests += Number(r.requests);
      other.errors += Number(r.errors);
    }
  }
  return [calls, other];
}

export interface AppUsage {
  from: string;
  to: string;
  totals: UsageRow;
  /** Calls that reached no model, apart from the totals. */
  otherCalls: OtherCalls;
  byDay: (UsageRow & { day: string })[];
  byModel: (UsageRow & { model: string })[];
  byKey: (UsageRow & { keyId: string })[];
}

/** Usage of one app between two days (inclusive), from the daily rollups (one read, grouped in code). */
export async function appUsage(appId: string, from: string, to: string): Promise<AppUsage> {
  const [rows, otherCalls] = splitCalls(await dailyRows(appId, from, to));
  const total = new Sum();
  for (const r of rows) total.add(dailyValue(r));
  const grouped = <K extends string>(field: K, key: (r: DailyRaw) => string) =>
    [...sumBy(rows, key, dailyValue)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, sum]) => ({ [field]: k, ...sum.row() }) as UsageRow & Record<K, string>);
  return {
    from,
    to,
    totals: total.row(),
    otherCalls,
    byDay: grouped('day', (r) => r.day),
    byModel: grouped('model', (r) => r.model),
    byKey: grouped('keyId', (r) => r.key_id),
  };
}

export function monthBounds(now = new Date()): { from: string; to: string; month: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  return {
    from: iso(new Date(Date.UTC(y, m, 1))),
    to: iso(new Date(Date.UTC(y, m + 1, 0))),
    month: iso(now).slice(0, 7),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reports for the portal's charts, tables and CSV exports: one function per page, so that a chart, its table
// and its CSV are always computed from the same numbers.

/** Days in a report are UTC calendar days, both ends included. */
export const MAX_REPORT_DAYS = 366;
const DAY_MS = 86_400_000;

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length <= MAX_REPORT_DAYS; t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** A latency interpolated in its bucket, to a tenth of a millisecond (4.3, not 4.285714285714286). */
const tenths = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);

/** Sums of rollup rows, with their latency histograms merged so that p50 / p95 stay exact to the bucket. */
class Sum {
  requests = 0;
  errors = 0;
  promptTokens = 0;
  completionTokens = 0;
  costUsd = 0;
  buckets: number[] = [];

  add(r: {
    requests: number;
    errors: number;
    promptTokens: number;
    completionTokens: number;
    costUsd: number;
    buckets?: number[] | null;
  }) {
    this.requests += r.requests;
    this.errors += r.errors;
    this.promptTokens += r.promptTokens;
    this.completionTokens += r.completionTokens;
    this.costUsd += r.costUsd;
    if (r.buckets?.length) this.buckets = addBuckets(this.buckets, r.buckets);
    return this;
  }

  row(): UsageRow {
    return {
      requests: this.requests,
      errors: this.errors,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      costUsd: this.costUsd,
      latencyP50Ms: tenths(quantile(this.buckets, 0.5)),
      latencyP95Ms: tenths(quantile(this.buckets, 0.95)),
    };
  }
}

function sumBy<T>(
  rows: T[],
  key: (r: T) => string,
  value: (r: T) => Parameters<Sum['add']>[0],
): Map<string, Sum> {
  const out = new Map<string, Sum>();
  for (const r of rows) {
    const k = key(r);
    let s = out.get(k);
    if (!s) out.set(k, (s = new Sum()));
    s.add(value(r));
  }
  return out;
}

/** Biggest first: by cost, then requests, then name, so that the order is stable. */
function byWeight<T extends UsageRow>(label: (r: T) => string) {
  return (a: T, b: T) => b.costUsd - a.costUsd || b.requests - a.requests || label(a).localeCompare(label(b));
}

export interface KeyLabel {
  keyId: string;
  /** null for usage without a key, or of a key that no longer exists. */
  name: string | null;
  /** `prefix…last4` */
  display: string | null;
  revoked: boolean;
}

export interface UnitUsage {
  model: string;
  /** images, seconds or characters */
  unit: string;
  units: number;
  requests: number;
}

export interface AppUsageReport {
  from: string;
  to: string;
  totals: UsageRow;
  otherCalls: OtherCalls;
  /** Every day of the range, days without usage included (zeros, no latency). */
  byDay: (UsageRow & { day: string })[];
  byModel: (UsageRow & { model: string })[];
  byKey: (UsageRow & KeyLabel)[];
  /** Days × models and days × keys that had usage. */
  byDayModel: (UsageRow & { day: string; model: string })[];
  byDayKey: (UsageRow & { day: string; keyId: string })[];
  /** What images and audio bill by, from the raw request records (kept for the retention period only). */
  units: UnitUsage[];
}

interface DailyRaw {
  day: string;
  model: string;
  key_id: string;
  requests: number;
  errors: number;
  prompt: string;
  completion: string;
  cost: number;
  buckets: number[] | null;
}

/** An app's rollup rows between two days (inclusive): at most days × models × keys of them. */
async function dailyRows(appId: string, from: string, to: string): Promise<DailyRaw[]> {
  const { rows } = await pgPool().query<DailyRaw>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, model, key_id, requests, errors, prompt_tokens::text AS prompt,
            completion_tokens::text AS completion, cost_usd AS cost, latency_buckets AS buckets
     FROM usage_daily WHERE app_id = $1 AND day BETWEEN $2::date AND $3::date`,
    [appId, from, to],
  );
  return rows;
}

const dailyValue = (r: DailyRaw) => ({
  requests: r.requests,
  errors: r.errors,
  promptTokens: Number(r.prompt),
  completionTokens: Number(r.completion),
  costUsd: r.cost,
  buckets: r.buckets,
});

/**
 * One app's usage between two days (inclusive), every breakdown the app page shows, from one read of its
 * rollup rows (at most days × models × keys of them). Callers check that the viewer may see the app.
 */
export async function appUsageReport(appId: string, from: string, to: string): Promise<AppUsageReport> {
  const pool = pgPool();
  const [all, units, keys] = await Promise.all([
    dailyRows(appId, from, to),
    pool.query<{ model: string; unit: string; units: number; requests: string }>(
      `SELECT model, unit, SUM(units)::float8 AS units, COUNT(*)::text AS requests
       FROM usage_events
       WHERE app_id = $1 AND unit IS NOT NULL AND created_at >= $2::date AND created_at < $3::date + 1
       GROUP BY model, unit ORDER BY unit, model`,
      [appId, from, to],
    ),
    pool.query<{ id: string; name: string; prefix: string; last4: string; revoked: boolean }>(
      `SELECT id, name, prefix, last4, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE app_id = $1`,
      [appId],
    ),
  ]);
  const [rows, otherCalls] = splitCalls(all);
  const total = new Sum();
  for (const r of rows) total.add(dailyValue(r));
  const perDay = sumBy(rows, (r) => r.day, dailyValue);
  const keyInfo = new Map(keys.rows.map((k) => [k.id, k]));
  const split = <K extends 'model' | 'keyId'>(field: K, pick: (r: DailyRaw) => string) =>
    [...sumBy(rows, (r) => `${r.day}\u0000${pick(r)}`, dailyValue)].map(([k, s]) => {
      const [day, label] = k.split('\u0000') as [string, string];
      return { day, [field]: label, ...s.row() } as UsageRow & { day: string } & Record<K, string>;
    });
  return {
    from,
    to,
    totals: total.row(),
    otherCalls,
    byDay: daysBetween(from, to).map((day) => ({ day, ...(perDay.get(day) ?? new Sum()).row() })),
    byModel: [...sumBy(rows, (r) => r.model, dailyValue)]
      .map(([model, s]) => ({ model, ...s.row() }))
      .sort(byWeight((r) => r.model)),
    byKey: [...sumBy(rows, (r) => r.key_id, dailyValue)]
      .map(([keyId, s]) => {
        const k = keyInfo.get(keyId);
        return {
          keyId,
          name: k?.name ?? null,
          display: k ? `${k.prefix}…${k.last4}` : null,
          revoked: k?.revoked ?? false,
          ...s.row(),
        };
      })
      .sort(byWeight((r) => r.keyId)),
    byDayModel: split('model', (r) => r.model).sort((a, b) => a.day.localeCompare(b.day)),
    byDayKey: split('keyId', (r) => r.key_id).sort((a, b) => a.day.localeCompare(b.day)),
    units: units.rows.map((u) => ({
      model: u.model,
      unit: u.unit,
      units: u.units,
      requests: Number(u.requests),
    })),
  };
}

export interface OrgAppUsage extends UsageRow {
  appId: string;
  name: string;
  status: string;
}

export interface OrgUsageReport {
  from: string;
  to: string;
  /** Latency over every app's requests. */
  totals: UsageRow;
  otherCalls: OtherCalls;
  /** Every day of the range (latency is not split by day org-wide). */
  byDay: (UsageRow & { day: string })[];
  /** Every app with usage in the range. */
  byApp: OrgAppUsage[];
}

/** Usage of every app between two days (inclusive): for admins and reviewers. */
export async function orgUsageReport(from: string, to: string): Promise<OrgUsageReport> {
  const pool = pgPool();
  const [sums, buckets, other] = await Promise.all([
    pool.query<{
      day: string;
      app_id: string;
      name: string;
      status: string;
      requests: string;
      errors: string;
      prompt: string;
      completion: string;
      cost: number;
    }>(
      `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, d.app_id, a.name, a.status::text AS status,
              SUM(d.requests)::text AS requests, SUM(d.errors)::text AS errors, SUM(d.prompt_tokens)::text AS prompt,
              SUM(d.completion_tokens)::text AS completion, SUM(d.cost_usd) AS cost
       FROM usage_daily d JOIN apps a ON a.id = d.app_id
       WHERE d.day BETWEEN $1::date AND $2::date AND d.model NOT IN ('', '-')
       GROUP BY d.day, d.app_id, a.name, a.status`,
      [from, to],
    ),
    // The histogram summed element by element: one row per bucket.
    pool.query<{ i: string; n: string }>(
      `SELECT u.i::text AS i, SUM(u.n)::text AS n
       FROM usage_daily d CROSS JOIN LATERAL unnest(d.latency_buckets) WITH ORDINALITY AS u(n, i)
       WHERE d.day BETWEEN $1::date AND $2::date AND d.model NOT IN ('', '-')
       GROUP BY u.i`,
      [from, to],
    ),
    pool.query<{ requests: string | null; errors: string | null }>(
      `SELECT SUM(requests)::text AS requests, SUM(errors)::text AS errors
       FROM usage_daily WHERE day BETWEEN $1::date AND $2::date AND model IN ('', '-')`,
      [from, to],
    ),
  ]);
  const value = (r: (typeof sums.rows)[number]) => ({
    requests: Number(r.requests),
    errors: Number(r.errors),
    promptTokens: Number(r.prompt),
    completionTokens: Number(r.completion),
    costUsd: r.cost,
  });
  const hist: number[] = [];
  for (const b of buckets.rows) hist[Number(b.i) - 1] = Number(b.n);
  const total = new Sum();
  for (const r of sums.rows) total.add(value(r));
  total.buckets = addBuckets([], hist);
  const perDay = sumBy(sums.rows, (r) => r.day, value);
  const names = new Map(sums.rows.map((r) => [r.app_id, { name: r.name, status: r.status }]));
  return {
    from,
    to,
    totals: total.row(),
    otherCalls: {
      requests: Number(other.rows[0]?.requests ?? 0),
      errors: Number(other.rows[0]?.errors ?? 0),
    },
    byDay: daysBetween(from, to).map((day) => ({ day, ...(perDay.get(day) ?? new Sum()).row() })),
    byApp: [...sumBy(sums.rows, (r) => r.app_id, value)]
      .map(([appId, s]) => ({ appId, ...names.get(appId)!, ...s.row() }))
      .sort(byWeight((r) => r.name)),
  };
}

export interface BudgetUse {
  appId: string;
  name: string;
  status: string;
  month: string;
  tokensUsed: number;
  tokenBudget: number | null;
  costUsd: number;
  costBudgetUsd: number | null;
  /** The larger of the two shares used (0..1+), whichever budgets the app has. */
  share: number;
}

/**
 * This calendar month's (UTC) use of the monthly budgets: of every app that has one and has used at least
 * `minShare` of it (biggest share first), or of one app (`appId`, whatever its share).
 */
export async function budgetUse(
  opts: { minShare?: number; appId?: string; now?: Date } = {},
): Promise<BudgetUse[]> {
  const month = monthBounds(opts.now);
  const [{ rows }, used] = await Promise.all([
    pgPool().query<{
      id: string;
      name: string;
      status: string;
      token_budget: string | null;
      cost_budget: number | null;
    }>(
      `SELECT id, name, status::text AS status, monthly_token_budget::text AS token_budget, monthly_cost_budget_usd AS cost_budget
       FROM apps WHERE (monthly_token_budget IS NOT NULL OR monthly_cost_budget_usd IS NOT NULL) AND ($1::text IS NULL OR id = $1)`,
      [opts.appId ?? null],
    ),
    monthToDate(month.month, opts.appId),
  ]);
  return rows
    .map((r) => {
      const { tokens: tokensUsed, costUsd } = used.get(r.id) ?? { tokens: 0, costUsd: 0 };
      const tokenBudget = r.token_budget === null ? null : Number(r.token_budget);
      const share = Math.max(
        tokenBudget ? tokensUsed / tokenBudget : 0,
        r.cost_budget ? costUsd / r.cost_budget : 0,
      );
      return {
        appId: r.id,
        name: r.name,
        status: r.status,
        month: month.month,
        tokensUsed,
        tokenBudget,
        costUsd,
        costBudgetUsd: r.cost_budget,
        share,
      };
    })
    .filter((b) => opts.appId !== undefined || b.share >= (opts.minShare ?? 0))
    .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name));
}

/**
 * Month-to-date tokens and cost per app (`month` as YYYY-MM, UTC), from the daily rollups: the one definition
 * behind the budgets the limiter enforces and the budgets the portal shows.
 */
export async function monthToDate(
  month: string,
  appId?: string,
): Promise<Map<string, { tokens: number; costUsd: number }>> {
  const { rows } = await pgPool().query<{ app_id: string; tokens: string; cost: number }>(
    `SELECT app_id, SUM(prompt_tokens + completion_tokens)::text AS tokens, SUM(cost_usd) AS cost
     FROM usage_daily WHERE day >= $1::date AND day < ($1::date + INTERVAL '1 month') AND ($2::text IS NULL OR app_id = $2)
     GROUP BY app_id`,
    [`${month}-01`, appId ?? null],
  );
  return new Map(rows.map((r) => [r.app_id, { tokens: Number(r.tokens), costUsd: Number(r.cost) }]));
}
