import { MAX_REPORT_DAYS } from './queries';

/** The ranges offered as one click: the last N days, today (UTC) included. */
export const PRESETS = [7, 30, 90] as const;
export type Preset = (typeof PRESETS)[number];
const DEFAULT: Preset = 30;

export interface Range {
  from: string;
  to: string;
  days: number;
  /** Set when the range is one of the presets (the URL says `range=N`). */
  preset: Preset | null;
  /** Why the requested range was not used (the default is used instead). */
  error?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

function validDay(s: unknown): s is string {
  return typeof s === 'string' && DAY.test(s) && iso(Date.parse(`${s}T00:00:00Z`) || 0) === s;
}

function lastDays(n: Preset, today: Date): Range {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return { from: iso(end - (n - 1) * DAY_MS), to: iso(end), days: n, preset: n };
}

/**
 * The range a page or an export shows, from its query: `range=7|30|90`, or `from` and `to` (YYYY-MM-DD, UTC,
 * both included, at most a year). Anything else falls back to the last 30 days, with a message.
 */
export function parseRange(q: { range?: unknown; from?: unknown; to?: unknown }, today = new Date()): Range {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const [range, from, to] = [one(q.range), one(q.from), one(q.to)];
  if (from !== undefined || to !== undefined) {
    if (!validDay(from) || !validDay(to))
      return { ...lastDays(DEFAULT, today), error: 'Give both dates of a custom range.' };
    const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
    if (days < 1) return { ...lastDays(DEFAULT, today), error: 'The start of the range is after its end.' };
    if (days > MAX_REPORT_DAYS)
      return { ...lastDays(DEFAULT, today), error: `A range can be at most ${MAX_REPORT_DAYS} days.` };
    return { from, to, days, preset: null };
  }
  const n = Number(range);
  return lastDays((PRESETS as readonly number[]).includes(n) ? (n as Preset) : DEFAULT, today);
}

/** The query string that reproduces a range exactly (explicit days: an export matches the page it came from). */
export function exactRangeQuery(r: Range): string {
  return `from=${r.from}&to=${r.to}`;
}

/** The query string to share: presets stay relative ("the last 7 days"), custom ranges keep their days. */
export function rangeQuery(r: Range): string {
  return r.preset ? `range=${r.preset}` : exactRangeQuery(r);
}
