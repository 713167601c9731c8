import { appUsageReport, budgetUse } from './queries';
import type { Range } from './range';
import { appTables, type Split } from './tables';

/** What an app's usage section needs of the app: its id, limits and budgets. */
export interface UsageApp {
  id: string;
  rpmLimit: number | null;
  tpmLimit: number | null;
  monthlyTokenBudget: number | null;
  monthlyCostBudgetUsd: number | null;
}

/** An app's usage for a range, as its page shows it: the report, this month's budget use, the tables by split. */
export async function loadAppUsage({ app, range, split }: { app: UsageApp; range: Range; split: Split }) {
  const [report, [budget]] = await Promise.all([
    appUsageReport(app.id, range.from, range.to),
    app.monthlyTokenBudget !== null || app.monthlyCostBudgetUsd !== null
      ? budgetUse({ appId: app.id })
      : Promise.resolve([]),
  ]);
  return { report, budget, tables: appTables(report, split) };
}
export type AppUsageView = Awaited<ReturnType<typeof loadAppUsage>>;
