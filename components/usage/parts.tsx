import Link from 'next/link';
import type { ReactNode } from 'react';
import { formatNumber } from '@/components/ui/format';
import { UsageChart, type ChartSpec } from './chart';
import { formatCell } from './format';
import type { DataTable } from '@/lib/usage/tables';

/** A table as HTML: what the chart beside it draws, for screen readers, keyboards and exact numbers. */
export function DataTableView({ table, caption }: { table: DataTable; caption?: string }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="min-w-full text-sm" data-table={table.id}>
        <caption className="sr-only">{caption ?? table.title}</caption>
        <thead className="text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
          <tr>
            {table.columns.map((c, i) => (
              <th
                key={c.key}
                scope="col"
                className={`px-2.5 py-2 align-bottom first:pl-0 last:pr-0 ${i > 0 && c.kind !== 'text' ? 'text-right' : ''}`}
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 tabular-nums">
          {table.rows.map((r, ri) => (
            <tr key={ri}>
              {table.columns.map((c, i) => {
                const text = formatCell(r[c.key] ?? null, c.kind);
                if (i === 0) {
                  const href = table.hrefs?.[ri];
                  return (
                    <th
                      key={c.key}
                      scope="row"
                      className="py-1.5 pr-3 text-left font-medium whitespace-nowrap"
                    >
                      {href ? (
                        <Link href={href} className="text-brand-700 hover:underline">
                          {text}
                        </Link>
                      ) : (
                        text
                      )}
                    </th>
                  );
                }
                return (
                  <td
                    key={c.key}
                    className={`px-2.5 py-1.5 whitespace-nowrap last:pr-0 ${c.kind === 'text' ? 'font-mono text-xs' : 'text-right'}`}
                  >
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A chart with its title, units, CSV export and table alternative. The chart is drawn in the browser; the
 * table is rendered on the server, so the numbers are there without JavaScript.
 */
export function ChartCard({
  table,
  spec,
  description,
  summary,
  csvHref,
  className = '',
}: {
  table: DataTable;
  spec: ChartSpec;
  description: ReactNode;
  summary: string;
  csvHref: string;
  className?: string;
}) {
  const id = `chart-${table.id}`;
  return (
    <figure
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-summary`}
      className={`min-w-0 rounded-lg border border-slate-200 bg-white p-4 ${className}`}
    >
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
            {table.title}
          </h3>
          <p className="text-xs text-slate-500">{description}</p>
        </div>
        <CsvLink href={csvHref} title={table.title} />
      </div>
      <div className="mt-2">
        <UsageChart spec={spec} rows={table.rows} title={table.title} summary={summary} />
      </div>
      <p id={`${id}-summary`} className="sr-only">
        {summary}
      </p>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-xs font-medium text-brand-700">
          Show the numbers as a table
        </summary>
        <div className="mt-2 max-h-80 overflow-y-auto">
          <DataTableView table={table} />
        </div>
      </details>
    </figure>
  );
}

export function CsvLink({ href, title }: { href: string; title: string }) {
  return (
    <a
      href={href}
      download
      className="shrink-0 rounded-md border border-slate-300 bg-white px-2 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-50"
    >
      CSV<span className="sr-only"> of {title}</span>
    </a>
  );
}

/** One headline number. */
export function Stat({ label, value, note }: { label: string; value: ReactNode; note?: ReactNode }) {
  return (
    <div className="min-w-0 rounded-lg border border-slate-200 bg-white px-4 py-3">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold whitespace-nowrap text-slate-900 tabular-nums">{value}</dd>
      {note && <dd className="text-xs text-slate-500">{note}</dd>}
    </div>
  );
}

/** Budget use as a bar against its limit. */
export function Meter({
  label,
  used,
  budget,
  fmt,
  left,
}: {
  label: string;
  used: number;
  budget: number;
  fmt: (n: number) => string;
  /** What is left, as the budget headers and GET /usage say it (lib/usage/budget). */
  left: number;
}) {
  const share = budget > 0 ? used / budget : 0;
  const pct = Math.round(share * 100);
  const width = Math.min(100, share * 100);
  return (
    <div>
      <div className="flex flex-wrap justify-between gap-x-3 text-sm">
        <span className="text-slate-700">{label}</span>
        <span className="text-slate-600 tabular-nums">
          {fmt(used)} of {fmt(budget)} ({formatNumber(pct)}%) · {fmt(left)} left
        </span>
      </div>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={budget}
        aria-valuenow={Math.min(used, budget)}
        aria-valuetext={`${fmt(used)} of ${fmt(budget)}, ${pct}%, ${fmt(left)} left`}
        className="mt-1 h-2.5 overflow-hidden rounded-full bg-slate-100"
      >
        <div
          className={`h-full rounded-full ${pct >= 100 ? 'bg-red-600' : pct >= 80 ? 'bg-amber-500' : 'bg-brand-500'}`}
          style={{ width: `${width}%` }}
        />
      </div>
    </div>
  );
}

/** Calls that reached no model, shown apart from the requests and the error rate they would distort. */
export function OtherCalls({ calls }: { calls: { requests: number; errors: number } }) {
  if (calls.requests === 0) return null;
  return (
    <p className="text-sm text-slate-600" data-testid="other-calls">
      Not counted above: {formatNumber(calls.requests)} other API {calls.requests === 1 ? 'call' : 'calls'}
      {calls.errors > 0 ? ` (${formatNumber(calls.errors)} refused)` : ''} that reached no model: whoami,
      usage, de-identification, and calls naming a model the app may not use. They cost nothing.
    </p>
  );
}
