import { formatNumber, formatUsd } from '@/components/ui/format';
import type { ModelUsage } from '@/lib/apps/queries';

function Meter({
  label,
  used,
  budget,
  fmt,
}: {
  label: string;
  used: number;
  budget: number;
  fmt: (n: number) => string;
}) {
  const pct = Math.min(100, Math.round((used / budget) * 100));
  return (
    <div>
      <div className="flex justify-between text-sm">
        <span className="text-slate-700">{label}</span>
        <span className="tabular-nums text-slate-600">
          {fmt(used)} of {fmt(budget)} ({pct}%)
        </span>
      </div>
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="mt-1 h-2 rounded-full bg-slate-100"
      >
        <div
          className={`h-2 rounded-full ${pct >= 90 ? 'bg-red-500' : pct >= 70 ? 'bg-amber-500' : 'bg-brand-500'}`}
          style={{ width: `${pct}%` }}
        />
      </div>
    </div>
  );
}

/** This month's usage per model, with the app's budgets when it has any. */
export function UsageTable({
  models,
  total,
  tokenBudget,
  costBudget,
}: {
  models: ModelUsage[];
  total: ModelUsage;
  tokenBudget: number | null;
  costBudget: number | null;
}) {
  if (models.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        No requests yet this month. Usage appears here within a few seconds of the first call.
      </p>
    );
  }
  const rows = [...models, total];
  return (
    <div className="space-y-4">
      {(tokenBudget || costBudget) && (
        <div className="grid gap-3 sm:grid-cols-2">
          {tokenBudget ? (
            <Meter
              label="Monthly token budget"
              used={total.promptTokens + total.completionTokens}
              budget={tokenBudget}
              fmt={formatNumber}
            />
          ) : null}
          {costBudget ? (
            <Meter label="Monthly cost budget" used={total.costUsd} budget={costBudget} fmt={formatUsd} />
          ) : null}
        </div>
      )}
      <div className="relative -mx-5 overflow-x-auto">
        <table className="min-w-full text-sm">
          <caption className="sr-only">Usage this month by model</caption>
          <thead className="text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
            <tr>
              <th scope="col" className="px-5 py-2">
                Model
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Requests
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Errors
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Prompt tokens
              </th>
              <th scope="col" className="px-3 py-2 text-right">
                Completion tokens
              </th>
              <th scope="col" className="px-5 py-2 text-right">
                Cost
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 tabular-nums">
            {rows.map((m) => {
              const isTotal = m === total;
              const Cell = isTotal ? 'th' : 'td';
              return (
                <tr key={m.model} className={isTotal ? 'border-t-2 border-slate-200 font-semibold' : ''}>
                  <Cell
                    scope={isTotal ? 'row' : undefined}
                    className={`px-5 py-2 text-left ${isTotal ? '' : 'font-mono text-xs'}`}
                  >
                    {isTotal ? (
                      'Total'
                    ) : m.model === '-' ? (
                      <span
                        className="font-sans text-slate-500"
                        title="Requests refused before a model was chosen, and utility endpoints"
                      >
                        No model
                      </span>
                    ) : (
                      m.model
                    )}
                  </Cell>
                  <td className="px-3 py-2 text-right">{formatNumber(m.requests)}</td>
                  <td className="px-3 py-2 text-right">{formatNumber(m.errors)}</td>
                  <td className="px-3 py-2 text-right">{formatNumber(m.promptTokens)}</td>
                  <td className="px-3 py-2 text-right">{formatNumber(m.completionTokens)}</td>
                  <td className="px-5 py-2 text-right">{formatUsd(m.costUsd)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
