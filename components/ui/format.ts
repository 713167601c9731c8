// Dates are rendered on the server in UTC (labelled), so pages read the same to everyone.
const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const integer = new Intl.NumberFormat('en-US');
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

export function formatDateTime(d: Date | null | undefined): string {
  return d ? `${dateTime.format(d)} UTC` : '—';
}

export function formatDate(d: Date | null | undefined): string {
  return d ? dateOnly.format(d) : '—';
}

export function formatNumber(n: number | bigint | null | undefined): string {
  return n === null || n === undefined ? '—' : integer.format(n);
}

export function formatUsd(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : usd.format(n);
}

/** "in 3 days", "5 minutes ago": for expiries and last use. */
export function relative(d: Date, now = Date.now()): string {
  const diff = d.getTime() - now;
  const abs = Math.abs(diff);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [ms, unit] of units) {
    if (abs >= ms) {
      const n = Math.round(abs / ms);
      const s = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return diff > 0 ? `in ${s}` : `${s} ago`;
    }
  }
  return diff > 0 ? 'in less than a minute' : 'just now';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}
