import { currentUser, isReviewer } from '@/lib/auth/session';
import { listAuditEvents } from '@/lib/audit';
import {
  ACTION_LABELS,
  auditFilter,
  auditQuerySchema,
  auditTargets,
  readableDetails,
} from '@/lib/audit/view';
import type { DataTable } from '@/lib/usage/tables';
import { csvDownload, plain } from '../usage/csv';

/** The most events one export holds; narrow the filters for more. */
const MAX_ROWS = 10_000;

/**
 * GET /api/audit?action=…&actor=…&target=…&from=…&to=…: the audit log as CSV, with the page's filters, newest
 * first. Reviewers and admins; anyone else gets 404, as for the page. Cells that a spreadsheet would run as a
 * formula are neutralised.
 */
export async function GET(req: Request) {
  const user = await currentUser();
  if (!user) return plain(401, 'Sign in to Portico to export the audit log.');
  if (!isReviewer(user) || user.mustChangePassword) return plain(404, 'Not found.');
  const q = auditQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const log = await listAuditEvents(auditFilter(q), 1, MAX_ROWS);
  const targets = await auditTargets(log.events);
  const table: DataTable = {
    id: 'audit',
    title: 'Audit log',
    columns: [
      { key: 'when', label: 'When (UTC)', kind: 'text' },
      { key: 'actor', label: 'Actor', kind: 'text' },
      { key: 'ip', label: 'IP address', kind: 'text' },
      { key: 'action', label: 'Action', kind: 'text' },
      { key: 'code', label: 'Action code', kind: 'text' },
      { key: 'targetType', label: 'Target type', kind: 'text' },
      { key: 'target', label: 'Target', kind: 'text' },
      { key: 'targetId', label: 'Target id', kind: 'text' },
      { key: 'details', label: 'Details', kind: 'text' },
    ],
    rows: log.events.map((e) => {
      const t = e.targetType && e.targetId ? targets.get(`${e.targetType}:${e.targetId}`) : undefined;
      return {
        when: e.createdAt.toISOString(),
        actor: e.actorEmail ?? 'system',
        ip: e.ip,
        action: ACTION_LABELS[e.action] ?? e.action,
        code: e.action,
        targetType: e.targetType,
        target: t?.label ?? null,
        targetId: e.targetId,
        details: readableDetails(e.details),
      };
    }),
  };
  return csvDownload(
    table,
    `audit-log-${new Date().toISOString().slice(0, 10)}.csv`,
    log.total > MAX_ROWS ? { 'x-portico-truncated': String(log.total) } : {},
  );
}
