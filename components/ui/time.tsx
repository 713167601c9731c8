import { formatDate, formatDateTime, relative } from './format';

/**
 * A timestamp: absolute (UTC) text with a machine-readable value; `rel` shows "3 days ago" instead and
 * `dateOnly` the day, both with the full time on hover.
 */
export function Time({
  date,
  rel = false,
  dateOnly = false,
}: {
  date: Date | null | undefined;
  rel?: boolean;
  dateOnly?: boolean;
}) {
  if (!date) return <span className="text-slate-400">—</span>;
  const abs = formatDateTime(date);
  return (
    <time dateTime={date.toISOString()} title={abs}>
      {rel ? relative(date) : dateOnly ? formatDate(date) : abs}
    </time>
  );
}
