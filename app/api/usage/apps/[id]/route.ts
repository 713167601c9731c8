import { appAccess } from '@/lib/apps/access';
import { appHeadline } from '@/lib/apps/queries';
import { appUsageReport } from '@/lib/usage/queries';
import { APP_CHARTS, appTables, type AppChart } from '@/lib/usage/tables';
import { csvRequest, csvResponse, plain } from '../../csv';

/**
 * GET /api/usage/apps/{id}?chart=requests&from=…&to=…[&split=model|key]: one chart of the app page as CSV,
 * from the same report and table the page draws. Owners, reviewers and admins; anyone else gets 404.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const ctx = await csvRequest(req);
  if (ctx instanceof Response) return ctx;
  const { id } = await params;
  if (!(await appAccess(ctx.user, id)).view) return plain(404, 'No such app.');
  const chart = ctx.q.get('chart') as AppChart;
  if (!APP_CHARTS.includes(chart)) return plain(400, `chart must be one of: ${APP_CHARTS.join(', ')}.`);
  const [app, report] = await Promise.all([
    appHeadline(id),
    appUsageReport(id, ctx.range.from, ctx.range.to),
  ]);
  if (!app) return plain(404, 'No such app.');
  const table = appTables(report, ctx.q.get('split') === 'key' ? 'key' : 'model')[chart];
  return csvResponse(table, app.name, ctx.range);
}
