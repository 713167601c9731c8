import type { Metadata } from 'next';
import Link from 'next/link';
import { REVIEWERS, requireUser } from '@/lib/auth/session';
import { auditActions, listAuditEvents } from '@/lib/audit';
import {
  ACTION_LABELS as LABELS,
  auditFilter,
  auditQuerySchema,
  auditTargets,
  readableDetails as details,
} from '@/lib/audit/view';
import { buttonClass } from '@/components/ui/button';
import { EmptyState, PageHeader } from '@/components/ui/card';
import { FilterBar, FilterField } from '@/components/ui/filter-bar';
import { Input, Select } from '@/components/ui/field';
import { formatNumber } from '@/components/ui/format';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';

export const metadata: Metadata = { title: 'Audit log' };

type Filter = ReturnType<typeof auditQuerySchema.parse>;
type Log = Awaited<ReturnType<typeof listAuditEvents>>;
type Targets = Awaited<ReturnType<typeof auditTargets>>;

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireUser(REVIEWERS);
  const f = auditQuerySchema.parse(await searchParams);
  const [log, actions] = await Promise.all([listAuditEvents(auditFilter(f), f.page), auditActions()]);
  const targets = await auditTargets(log.events);
  const filtered = Boolean(f.action || f.actor || f.target || f.from || f.to);
  const query = (page = 1) => {
    const q = new URLSearchParams();
    for (const k of ['action', 'actor', 'target', 'from', 'to'] as const) if (f[k]) q.set(k, f[k]!);
    if (page > 1) q.set('page', String(page));
    const s = q.toString();
    return s ? `?${s}` : '';
  };
  const first = (log.page - 1) * log.pageSize + 1;
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what to which app, key or user, and when. Sign-in failure bursts, requests, decisions, policy, key, owner and role changes."
        actions={
          // A download, not a page: a plain link.
          <a href={`/api/audit${query()}`} className={buttonClass('secondary')} download>
            Export CSV
          </a>
        }
      />
      <AuditFilters f={f} actions={actions} filtered={filtered} />

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
          <AuditTable log={log} targets={targets} target={f.target} />
          <Pages page={log.page} pages={log.pages} href={(page) => `/audit${query(page)}`} />
        </>
      )}
    </>
  );
}

function AuditFilters({ f, actions, filtered }: { f: Filter; actions: string[]; filtered: boolean }) {
  return (
    <FilterBar
      label="Filter the audit log"
      className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-2 lg:grid-cols-6"
      submit="Apply filters"
      clear={filtered && { href: '/audit', label: 'Clear filters' }}
      actionsClassName="flex items-center gap-3 sm:col-span-2 lg:col-span-6"
    >
      <FilterField id="f-action" label="Action" className="lg:col-span-2">
        <Select id="f-action" name="action" defaultValue={f.action ?? ''} className="mt-1">
          <option value="">Any action</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {LABELS[a] ? `${LABELS[a]} (${a})` : a}
            </option>
          ))}
        </Select>
      </FilterField>
      <FilterField id="f-actor" label="Actor">
        <Input
          id="f-actor"
          name="actor"
          defaultValue={f.actor ?? ''}
          placeholder="Name or email"
          className="mt-1"
        />
      </FilterField>
      <FilterField id="f-target" label="Target">
        <Input
          id="f-target"
          name="target"
          defaultValue={f.target ?? ''}
          placeholder="Name, email or ID"
          className="mt-1"
        />
      </FilterField>
      <FilterField id="f-from" label="From (UTC)">
        <Input id="f-from" name="from" type="date" defaultValue={f.from ?? ''} className="mt-1" />
      </FilterField>
      <FilterField id="f-to" label="To (UTC, inclusive)">
        <Input id="f-to" name="to" type="date" defaultValue={f.to ?? ''} className="mt-1" />
      </FilterField>
    </FilterBar>
  );
}

/** A page of events; a target links to its page and to its own events (unless those are what is shown). */
function AuditTable({ log, targets, target }: { log: Log; targets: Targets; target?: string }) {
  return (
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
            const t = e.targetType && e.targetId ? targets.get(`${e.targetType}:${e.targetId}`) : undefined;
            return t ? <TargetCell t={t} only={target !== t.id} /> : null;
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
  );
}

function TargetCell({ t, only }: { t: NonNullable<ReturnType<Targets['get']>>; only: boolean }) {
  return (
    <>
      <span className="text-slate-500">{t.type} </span>
      {t.href ? (
        <Link href={t.href} className="break-words text-brand-700 hover:underline" title={t.id}>
          {t.label}
        </Link>
      ) : (
        <span className="break-words" title={t.id}>
          {t.label}
        </span>
      )}
      {only && (
        <Link
          href={`/audit?target=${encodeURIComponent(t.id)}`}
          className="block text-xs text-slate-500 hover:underline"
          aria-label={`Only the events of ${t.label}`}
        >
          {t.type === 'app' ? 'Only this app (and its keys)' : `Only this ${t.type}`}
        </Link>
      )}
    </>
  );
}

function Pages({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) {
  return (
    <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className={buttonClass('secondary', 'sm')} rel="prev">
          ← Newer
        </Link>
      ) : (
        <span />
      )}
      <span className="text-slate-600">
        Page {page} of {pages}
      </span>
      {page < pages ? (
        <Link href={href(page + 1)} className={buttonClass('secondary', 'sm')} rel="next">
          Older →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
