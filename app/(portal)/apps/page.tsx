import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/session';
import { listOwnedApps } from '@/lib/apps/queries';
import { AppTable } from '@/components/apps/app-table';
import { Alert } from '@/components/ui/alert';
import { LinkButton } from '@/components/ui/button';
import { EmptyState, PageHeader } from '@/components/ui/card';

export const metadata: Metadata = { title: 'My apps' };

export default async function MyAppsPage({
  searchParams,
}: {
  searchParams: Promise<{ left?: string; withdrawn?: string }>;
}) {
  const user = await requireUser();
  const [apps, { left, withdrawn }] = await Promise.all([listOwnedApps(user.id), searchParams]);
  return (
    <>
      <PageHeader
        title="My apps"
        description="Each app is one use case with its own approval, keys, limits and usage."
        actions={<LinkButton href="/apps/new">Request access</LinkButton>}
      />
      {withdrawn && (
        <Alert tone="success" className="mb-4">
          Request withdrawn: it left the review queue.
        </Alert>
      )}
      {left && (
        <Alert tone="success" className="mb-4">
          You are no longer an owner of that app.
        </Alert>
      )}
      {apps.length === 0 ? (
        <EmptyState
          title="You don’t own any apps yet"
          action={<LinkButton href="/apps/new">Request access for a use case</LinkButton>}
        >
          Request access for a use case. Once a reviewer approves it you can create API keys and call the
          models from your backend. If a colleague already has an app for your use case, ask them to add you
          as an owner.
        </EmptyState>
      ) : (
        <AppTable apps={apps} caption="Apps you own" />
      )}
    </>
  );
}
