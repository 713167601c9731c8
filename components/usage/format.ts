import { formatNumber, formatUsd } from '@/components/ui/format';
import type { Cell, Kind } from '@/lib/usage/tables';

const dayLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLong = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const compactUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumSignificantDigits: 3,
});
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const amount = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** "12 Nov" from "2026-11-12" (a UTC day). */
export function shortDay(day: string): string {
  return dayLabel.format(new Date(`${day}T00:00:00Z`));
}

export function longDay(day: string): string {
  return dayLong.format(new Date(`${day}T00:00:00Z`));
}

/** A cell as the tables and tooltips show it. */
export function formatCell(v: Cell, kind: Kind): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return kind === 'day' ? longDay(v) : v;
  switch (kind) {
    case 'usd':
      return formatUsd(v);
    case 'ms':
      return `${formatNumber(Math.round(v))} ms`;
    case 'pct':
      return `${oneDecimal.format(v)}%`;
    case 'amount':
      return amount.format(v);
    default:
      return formatNumber(v);
  }
}

/** Axis ticks: short. */
export function formatTick(v: number, kind: Kind): string {
  switch (kind) {
    case 'usd':
      return v === 0 ? '$0' : compactUsd.format(v);
    case 'ms':
      return v >= 1000 ? `${oneDecimal.format(v / 1000)} s` : `${compact.format(v)} ms`;
    case 'pct':
      return `${oneDecimal.format(v)}%`;
    default:
      return compact.format(v);
  }
}

/** "86 / 1,750 ms": a p50 and a p95 under one unit. */
export function latencyPair(p50: number | null, p95: number | null): string {
  if (p50 === null || p95 === null) return '—';
  return `${formatNumber(Math.round(p50))} / ${formatNumber(Math.round(p95))} ms`;
}
