import type { Metadata } from 'next';
import { ADMINS, requireUser } from '@/lib/auth/session';
import { oidcEnabled } from '@/lib/auth/options';
import { listUsers } from '@/lib/users';
import { CreateUserForm, UserControls } from '@/components/users/user-forms';
import { Badge } from '@/components/ui/badge';
import { EmptyState, PageHeader, Section } from '@/components/ui/card';
import { FilterBar, FilterField } from '@/components/ui/filter-bar';
import { Input } from '@/components/ui/field';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';

export const metadata: Metadata = { title: 'Users' };

const PAGE = 200;

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string | string[] }>;
}) {
  const me = await requireUser(ADMINS);
  const raw = (await searchParams).q;
  const q = typeof raw === 'string' ? raw.trim().slice(0, 254) : '';
  const users = await listUsers({ q, take: PAGE + 1 });
  const more = users.length > PAGE;
  if (more) users.pop();
  const sso = oidcEnabled();
  return (
    <>
      <PageHeader
        title="Users"
        description={`Roles decide what people can do. ${sso ? 'People who sign in with single sign-on for the first time become members.' : 'Single sign-on is not configured: create an account for each person.'} Role changes are in the audit log.`}
      />
      <div className="space-y-6">
        <Section id="create-user" title="Create a user">
          <CreateUserForm sso={sso} />
        </Section>
        <section aria-labelledby="users-title">
          <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
            <h2 id="users-title" className="text-lg font-semibold">
              People{' '}
              <span className="text-sm font-normal text-slate-500">
                {more ? `first ${PAGE}${q ? ' matching' : ''}` : users.length}
              </span>
            </h2>
            <FilterBar
              label="Find people"
              className="flex items-end gap-2"
              submit="Search"
              clear={Boolean(q) && { href: '/users', label: 'Clear' }}
            >
              <FilterField id="user-q" label="Find">
                <Input
                  id="user-q"
                  name="q"
                  defaultValue={q}
                  placeholder="Email or name"
                  className="mt-1 w-56"
                />
              </FilterField>
            </FilterBar>
          </div>
          {users.length === 0 && (
            <EmptyState title="Nobody matches">Try part of the email address or the name.</EmptyState>
          )}
          <Table
            caption="Users"
            className={users.length === 0 ? 'hidden' : ''}
            rows={users}
            rowKey={(u) => u.id}
            rowProps={(u) => ({ className: u.disabled ? 'bg-slate-50 text-slate-500' : '' })}
            columns={[
              {
                header: 'User',
                cell: (u) => (
                  <>
                    <div className="font-medium text-slate-900">{u.email}</div>
                    {u.name && <div className="text-xs text-slate-500">{u.name}</div>}
                  </>
                ),
              },
              {
                header: 'Role',
                cell: (u) => (
                  <>
                    <span className="capitalize">{u.role}</span>{' '}
                    {u.disabled && <Badge tone="red">Disabled</Badge>}
                  </>
                ),
              },
              {
                header: 'Sign-in',
                cellClassName: 'text-slate-700',
                cell: (u) => [u.hasPassword && 'Password', u.sso && 'SSO'].filter(Boolean).join(', ') || '—',
              },
              {
                header: 'Last sign-in',
                cellClassName: 'whitespace-nowrap text-slate-700',
                cell: (u) =>
                  u.lastLoginAt ? (
                    <Time date={u.lastLoginAt} rel />
                  ) : (
                    <span className="text-slate-400">Never</span>
                  ),
              },
              {
                header: 'Manage',
                right: true,
                cell: (u) =>
                  u.id === me.id ? (
                    <p className="text-xs text-slate-500">You (another admin can change your role)</p>
                  ) : (
                    <UserControls userId={u.id} email={u.email} role={u.role} disabled={u.disabled} />
                  ),
              },
            ]}
          />
        </section>
      </div>
    </>
  );
}
