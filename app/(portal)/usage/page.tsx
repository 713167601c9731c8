import type { Metadata } from 'next';
import Link from 'next/link';
import { REVIEWERS, requireUser } from '@/lib/auth/session';
import { budgetUse, orgUsageReport } from '@/lib/usage/queries';
import { EmptyState, PageHeader, Section } from '@/components/ui/card';
import { formatNumber, formatUsd, plural } from '@/components/ui/format';
import { formatCell, latencyPair, longDay } from '@/components/usage/format';
import { ChartCard, CsvLink, DataTableView, Meter, Stat, OtherCalls } from '@/components/usage/parts';
import { exactRangeQuery, parseRange } from '@/lib/usage/range';
import { RangePicker } from '@/components/usage/range-picker';
import { NEAR_BUDGET, orgTables } from '@/lib/usage/tables';
import { remainingTokens, remainingUsd } from '@/lib/usage/budget';

export const metadata: Metadata = { title: 'Usage' };

type Report = Awaited<ReturnType<typeof orgUsageReport>>;
type Tables = ReturnType<typeof orgTables>;
type Near = Awaited<ReturnType<typeof budgetUse>>;

const tokensOf = (a: { promptTokens: number; completionTokens: number }) =>
  a.promptTokens + a.completionTokens;

export default async function OrgUsagePage({
  searchParams,
}: {
  searchParams: Promise<{ range?: string; from?: string; to?: string }>;
}) {
  await requireUser(REVIEWERS);
  const range = parseRange(await searchParams);
  const [report, near] = await Promise.all([
    orgUsageReport(range.from, range.to),
    budgetUse({ minShare: NEAR_BUDGET }),
  ]);
  const t = orgTables(report, near);
  const csv = (chart: string) => `/api/usage/org?chart=${chart}&${exactRangeQuery(range)}`;
  const days = `${longDay(range.from)} – ${longDay(range.to)}`;

  return (
    <>
      <PageHeader
        title="Usage"
        description="Every app’s requests, tokens and cost per UTC day, and the apps close to their monthly budget. Counts only: prompts and answers are never stored."
      />
      <div className="space-y-6">
        <RangePicker path="/usage" range={range} />
        {range.error && (
          <p role="status" className="text-sm font-medium text-amber-800">
            {range.error} Showing the last 30 days.
          </p>
        )}

        <NearBudget near={near} t={t} csv={csv} />

        {report.totals.requests === 0 ? (
          <EmptyState title="No usage in this range">
            No app called Portico from {days}. Choose another range.
          </EmptyState>
        ) : (
          <>
            <Totals report={report} days={days} />
            <OtherCalls calls={report.otherCalls} />
            <Trend report={report} t={t} days={days} csv={csv} />
            <TopApps report={report} t={t} csv={csv} />
            <Section
              id="apps"
              title="Usage by app"
              description="Every app that called Portico in the range, most expensive first."
              actions={<CsvLink href={csv('apps')} title={t.apps.title} />}
            >
              <DataTableView table={t.apps} />
            </Section>
          </>
        )}
      </div>
    </>
  );
}

/** The apps that used NEAR_BUDGET or more of a monthly budget this month, whatever the range. */
function NearBudget({ near, t, csv }: { near: Near; t: Tables; csv: (chart: string) => string }) {
  return (
    <Section
      id="budgets"
      title="Apps near their monthly budget"
      description={`This calendar month (UTC): apps that have used ${Math.round(NEAR_BUDGET * 100)}% or more of a monthly token or cost budget, whatever the range above.`}
      actions={near.length > 0 ? <CsvLink href={csv('budgets')} title={t.budgets.title} /> : undefined}
    >
      {near.length === 0 ? (
        <p className="text-sm text-slate-600">
          No app has used {Math.round(NEAR_BUDGET * 100)}% of a monthly budget this month.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label={t.budgets.title}>
          {near.map((b) => (
            <li
              key={b.appId}
              className="grid gap-x-6 gap-y-2 py-3 first:pt-0 last:pb-0 md:grid-cols-[14rem_1fr_1fr]"
            >
              <div className="min-w-0">
                <Link href={`/apps/${b.appId}`} className="font-semibold text-brand-700 hover:underline">
                  {b.name}
                </Link>
                {b.status !== 'approved' && <span className="ml-2 text-xs text-slate-500">{b.status}</span>}
              </div>
              {b.tokenBudget !== null ? (
                <Meter
                  label={`Tokens of ${b.name}`}
                  used={b.tokensUsed}
                  budget={b.tokenBudget}
                  left={remainingTokens(b.tokenBudget, b.tokensUsed)}
                  fmt={formatNumber}
                />
              ) : (
                <p className="text-sm text-slate-500">No token budget</p>
              )}
              {b.costBudgetUsd !== null ? (
                <Meter
                  label={`Cost of ${b.name}`}
                  used={b.costUsd}
                  budget={b.costBudgetUsd}
                  left={remainingUsd(b.costBudgetUsd, b.costUsd)}
                  fmt={formatUsd}
                />
              ) : (
                <p className="text-sm text-slate-500">No cost budget</p>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** The range's headline numbers, all apps. */
function Totals({ report, days }: { report: Report; days: string }) {
  const totals = report.totals;
  return (
    <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6" aria-label="Totals for the range">
      <Stat
        label="Requests"
        value={formatNumber(totals.requests)}
        note={plural(report.byApp.length, 'app')}
      />
      <Stat
        label="Error rate"
        value={formatCell((totals.errors / totals.requests) * 100, 'pct')}
        note={`${formatNumber(totals.errors)} errors`}
      />
      <Stat label="Tokens in" value={formatNumber(totals.promptTokens)} note="prompt" />
      <Stat label="Tokens out" value={formatNumber(totals.completionTokens)} note="completion" />
      <Stat label="Cost" value={formatUsd(totals.costUsd)} note={days} />
      <Stat
        label="Latency p50 / p95"
        value={latencyPair(totals.latencyP50Ms, totals.latencyP95Ms)}
        note="all apps"
      />
    </dl>
  );
}

/** Requests, cost and tokens per day, all apps. */
function Trend({
  report,
  t,
  days,
  csv,
}: {
  report: Report;
  t: Tables;
  days: string;
  csv: (chart: string) => string;
}) {
  const totals = report.totals;
  const peakDay = report.byDay.reduce<(typeof report.byDay)[number] | undefined>(
    (best, d) => (d.requests > (best?.requests ?? 0) ? d : best),
    undefined,
  );
  const costDay = report.byDay.reduce<(typeof report.byDay)[number] | undefined>(
    (best, d) => (d.costUsd > (best?.costUsd ?? 0) ? d : best),
    undefined,
  );
  return (
    <section aria-labelledby="trend-title" className="space-y-3">
      <h2 id="trend-title" className="text-lg font-semibold">
        Trend
      </h2>
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard
          table={t.requests}
          spec={{
            type: 'bars',
            x: 'day',
            series: [{ key: 'requests', label: 'Requests', kind: 'int' }],
            yLabel: 'Requests',
          }}
          description="Requests per UTC day, all apps; the table adds errors and the error rate."
          summary={`${plural(totals.requests, 'request')} from ${days}${peakDay ? `; the busiest day was ${longDay(peakDay.day)} with ${formatNumber(peakDay.requests)}` : ''}.`}
          csvHref={csv('requests')}
        />
        <ChartCard
          table={t.cost}
          spec={{
            type: 'bars',
            x: 'day',
            series: [{ key: 'costUsd', label: 'Cost', kind: 'usd' }],
            yLabel: 'Cost (USD)',
          }}
          description="US dollars per UTC day, all apps, from the price table."
          summary={`${formatUsd(totals.costUsd)} in total${costDay ? `; the most expensive day was ${longDay(costDay.day)} at ${formatUsd(costDay.costUsd)}` : ''}.`}
          csvHref={csv('cost')}
        />
        <ChartCard
          className="lg:col-span-2"
          table={t.tokens}
          spec={{ type: 'stacked', x: 'day', series: t.tokens.series!, yLabel: 'Tokens' }}
          description="Prompt (in) and completion (out) tokens per UTC day, all apps."
          summary={`${formatNumber(tokensOf(totals))} tokens: ${formatNumber(totals.promptTokens)} in, ${formatNumber(totals.completionTokens)} out.`}
          csvHref={csv('tokens')}
        />
      </div>
    </section>
  );
}

/** The apps that cost the most and used the most tokens in the range. */
function TopApps({ report, t, csv }: { report: Report; t: Tables; csv: (chart: string) => string }) {
  const totals = report.totals;
  const topCost = report.byApp.find((a) => a.costUsd > 0);
  const topTokens = t['top-tokens'].rows[0];
  return (
    <section aria-labelledby="top-title" className="space-y-3">
      <h2 id="top-title" className="text-lg font-semibold">
        Top apps
      </h2>
      <div className="grid gap-4 lg:grid-cols-2">
        {t['top-cost'].rows.length > 0 ? (
          <ChartCard
            table={t['top-cost']}
            spec={{
              type: 'horizontal',
              x: 'app',
              series: [{ key: 'costUsd', label: 'Cost', kind: 'usd' }],
              yLabel: 'Cost (USD)',
            }}
            description="The apps that cost the most in the range, in US dollars."
            summary={
              topCost
                ? `${topCost.name} cost the most: ${formatUsd(topCost.costUsd)} of ${formatUsd(totals.costUsd)}.`
                : ''
            }
            csvHref={csv('top-cost')}
          />
        ) : (
          <EmptyState title="No cost in this range">The models called have no price set.</EmptyState>
        )}
        <ChartCard
          table={t['top-tokens']}
          spec={{
            type: 'horizontal',
            x: 'app',
            series: [{ key: 'tokens', label: 'Tokens', kind: 'int' }],
            yLabel: 'Tokens (in + out)',
          }}
          description="The apps that used the most tokens (prompt + completion) in the range."
          summary={
            topTokens
              ? `${String(topTokens.app)} used the most tokens: ${formatNumber(topTokens.tokens as number)} of ${formatNumber(tokensOf(totals))}.`
              : 'No tokens in this range.'
          }
          csvHref={csv('top-tokens')}
        />
      </div>
    </section>
  );
}
