import type { Metadata } from 'next';
import Link from 'next/link';
import { z } from 'zod';
import { REVIEWERS, requireUser } from '@/lib/auth/session';
import { auditActions, listAuditEvents } from '@/lib/audit';
import { buttonClass } from '@/components/ui/button';
import { EmptyState, PageHeader } from '@/components/ui/card';
import { Input, Select } from '@/components/ui/field';
import { formatNumber } from '@/components/ui/format';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';

export const metadata: Metadata = { title: 'Audit log' };

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);
const filterSchema = z.object({
  action: z
    .string()
    .max(80)
    .regex(/^[a-z_.]*$/)
    .optional()
    .catch(undefined),
  actor: z.string().trim().max(254).optional().catch(undefined),
  target: z.string().trim().max(80).optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});

const LABELS: Record<string, string> = {
  'auth.signin_failure_burst': 'Repeated sign-in failures',
  'app.requested': 'Access requested',
  'app.resubmitted': 'Request resubmitted',
  'app.approved': 'App approved',
  'app.rejected': 'App rejected',
  'app.changes_requested': 'Sent back for changes',
  'app.suspended': 'App suspended',
  'app.reinstated': 'App reinstated',
  'app.policy_changed': 'Policy changed',
  'app.owner_added': 'Owner added',
  'app.owner_removed': 'Owner removed',
  'key.created': 'Key created',
  'key.rotated': 'Key rotated',
  'key.revoked': 'Key revoked',
  'user.created': 'User created',
  'user.created_by_sso': 'User created by SSO',
  'user.role_changed': 'Role changed',
  'user.disabled': 'User disabled',
  'user.enabled': 'User enabled',
  'user.password_set': 'Password set',
};

// PostgreSQL's jsonb does not keep key order: show the telling ones first.
const ORDER = [
  'name',
  'email',
  'role',
  'from',
  'to',
  'reason',
  'requestedModels',
  'allowedModels',
  'phiPolicy',
];
const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);

function details(d: unknown): string {
  if (!d || typeof d !== 'object') return '';
  return Object.entries(d as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(
      ([k, v]) =>
        `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    )
    .join(' · ')
    .slice(0, 400);
}

function targetHref(type: string | null, id: string | null, d: unknown): string | null {
  if (!id) return null;
  if (type === 'app') return `/apps/${id}`;
  const appId = d && typeof d === 'object' ? (d as { appId?: unknown }).appId : undefined;
  if (type === 'key' && typeof appId === 'string') return `/apps/${appId}`;
  return null;
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireUser(REVIEWERS);
  const f = filterSchema.parse(await searchParams);
  const from = f.from ? new Date(`${f.from}T00:00:00Z`) : undefined;
  const to = f.to ? new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000) : undefined;
  const [log, actions] = await Promise.all([
    listAuditEvents(
      {
        action: f.action || undefined,
        actor: f.actor || undefined,
        target: f.target || undefined,
        from: from && !isNaN(+from) ? from : undefined,
        to: to && !isNaN(+to) ? to : undefined,
      },
      f.page,
    ),
    auditActions(),
  ]);
  const filtered = Boolean(f.action || f.actor || f.target || f.from || f.to);
  const pageHref = (page: number) => {
    const q = new URLSearchParams();
    for (const k of ['action', 'actor', 'target', 'from', 'to'] as const) if (f[k]) q.set(k, f[k]!);
    if (page > 1) q.set('page', String(page));
    const s = q.toString();
    return `/audit${s ? `?${s}` : ''}`;
  };
  const first = (log.page - 1) * log.pageSize + 1;
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what to which app, key or user, and when. Sign-in failure bursts, requests, decisions, policy, key, owner and role changes."
      />
      <form
        method="get"
        role="search"
        aria-label="Filter the audit log"
        className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-6"
      >
        <div className="lg:col-span-2">
          <label htmlFor="f-action" className="block text-sm font-medium text-slate-700">
            Action
          </label>
          <Select id="f-action" name="action" defaultValue={f.action ?? ''} className="mt-1">
            <option value="">Any action</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {LABELS[a] ? `${LABELS[a]} (${a})` : a}
              </option>
            ))}
          </Select>
        </div>
        <div>
          <label htmlFor="f-actor" className="block text-sm font-medium text-slate-700">
            Actor
          </label>
          <Input
            id="f-actor"
            name="actor"
            defaultValue={f.actor ?? ''}
            placeholder="Email contains"
            className="mt-1"
          />
        </div>
        <div>
          <label htmlFor="f-target" className="block text-sm font-medium text-slate-700">
            Target
          </label>
          <Input
            id="f-target"
            name="target"
            defaultValue={f.target ?? ''}
            placeholder="ID, or app / key / user"
            className="mt-1"
          />
        </div>
        <div>
          <label htmlFor="f-from" className="block text-sm font-medium text-slate-700">
            From (UTC)
          </label>
          <Input id="f-from" name="from" type="date" defaultValue={f.from ?? ''} className="mt-1" />
        </div>
        <div>
          <label htmlFor="f-to" className="block text-sm font-medium text-slate-700">
            To (UTC, inclusive)
          </label>
          <Input id="f-to" name="to" type="date" defaultValue={f.to ?? ''} className="mt-1" />
        </div>
        <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-6">
          <button type="submit" className={buttonClass('secondary')}>
            Apply filters
          </button>
          {filtered && (
            <Link href="/audit" className="text-sm font-medium text-brand-700 hover:underline">
              Clear filters
            </Link>
          )}
        </div>
      </form>

      {log.events.length === 0 ? (
        <EmptyState title={filtered ? 'No events match these filters' : 'No events yet'}>
          {filtered ? 'Widen the date range or clear a filter.' : 'Events appear as people use Portico.'}
        </EmptyState>
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-600" aria-live="polite">
            {log.total === 1
              ? '1 event'
              : `${formatNumber(first)}–${formatNumber(first + log.events.length - 1)} of ${formatNumber(log.total)} events, newest first`}
          </p>
          <Table
            caption="Audit events"
            rows={log.events}
            rowKey={(e) => e.id}
            columns={[
              {
                header: 'When',
                cellClassName: 'text-slate-700 lg:whitespace-nowrap',
                cell: (e) => <Time date={e.createdAt} />,
              },
              {
                header: 'Actor',
                cellClassName: 'text-slate-800',
                cell: (e) => (
                  <>
                    {e.actorEmail ?? 'system'}
                    {e.ip && <div className="text-xs text-slate-500">{e.ip}</div>}
                  </>
                ),
              },
              {
                header: 'Action',
                cell: (e) => (
                  <>
                    <div className="font-medium whitespace-nowrap text-slate-900">
                      {LABELS[e.action] ?? e.action}
                    </div>
                    <div className="font-mono text-xs text-slate-500">{e.action}</div>
                    {/* Narrow screens: the details under the action rather than in a column of their own. */}
                    <div className="mt-1 max-w-xs text-xs break-words text-slate-600 lg:hidden">
                      {details(e.details)}
                    </div>
                  </>
                ),
              },
              {
                header: 'Target',
                cell: (e) => {
                  const href = targetHref(e.targetType, e.targetId, e.details);
                  return (
                    <>
                      {e.targetType && <span className="text-slate-500">{e.targetType} </span>}
                      {e.targetId &&
                        (href ? (
                          <Link
                            href={href}
                            className="font-mono text-xs break-all text-brand-700 hover:underline"
                          >
                            {e.targetId}
                          </Link>
                        ) : (
                          <span className="font-mono text-xs break-all">{e.targetId}</span>
                        ))}
                    </>
                  );
                },
              },
              {
                header: 'Details',
                className: 'hidden lg:table-cell',
                cellClassName: 'max-w-md break-words text-slate-600',
                cell: (e) => details(e.details),
              },
            ]}
          />
          <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
            {log.page > 1 ? (
              <Link href={pageHref(log.page - 1)} className={buttonClass('secondary', 'sm')} rel="prev">
                ← Newer
              </Link>
            ) : (
              <span />
            )}
            <span className="text-slate-600">
              Page {log.page} of {log.pages}
            </span>
            {log.page < log.pages ? (
              <Link href={pageHref(log.page + 1)} className={buttonClass('secondary', 'sm')} rel="next">
                Older →
              </Link>
            ) : (
              <span />
            )}
          </nav>
        </>
      )}
    </>
  );
}
