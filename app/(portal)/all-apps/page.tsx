import type { Metadata } from 'next';
import { z } from 'zod';
import { REVIEWERS, requireUser } from '@/lib/auth/session';
import { listApps } from '@/lib/apps/queries';
import { AppTable } from '@/components/apps/app-table';
import { STATUS_LABEL } from '@/components/ui/badge';
import { buttonClass } from '@/components/ui/button';
import { EmptyState, PageHeader } from '@/components/ui/card';
import { Input, Select } from '@/components/ui/field';

export const metadata: Metadata = { title: 'All apps' };

const filterSchema = z.object({
  status: z
    .enum(['pending', 'changes_requested', 'approved', 'rejected', 'suspended'])
    .optional()
    .catch(undefined),
  q: z.string().trim().max(60).optional().catch(undefined),
});

export default async function AllAppsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser(REVIEWERS);
  const filter = filterSchema.parse(await searchParams);
  const apps = await listApps(user, filter);
  const filtered = Boolean(filter.status || filter.q);
  return (
    <>
      <PageHeader title="All apps" description="Every app in Portico, whatever its status." />
      <form
        method="get"
        className="mb-4 flex flex-wrap items-end gap-3"
        role="search"
        aria-label="Filter apps"
      >
        <div>
          <label htmlFor="q" className="block text-sm font-medium text-slate-700">
            Name
          </label>
          <Input
            id="q"
            name="q"
            defaultValue={filter.q ?? ''}
            placeholder="Search by name"
            className="mt-1 w-56"
          />
        </div>
        <div>
          <label htmlFor="status" className="block text-sm font-medium text-slate-700">
            Status
          </label>
          <Select id="status" name="status" defaultValue={filter.status ?? ''} className="mt-1 w-48">
            <option value="">Any status</option>
            {Object.entries(STATUS_LABEL).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Select>
        </div>
        <button type="submit" className={buttonClass('secondary')}>
          Filter
        </button>
        {filtered && (
          <a href="/all-apps" className="py-2 text-sm font-medium text-brand-700 hover:underline">
            Clear
          </a>
        )}
      </form>
      {apps.length === 0 ? (
        <EmptyState title={filtered ? 'No app matches these filters' : 'No apps yet'}>
          {filtered ? 'Change or clear the filters.' : 'Apps appear here when someone requests access.'}
        </EmptyState>
      ) : (
        <AppTable apps={apps} showOwners caption="All apps" />
      )}
    </>
  );
}
