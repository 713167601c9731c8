import Link from 'next/link';
import { StatusBadge } from '@/components/ui/badge';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import type { listOwnedApps } from '@/lib/apps/queries';

type Row = Awaited<ReturnType<typeof listOwnedApps>>[number];

/** Apps as a table: name, status, models, keys, owners (optional), last change. */
export function AppTable({
  apps,
  showOwners = false,
  caption,
  linkTo = (id) => `/apps/${id}`,
}: {
  apps: Row[];
  showOwners?: boolean;
  caption: string;
  linkTo?: (id: string) => string;
}) {
  return (
    <Table
      caption={caption}
      rows={apps}
      rowKey={(a) => a.id}
      rowProps={() => ({ className: 'hover:bg-slate-50' })}
      columns={[
        {
          header: 'App',
          cell: (a) => (
            <>
              <Link href={linkTo(a.id)} className="font-semibold text-brand-700 hover:underline">
                {a.name}
              </Link>
              <p className="mt-0.5 line-clamp-1 max-w-xs text-slate-500">{a.description}</p>
            </>
          ),
        },
        {
          header: 'Status',
          cell: (a) => (
            <>
              <StatusBadge status={a.status} />
              {a.status === 'changes_requested' && !showOwners && (
                <p className="mt-1 text-xs font-medium text-violet-800">Action needed: edit and resubmit</p>
              )}
            </>
          ),
        },
        {
          header: 'Models',
          cellClassName: 'font-mono text-xs text-slate-700',
          cell: (a) => {
            const granted = a.status === 'approved' || a.status === 'suspended';
            const models = (granted ? a.allowedModels : a.requestedModels).join(', ');
            const endpoints = (granted ? a.allowedEndpoints : a.requestedEndpoints).join(', ');
            return (
              <>
                {models || (endpoints ? '' : '—')}
                {endpoints && (
                  <span className="block text-slate-500">
                    <span className="font-sans">Endpoints:</span> {endpoints}
                  </span>
                )}
              </>
            );
          },
        },
        { header: 'Active keys', right: true, cellClassName: 'tabular-nums', cell: (a) => a._count.keys },
        showOwners && {
          header: 'Owners',
          cellClassName: 'text-slate-700',
          cell: (a) => a.owners.map((o) => o.user.email).join(', '),
        },
        {
          header: 'Updated',
          cellClassName: 'whitespace-nowrap text-slate-600',
          cell: (a) => <Time date={a.updatedAt} rel />,
        },
      ]}
    />
  );
}
