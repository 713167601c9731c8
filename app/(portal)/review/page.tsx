import type { Metadata } from 'next';
import Link from 'next/link';
import { REVIEWERS, requireUser } from '@/lib/auth/session';
import { appHeadline, reviewQueue } from '@/lib/apps/queries';
import { idSchema } from '../_actions/guard';
import { Alert } from '@/components/ui/alert';
import { StatusBadge, STATUS_LABEL } from '@/components/ui/badge';
import { EmptyState, PageHeader } from '@/components/ui/card';
import { Table } from '@/components/ui/table';
import { Time } from '@/components/ui/time';
import type { listOwnedApps } from '@/lib/apps/queries';
import { amendmentQueue, askedDetails } from '@/lib/apps/amendments';
import { askedSummary } from '@/components/apps/history';

export const metadata: Metadata = { title: 'Review queue' };

type Row = Awaited<ReturnType<typeof listOwnedApps>>[number];

function QueueTable({
  apps,
  caption,
  sentBack = false,
}: {
  apps: Row[];
  caption: string;
  sentBack?: boolean;
}) {
  return (
    <Table
      caption={caption}
      rows={apps}
      rowKey={(a) => a.id}
      columns={[
        {
          header: 'App',
          cell: (a) => (
            <>
              <Link href={`/review/${a.id}`} className="font-semibold text-slate-900 hover:underline">
                {a.name}
              </Link>
              <p className="mt-0.5 line-clamp-2 max-w-sm text-slate-500">{a.description}</p>
            </>
          ),
        },
        {
          header: 'Owners',
          cellClassName: 'text-slate-700',
          cell: (a) => a.owners.map((o) => o.user.email).join(', '),
        },
        {
          header: 'Requested',
          cellClassName: 'font-mono text-xs',
          cell: (a) => (
            <>
              {a.requestedModels.join(', ')}
              {a.requestedEndpoints.length > 0 && (
                <span className="block text-slate-500">
                  <span className="font-sans">Endpoints:</span> {a.requestedEndpoints.join(', ')}
                </span>
              )}
            </>
          ),
        },
        { header: 'PHI', cell: (a) => (a.involvesPhi ? 'Yes' : 'No') },
        {
          header: sentBack ? 'Sent back' : 'Waiting since',
          cellClassName: 'whitespace-nowrap text-slate-600',
          cell: (a) => <Time date={a.reviews[0]?.createdAt ?? a.updatedAt} rel />,
        },
        {
          header: <span className="sr-only">Action</span>,
          right: true,
          cell: (a) => (
            <Link
              href={`/review/${a.id}`}
              className="font-semibold whitespace-nowrap text-brand-700 hover:underline"
              aria-label={`Review ${a.name}`}
            >
              {sentBack ? 'Open' : 'Review'}
            </Link>
          ),
        },
      ]}
    />
  );
}

type Amendment = Awaited<ReturnType<typeof amendmentQueue>>[number];

/** Approved apps whose owners ask for more: what, who, since when. */
function AmendmentTable({ amendments }: { amendments: Amendment[] }) {
  return (
    <Table
      caption="Approved apps asking for more access"
      rows={amendments}
      rowKey={(a) => a.id}
      columns={[
        {
          header: 'App',
          cell: (a) => (
            <>
              <Link href={`/review/${a.app.id}`} className="font-semibold text-slate-900 hover:underline">
                {a.app.name}
              </Link>
              <p className="mt-0.5 line-clamp-2 max-w-sm text-slate-500">{a.reason}</p>
            </>
          ),
        },
        { header: 'Asked by', cellClassName: 'text-slate-700', cell: (a) => a.requestedBy?.email ?? '' },
        {
          header: 'Asks for',
          cellClassName: 'text-xs',
          cell: (a) =>
            askedSummary(
              askedDetails({
                ...a,
                monthlyTokenBudget: a.monthlyTokenBudget === null ? null : Number(a.monthlyTokenBudget),
              }),
            ),
        },
        {
          header: 'Waiting since',
          cellClassName: 'whitespace-nowrap text-slate-600',
          cell: (a) => <Time date={a.createdAt} rel />,
        },
        {
          header: <span className="sr-only">Action</span>,
          right: true,
          cell: (a) => (
            <Link
              href={`/review/${a.app.id}`}
              className="font-semibold whitespace-nowrap text-brand-700 hover:underline"
              aria-label={`Review the amendment of ${a.app.name}`}
            >
              Review
            </Link>
          ),
        },
      ]}
    />
  );
}

const MORE: Record<string, string> = {
  approved: 'more access approved',
  rejected: 'more access rejected; it keeps what it had',
};

export default async function ReviewQueuePage({
  searchParams,
}: {
  searchParams: Promise<{ decided?: string; more?: string }>;
}) {
  await requireUser(REVIEWERS);
  const [{ pending, sentBack }, { decided, more }, amendments] = await Promise.all([
    reviewQueue(),
    searchParams,
    amendmentQueue(),
  ]);
  const decidedId = idSchema.safeParse(decided);
  const done = decidedId.success ? await appHeadline(decidedId.data) : null;
  return (
    <>
      <PageHeader
        title="Review queue"
        description="Requests waiting for a decision, oldest first. Approve with models, limits and a PHI policy; reject or send back with a reason the owner sees. Approved apps asking for more come after them."
      />
      {done && (
        <Alert tone="success" className="mb-6">
          <span className="font-semibold">{done.name}</span>:{' '}
          {(more && MORE[more]) ?? STATUS_LABEL[done.status].toLowerCase()}.{' '}
          <Link href={`/apps/${done.id}`} className="underline">
            View the app
          </Link>
        </Alert>
      )}
      <div className="space-y-8">
        <section aria-labelledby="pending-title">
          <h2 id="pending-title" className="mb-3 flex items-center gap-2 text-lg font-semibold">
            Waiting for review <StatusBadge status="pending" />{' '}
            <span className="text-sm font-normal text-slate-500">{pending.length}</span>
          </h2>
          {pending.length === 0 ? (
            <EmptyState title="Nothing waiting for review">
              New requests appear here as owners submit them.
            </EmptyState>
          ) : (
            <QueueTable apps={pending} caption="Requests waiting for review" />
          )}
        </section>
        {amendments.length > 0 && (
          <section aria-labelledby="amend-title">
            <h2 id="amend-title" className="mb-3 flex items-center gap-2 text-lg font-semibold">
              Asking for more access{' '}
              <span className="text-sm font-normal text-slate-500">{amendments.length}</span>
            </h2>
            <AmendmentTable amendments={amendments} />
          </section>
        )}
        {sentBack.length > 0 && (
          <section aria-labelledby="sentback-title">
            <h2 id="sentback-title" className="mb-3 flex items-center gap-2 text-lg font-semibold">
              Sent back to owners <StatusBadge status="changes_requested" />{' '}
              <span className="text-sm font-normal text-slate-500">{sentBack.length}</span>
            </h2>
            <QueueTable apps={sentBack} caption="Requests sent back to their owners" sentBack />
          </section>
        )}
      </div>
    </>
  );
}
