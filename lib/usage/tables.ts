import type { AppUsageReport, BudgetUse, OrgUsageReport, UsageRow } from './queries';

/**
 * What each chart shows, as a table: the page draws the chart from it, renders it as the chart's table
 * alternative, and the CSV export writes it. One definition, so the three cannot disagree.
 */
export type Kind = 'day' | 'text' | 'int' | 'usd' | 'ms' | 'pct' | 'amount';
export type Cell = string | number | null;

export interface Column {
  key: string;
  label: string;
  kind: Kind;
}

export interface DataTable {
  id: string;
  title: string;
  columns: Column[];
  rows: Record<string, Cell>[];
  /** For stacked charts: the columns that are series (the rest are the axis and totals). */
  series?: Column[];
  /** Links for the HTML table's first column (not exported). */
  hrefs?: (string | null)[];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const usd = (n: number) => round(n, 6);
const ms = (n: number | null) => (n === null ? null : round(n, 1));
/** A share in percent, rounded once to what is shown (one decimal): the totals card, the tables and the CSVs agree. */
export const pct = (part: number, whole: number) => (whole > 0 ? round((part / whole) * 100, 1) : null);

/** Shown for rollup rows without a model (refused before one was chosen, or utility endpoints). */
export const NO_MODEL = 'No model';

export function modelLabel(model: string): string {
  return model === '-' || model === '' ? NO_MODEL : model;
}

export function keyLabel(k: { keyId: string; name: string | null; display: string | null }): string {
  if (!k.keyId) return 'No key';
  return k.name && k.display ? `${k.name} (${k.display})` : 'Deleted key';
}

const DAY: Column = { key: 'day', label: 'Day (UTC)', kind: 'day' };
const totalTokens = (r: { promptTokens: number; completionTokens: number }) =>
  r.promptTokens + r.completionTokens;

/** Tokens in and out per day: the same chart on the app page and the org-wide page. */
function tokensPerDay(byDay: (UsageRow & { day: string })[]): DataTable {
  const series: Column[] = [
    { key: 'promptTokens', label: 'Tokens in (prompt)', kind: 'int' },
    { key: 'completionTokens', label: 'Tokens out (completion)', kind: 'int' },
  ];
  return {
    id: 'tokens',
    title: 'Tokens per day',
    columns: [DAY, ...series, { key: 'total', label: 'Total', kind: 'int' }],
    series,
    rows: byDay.map((d) => ({
      day: d.day,
      promptTokens: d.promptTokens,
      completionTokens: d.completionTokens,
      total: totalTokens(d),
    })),
  };
}

const MAX_SERIES = 6;

/** The biggest series get their own colour; the rest are summed as "Other". */
function pickSeries(all: string[]): { columns: Column[]; slot: (label: string) => string } {
  const labels = [...new Set(all)];
  const shown = labels.slice(0, labels.length > MAX_SERIES + 1 ? MAX_SERIES : labels.length);
  const columns: Column[] = shown.map((label, i) => ({ key: `s${i}`, label, kind: 'int' }));
  const index = new Map(shown.map((l, i) => [l, `s${i}`]));
  if (shown.length < labels.length) columns.push({ key: 'other', label: 'Other', kind: 'int' });
  return { columns, slot: (label) => index.get(label) ?? 'other' };
}

export type Split = 'model' | 'key';
export const APP_CHARTS = [
  'requests',
  'tokens',
  'cost',
  'latency',
  'errors',
  'models',
  'keys',
  'units',
] as const;
export type AppChart = (typeof APP_CHARTS)[number];

function usageColumns(latency = true): Column[] {
  const columns: Column[] = [
    { key: 'requests', label: 'Requests', kind: 'int' },
    { key: 'errors', label: 'Errors', kind: 'int' },
    { key: 'errorRate', label: 'Error rate (%)', kind: 'pct' },
    { key: 'promptTokens', label: 'Tokens in', kind: 'int' },
    { key: 'completionTokens', label: 'Tokens out', kind: 'int' },
    { key: 'costUsd', label: 'Cost (USD)', kind: 'usd' },
    { key: 'p50', label: 'Latency p50 (ms)', kind: 'ms' },
    { key: 'p95', label: 'Latency p95 (ms)', kind: 'ms' },
  ];
  return latency ? columns : columns.filter((c) => c.kind !== 'ms');
}

function usageCells(r: UsageRow): Record<string, Cell> {
  return {
    requests: r.requests,
    errors: r.errors,
    errorRate: pct(r.errors, r.requests),
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    costUsd: usd(r.costUsd),
    p50: ms(r.latencyP50Ms),
    p95: ms(r.latencyP95Ms),
  };
}

/** Every table of an app's usage page, split by model or by key where a chart stacks. */
export function appTables(r: AppUsageReport, split: Split): Record<AppChart, DataTable> {
  const labelOf = new Map<string, string>(
    split === 'model'
      ? r.byModel.map((m) => [m.model, modelLabel(m.model)])
      : r.byKey.map((k) => [k.keyId, keyLabel(k)]),
  );
  const order = split === 'model' ? r.byModel.map((m) => m.model) : r.byKey.map((k) => k.keyId);
  const { columns: series, slot } = pickSeries(order.map((id) => labelOf.get(id)!));
  const cells =
    split === 'model'
      ? r.byDayModel.map((d) => ({ ...d, id: d.model }))
      : r.byDayKey.map((d) => ({ ...d, id: d.keyId }));
  const stacked = (metric: 'requests' | 'costUsd', kind: Kind): Record<string, Cell>[] => {
    const byDay = new Map(
      r.byDay.map((d) => [
        d.day,
        { day: d.day, ...Object.fromEntries(series.map((s) => [s.key, 0])), total: 0 } as Record<
          string,
          Cell
        >,
      ]),
    );
    for (const c of cells) {
      const row = byDay.get(c.day);
      if (!row) continue;
      const k = slot(labelOf.get(c.id) ?? c.id);
      row[k] = (row[k] as number) + c[metric];
      row.total = (row.total as number) + c[metric];
    }
    const rows = [...byDay.values()];
    if (kind === 'usd')
      for (const row of rows)
        for (const k of [...series.map((s) => s.key), 'total']) row[k] = usd(row[k] as number);
    return rows;
  };
  const seriesOf = (kind: Kind) => series.map((s) => ({ ...s, kind }));
  const by = split === 'model' ? 'by model' : 'by key';
  return {
    requests: {
      id: 'requests',
      title: `Requests per day ${by}`,
      columns: [DAY, ...seriesOf('int'), { key: 'total', label: 'Total', kind: 'int' }],
      series: seriesOf('int'),
      rows: stacked('requests', 'int'),
    },
    cost: {
      id: 'cost',
      title: `Cost per day ${by}`,
      columns: [DAY, ...seriesOf('usd'), { key: 'total', label: 'Total (USD)', kind: 'usd' }],
      series: seriesOf('usd'),
      rows: stacked('costUsd', 'usd'),
    },
    tokens: tokensPerDay(r.byDay),
    latency: {
      id: 'latency',
      title: 'Latency per day',
      columns: [
        DAY,
        { key: 'p50', label: 'p50 (ms)', kind: 'ms' },
        { key: 'p95', label: 'p95 (ms)', kind: 'ms' },
        { key: 'requests', label: 'Requests', kind: 'int' },
      ],
      rows: r.byDay.map((d) => ({
        day: d.day,
        p50: ms(d.latencyP50Ms),
        p95: ms(d.latencyP95Ms),
        requests: d.requests,
      })),
    },
    errors: {
      id: 'errors',
      title: 'Error rate per day',
      columns: [
        DAY,
        { key: 'errorRate', label: 'Error rate (%)', kind: 'pct' },
        { key: 'errors', label: 'Errors', kind: 'int' },
        { key: 'requests', label: 'Requests', kind: 'int' },
      ],
      rows: r.byDay.map((d) => ({
        day: d.day,
        errorRate: pct(d.errors, d.requests),
        errors: d.errors,
        requests: d.requests,
      })),
    },
    models: {
      id: 'models',
      title: 'By model',
      columns: [{ key: 'model', label: 'Model', kind: 'text' }, ...usageColumns()],
      rows: r.byModel.map((m) => ({ model: modelLabel(m.model), ...usageCells(m) })),
    },
    keys: {
      id: 'keys',
      title: 'By key',
      columns: [
        { key: 'name', label: 'Key', kind: 'text' },
        { key: 'display', label: 'Key id', kind: 'text' },
        ...usageColumns(),
      ],
      rows: r.byKey.map((k) => ({
        name: k.keyId ? (k.name ?? 'Deleted key') + (k.revoked ? ' (revoked)' : '') : 'No key',
        display: k.display,
        ...usageCells(k),
      })),
    },
    units: {
      id: 'units',
      title: 'Images and audio',
      columns: [
        { key: 'model', label: 'Model', kind: 'text' },
        { key: 'unit', label: 'Unit', kind: 'text' },
        { key: 'units', label: 'Amount', kind: 'amount' },
        { key: 'requests', label: 'Requests', kind: 'int' },
      ],
      rows: r.units.map((u) => ({
        model: modelLabel(u.model),
        unit: u.unit,
        units: round(u.units, 3),
        requests: u.requests,
      })),
    },
  };
}

export const ORG_CHARTS = [
  'requests',
  'tokens',
  'cost',
  'top-cost',
  'top-tokens',
  'apps',
  'budgets',
] as const;
export type OrgChart = (typeof ORG_CHARTS)[number];
export const TOP_APPS = 10;
export const NEAR_BUDGET = 0.8;

/** Every table of the org-wide usage page. */
export function orgTables(r: OrgUsageReport, budgets: BudgetUse[]): Record<OrgChart, DataTable> {
  const app: Column = { key: 'app', label: 'App', kind: 'text' };
  const topCost = [...r.byApp].filter((a) => a.costUsd > 0).slice(0, TOP_APPS);
  const topTokens = [...r.byApp]
    .filter((a) => totalTokens(a) > 0)
    .sort((a, b) => totalTokens(b) - totalTokens(a) || a.name.localeCompare(b.name))
    .slice(0, TOP_APPS);
  const href = (id: string) => `/apps/${id}`;
  return {
    requests: {
      id: 'requests',
      title: 'Requests per day',
      columns: [
        DAY,
        { key: 'requests', label: 'Requests', kind: 'int' },
        { key: 'errors', label: 'Errors', kind: 'int' },
        { key: 'errorRate', label: 'Error rate (%)', kind: 'pct' },
      ],
      rows: r.byDay.map((d) => ({
        day: d.day,
        requests: d.requests,
        errors: d.errors,
        errorRate: pct(d.errors, d.requests),
      })),
    },
    tokens: tokensPerDay(r.byDay),
    cost: {
      id: 'cost',
      title: 'Cost per day',
      columns: [DAY, { key: 'costUsd', label: 'Cost (USD)', kind: 'usd' }],
      rows: r.byDay.map((d) => ({ day: d.day, costUsd: usd(d.costUsd) })),
    },
    'top-cost': {
      id: 'top-cost',
      title: `Top ${TOP_APPS} apps by cost`,
      columns: [
        app,
        { key: 'costUsd', label: 'Cost (USD)', kind: 'usd' },
        { key: 'requests', label: 'Requests', kind: 'int' },
        { key: 'tokens', label: 'Tokens', kind: 'int' },
      ],
      rows: topCost.map((a) => ({
        app: a.name,
        costUsd: usd(a.costUsd),
        requests: a.requests,
        tokens: totalTokens(a),
      })),
      hrefs: topCost.map((a) => href(a.appId)),
    },
    'top-tokens': {
      id: 'top-tokens',
      title: `Top ${TOP_APPS} apps by tokens`,
      columns: [
        app,
        { key: 'promptTokens', label: 'Tokens in', kind: 'int' },
        { key: 'completionTokens', label: 'Tokens out', kind: 'int' },
        { key: 'tokens', label: 'Total tokens', kind: 'int' },
        { key: 'costUsd', label: 'Cost (USD)', kind: 'usd' },
      ],
      rows: topTokens.map((a) => ({
        app: a.name,
        promptTokens: a.promptTokens,
        completionTokens: a.completionTokens,
        tokens: totalTokens(a),
        costUsd: usd(a.costUsd),
      })),
      hrefs: topTokens.map((a) => href(a.appId)),
    },
    apps: {
      id: 'apps',
      title: 'Usage by app',
      // Latency is not kept per app org-wide (see orgUsageReport).
      columns: [app, ...usageColumns(false)],
      rows: r.byApp.map((a) => ({ app: a.name, ...usageCells(a) })),
      hrefs: r.byApp.map((a) => href(a.appId)),
    },
    budgets: {
      id: 'budgets',
      title: `Apps near their monthly budget (${Math.round(NEAR_BUDGET * 100)}% or more used)`,
      columns: [
        app,
        { key: 'month', label: 'Month', kind: 'text' },
        { key: 'tokensUsed', label: 'Tokens used', kind: 'int' },
        { key: 'tokenBudget', label: 'Token budget', kind: 'int' },
        { key: 'tokenShare', label: 'Token budget used (%)', kind: 'pct' },
        { key: 'costUsd', label: 'Cost (USD)', kind: 'usd' },
        { key: 'costBudgetUsd', label: 'Cost budget (USD)', kind: 'usd' },
        { key: 'costShare', label: 'Cost budget used (%)', kind: 'pct' },
      ],
      rows: budgets.map((b) => ({
        app: b.name,
        month: b.month,
        tokensUsed: b.tokensUsed,
        tokenBudget: b.tokenBudget,
        tokenShare: b.tokenBudget ? pct(b.tokensUsed, b.tokenBudget) : null,
        costUsd: usd(b.costUsd),
        costBudgetUsd: b.costBudgetUsd,
        costShare: b.costBudgetUsd ? pct(b.costUsd, b.costBudgetUsd) : null,
      })),
      hrefs: budgets.map((b) => href(b.appId)),
    },
  };
}

/** A cell as CSV: quoted when needed, and text that a spreadsheet would run as a formula made inert. */
export function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(t: DataTable): string {
  const lines = [
    t.columns.map((c) => csvCell(c.label)),
    ...t.rows.map((r) => t.columns.map((c) => csvCell(r[c.key] ?? null))),
  ];
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}
