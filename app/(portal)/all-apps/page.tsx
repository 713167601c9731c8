import type { Metadata } from 'next';
import { z } from 'zod';
import { REVIEWERS, requireUser } from '@/lib/auth/session';
import { listApps } from '@/lib/apps/queries';
import { AppTable } from '@/components/apps/app-table';
import { STATUS_LABEL } from '@/components/ui/badge';
import { FilterBar, FilterField } from '@/components/ui/filter-bar';
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
      <FilterBar
        label="Filter apps"
        className="mb-4 flex flex-wrap items-end gap-3"
        submit="Filter"
        clear={filtered && { href: '/all-apps', label: 'Clear' }}
      >
        <FilterField id="q" label="Name">
          <Input
            id="q"
            name="q"
            defaultValue={filter.q ?? ''}
            placeholder="Search by name"
            className="mt-1 w-56"
          />
        </FilterField>
        <FilterField id="status" label="Status">
          <Select id="status" name="status" defaultValue={filter.status ?? ''} className="mt-1 w-48">
            <option value="">Any status</option>
            {Object.entries(STATUS_LABEL).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Select>
        </FilterField>
      </FilterBar>
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
