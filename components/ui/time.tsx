import { formatDateTime, relative } from './format';

/** A timestamp: absolute (UTC) text with a machine-readable value; `rel` adds "3 days ago" style text. */
export function Time({ date, rel = false }: { date: Date | null | undefined; rel?: boolean }) {
  if (!date) return <span className="text-slate-400">—</span>;
  const abs = formatDateTime(date);
  return (
    <time dateTime={date.toISOString()} title={abs}>
      {rel ? relative(date) : abs}
    </time>
  );
}
