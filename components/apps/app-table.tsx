import Link from 'next/link';
import { StatusBadge } from '@/components/ui/badge';
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
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2.5">
              App
            </th>
            <th scope="col" className="px-4 py-2.5">
              Status
            </th>
            <th scope="col" className="px-4 py-2.5">
              Models
            </th>
            <th scope="col" className="px-4 py-2.5 text-right">
              Active keys
            </th>
            {showOwners && (
              <th scope="col" className="px-4 py-2.5">
                Owners
              </th>
            )}
            <th scope="col" className="px-4 py-2.5">
              Updated
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {apps.map((a) => {
            const models =
              a.status === 'approved' || a.status === 'suspended' ? a.allowedModels : a.requestedModels;
            return (
              <tr key={a.id} className="align-top hover:bg-slate-50">
                <td className="px-4 py-3">
                  <Link href={linkTo(a.id)} className="font-semibold text-brand-700 hover:underline">
                    {a.name}
                  </Link>
                  <p className="mt-0.5 line-clamp-1 max-w-xs text-slate-500">{a.description}</p>
                </td>
                <td className="px-4 py-3">
                  <StatusBadge status={a.status} />
                  {a.status === 'changes_requested' && !showOwners && (
                    <p className="mt-1 text-xs font-medium text-violet-800">
                      Action needed: edit and resubmit
                    </p>
                  )}
                </td>
                <td className="px-4 py-3 font-mono text-xs text-slate-700">{models.join(', ') || '—'}</td>
                <td className="px-4 py-3 text-right tabular-nums">{a._count.keys}</td>
                {showOwners && (
                  <td className="px-4 py-3 text-slate-700">{a.owners.map((o) => o.user.email).join(', ')}</td>
                )}
                <td className="px-4 py-3 whitespace-nowrap text-slate-600">
                  <Time date={a.updatedAt} rel />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
