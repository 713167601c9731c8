import Link from 'next/link';
import { EmptyState } from '@/components/ui/card';
import { formatNumber, formatUsd, plural } from '@/components/ui/format';
import { formatCell, latencyPair, longDay } from './format';
import { ChartCard, CsvLink, DataTableView, Meter, Stat, OtherCalls } from './parts';
import { exactRangeQuery, rangeQuery, type Range } from '@/lib/usage/range';
import { RangePicker } from './range-picker';
import { pct, type Cell, type Split } from '@/lib/usage/tables';
import { remainingTokens, remainingUsd } from '@/lib/usage/budget';
import type { AppUsageView, UsageApp } from '@/lib/usage/app-report';

const UNIT_LABEL: Record<string, string> = {
  images: 'Images generated',
  seconds: 'Audio transcribed (seconds)',
  characters: 'Speech (characters)',
};

/** The row with the largest value of `key`, for chart summaries. */
function peak(rows: Record<string, Cell>[], key: string) {
  let best: Record<string, Cell> | undefined;
  for (const r of rows)
    if (typeof r[key] === 'number' && (!best || (r[key] as number) > (best[key] as number))) best = r;
  return best && (best[key] as number) > 0 ? best : undefined;
}

type Report = AppUsageView['report'];
type Tables = AppUsageView['tables'];

/** An app's usage for a range (loaded by lib/usage's loadAppUsage): budgets, headline numbers, charts by model or key, tables. */
export function AppUsage({
  app,
  range,
  split,
  usage,
}: {
  app: UsageApp;
  range: Range;
  split: Split;
  usage: AppUsageView;
}) {
  const { report, budget, tables: t } = usage;
  const path = `/apps/${app.id}`;
  const csv = (chart: string) =>
    `/api/usage/apps/${app.id}?chart=${chart}&${exactRangeQuery(range)}${t[chart as keyof typeof t].series ? `&split=${split}` : ''}`;
  const days = `${longDay(range.from)} – ${longDay(range.to)}`;

  return (
    <div className="space-y-5">
      <RangePicker path={path} range={range} keep={{ split }} hash="#usage" />
      {range.error && (
        <p role="status" className="text-sm font-medium text-amber-800">
          {range.error} Showing the last 30 days.
        </p>
      )}

      {(budget || app.rpmLimit || app.tpmLimit) && <BudgetsThisMonth app={app} budget={budget} />}

      {report.totals.requests === 0 ? (
        <EmptyState title="No usage in this range">
          Nothing was called from {days}. Choose another range; new calls appear here within seconds.
        </EmptyState>
      ) : (
        <>
          <Totals report={report} days={days} />
          <OtherCalls calls={report.otherCalls} />
          <SplitChoice split={split} href={(s) => `${path}?${rangeQuery(range)}&split=${s}#usage`} />
          <Charts report={report} t={t} split={split} days={days} csv={csv} />
          {[t.models, t.keys, ...(t.units.rows.length ? [t.units] : [])].map((table) => (
            <section key={table.id} aria-labelledby={`table-${table.id}`} className="min-w-0">
              <div className="mb-2 flex flex-wrap items-end justify-between gap-2">
                <div>
                  <h3 id={`table-${table.id}`} className="text-sm font-semibold text-slate-900">
                    {table.title}
                  </h3>
                  {table.id === 'units' && (
                    <p className="text-xs text-slate-500">
                      What image and audio requests bill by, from the request records (kept for the retention
                      period).
                    </p>
                  )}
                </div>
                <CsvLink href={csv(table.id)} title={table.title} />
              </div>
              <DataTableView table={table} />
            </section>
          ))}
        </>
      )}
    </div>
  );
}

/** This month's budget use and the app's rate limits. */
function BudgetsThisMonth({ app, budget }: { app: UsageApp; budget: AppUsageView['budget'] }) {
  return (
    <div className="space-y-3 rounded-lg border border-slate-200 bg-slate-50 px-4 py-3">
      <h3 className="text-sm font-semibold text-slate-900">
        Budgets this month{budget ? ` (${budget.month}, UTC)` : ''}
      </h3>
      {budget && (
        <div className="grid gap-3 sm:grid-cols-2">
          {budget.tokenBudget !== null && (
            <Meter
              label="Monthly token budget"
              used={budget.tokensUsed}
              budget={budget.tokenBudget}
              left={remainingTokens(budget.tokenBudget, budget.tokensUsed)}
              fmt={formatNumber}
            />
          )}
          {budget.costBudgetUsd !== null && (
            <Meter
              label="Monthly cost budget"
              used={budget.costUsd}
              budget={budget.costBudgetUsd}
              left={remainingUsd(budget.costBudgetUsd, budget.costUsd)}
              fmt={formatUsd}
            />
          )}
        </div>
      )}
      <p className="text-sm text-slate-600">
        Rate limits: {app.rpmLimit ? `${formatNumber(app.rpmLimit)} requests/min` : 'no request limit'} ·{' '}
        {app.tpmLimit ? `${formatNumber(app.tpmLimit)} tokens/min` : 'no token limit'}. Over a limit or a
        budget, calls get 429 with Retry-After.
      </p>
    </div>
  );
}

/** The range's headline numbers, and what image and audio calls bill by. */
function Totals({ report, days }: { report: Report; days: string }) {
  const totals = report.totals;
  const units = [...new Set(report.units.map((u) => u.unit))];
  const sum = (unit: string, of: 'units' | 'requests') =>
    report.units.filter((u) => u.unit === unit).reduce((s, u) => s + u[of], 0);
  return (
    <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6" aria-label="Totals for the range">
      <Stat label="Requests" value={formatNumber(totals.requests)} note={days} />
      <Stat
        label="Error rate"
        value={formatCell(pct(totals.errors, totals.requests), 'pct')}
        note={`${formatNumber(totals.errors)} errors`}
      />
      <Stat label="Tokens in" value={formatNumber(totals.promptTokens)} note="prompt" />
      <Stat label="Tokens out" value={formatNumber(totals.completionTokens)} note="completion" />
      <Stat label="Cost" value={formatUsd(totals.costUsd)} note="from the price table" />
      <Stat
        label="Latency p50 / p95"
        value={latencyPair(totals.latencyP50Ms, totals.latencyP95Ms)}
        note="whole request, at Portico"
      />
      {units.map((unit) => (
        <Stat
          key={unit}
          label={UNIT_LABEL[unit] ?? unit}
          value={formatCell(sum(unit, 'units'), 'amount')}
          note={plural(sum(unit, 'requests'), 'request')}
        />
      ))}
    </dl>
  );
}

/** Model or key: what the stacked charts split by (a link each: the choice is in the URL). */
function SplitChoice({ split, href }: { split: Split; href: (s: Split) => string }) {
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <span id="split-label" className="font-medium text-slate-700">
        Split by
      </span>
      <ul aria-labelledby="split-label" className="flex rounded-md border border-slate-300 bg-white p-0.5">
        {(['model', 'key'] as const).map((s) => (
          <li key={s}>
            <Link
              href={href(s)}
              scroll={false}
              aria-current={split === s ? 'true' : undefined}
              className={`block rounded px-3 py-1 font-medium ${split === s ? 'bg-slate-800 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
            >
              {s === 'model' ? 'Model' : 'Key'}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Requests, cost, tokens, latency and errors per day, each with its summary in words and its CSV. */
function Charts({
  report,
  t,
  split,
  days,
  csv,
}: {
  report: Report;
  t: Tables;
  split: Split;
  days: string;
  csv: (chart: string) => string;
}) {
  const totals = report.totals;
  const tokens = totals.promptTokens + totals.completionTokens;
  const busiest = peak(t.requests.rows, 'total');
  const costliest = peak(t.cost.rows, 'total');
  const slowest = peak(t.latency.rows, 'p95');
  const worst = peak(t.errors.rows, 'errorRate');
  const by = split === 'model' ? 'by model' : 'by API key';
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartCard
        table={t.requests}
        spec={{ type: 'stacked', x: 'day', series: t.requests.series!, yLabel: 'Requests' }}
        description={`Requests per UTC day, stacked ${by}.`}
        summary={`${plural(totals.requests, 'request')} from ${days}${busiest ? `; the busiest day was ${longDay(String(busiest.day))} with ${formatNumber(busiest.total as number)}` : ''}.`}
        csvHref={csv('requests')}
      />
      <ChartCard
        table={t.cost}
        spec={{ type: 'stacked', x: 'day', series: t.cost.series!, yLabel: 'Cost (USD)' }}
        description={`US dollars per UTC day, stacked ${by}.`}
        summary={`${formatUsd(totals.costUsd)} in total${costliest ? `; the most expensive day was ${longDay(String(costliest.day))} at ${formatUsd(costliest.total as number)}` : ''}.`}
        csvHref={csv('cost')}
      />
      <ChartCard
        table={t.tokens}
        spec={{ type: 'stacked', x: 'day', series: t.tokens.series!, yLabel: 'Tokens' }}
        description="Prompt (in) and completion (out) tokens per UTC day."
        summary={`${formatNumber(tokens)} tokens: ${formatNumber(totals.promptTokens)} in, ${formatNumber(totals.completionTokens)} out.`}
        csvHref={csv('tokens')}
      />
      <ChartCard
        table={t.latency}
        spec={{
          type: 'lines',
          x: 'day',
          series: [
            { key: 'p50', label: 'p50', kind: 'ms' },
            { key: 'p95', label: 'p95', kind: 'ms' },
          ],
          yLabel: 'Latency',
          dashed: ['p95'],
        }}
        description="Median (p50) and 95th percentile of the whole request time at Portico; days without requests have no point."
        summary={`p50 ${formatCell(totals.latencyP50Ms, 'ms')}, p95 ${formatCell(totals.latencyP95Ms, 'ms')} over the range${slowest ? `; the slowest day was ${longDay(String(slowest.day))} (p95 ${formatCell(slowest.p95 as number, 'ms')})` : ''}.`}
        csvHref={csv('latency')}
      />
      <ChartCard
        className="lg:col-span-2"
        table={t.errors}
        spec={{
          type: 'bars',
          x: 'day',
          series: [{ key: 'errorRate', label: 'Error rate', kind: 'pct' }],
          yLabel: 'Error rate (%)',
        }}
        description="Share of requests per UTC day that got an error answer (4xx or 5xx), in percent."
        summary={`${plural(totals.errors, 'error')} in ${plural(totals.requests, 'request')}${worst ? `; the worst day was ${longDay(String(worst.day))} at ${formatCell(worst.errorRate as number, 'pct')}` : ''}.`}
        csvHref={csv('errors')}
      />
    </div>
  );
}
