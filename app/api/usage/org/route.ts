import { isReviewer } from '@/lib/auth/session';
import { gatewayConfig } from '@/lib/config';
import { budgetUse, orgUsageReport } from '@/lib/usage/queries';
import { NEAR_BUDGET, ORG_CHARTS, orgTables, type OrgChart } from '@/lib/usage/tables';
import { csvRequest, csvResponse, plain } from '../csv';

/**
 * GET /api/usage/org?chart=top-cost&from=…&to=…: one chart of the org-wide usage page as CSV, from the same
 * report and table the page draws. Reviewers and admins; anyone else gets 404, as for the page.
 */
export async function GET(req: Request) {
  const ctx = await csvRequest(req);
  if (ctx instanceof Response) return ctx;
  if (!isReviewer(ctx.user)) return plain(404, 'Not found.');
  const chart = ctx.q.get('chart') as OrgChart;
  if (!ORG_CHARTS.includes(chart)) return plain(400, `chart must be one of: ${ORG_CHARTS.join(', ')}.`);
  const [report, budgets] = await Promise.all([
    orgUsageReport(ctx.range.from, ctx.range.to),
    budgetUse({ minShare: NEAR_BUDGET }),
  ]);
  const organisation = gatewayConfig().portal.organisation;
  return csvResponse(orgTables(report, budgets)[chart], `${organisation}-usage`, ctx.range);
}
