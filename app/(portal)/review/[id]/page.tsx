import type { Metadata } from 'next';
import { tokenMapHours } from '@/lib/token-maps/words';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { REVIEWERS, requireUser } from '@/lib/auth/session';
import { grantRefusal } from '@/lib/apps';
import { appDetail } from '@/lib/apps/queries';
import { gatewayConfig } from '@/lib/config';
import { DecideForm } from '@/components/apps/decide-form';
import { StatusHistory } from '@/components/apps/history';
import { PolicyForm } from '@/components/apps/policy-form';
import { RequestDetails } from '@/components/apps/policy-view';
import { Alert } from '@/components/ui/alert';
import { StatusBadge, STATUS_LABEL } from '@/components/ui/badge';
import { PageHeader, Section } from '@/components/ui/card';
import { approveAction } from '../../_actions/review';
import { adapterChoices, configuredEndpoints, endpointChoices } from '@/lib/config';
import { idSchema } from '../../_actions/guard';
import { pendingAmendment } from '@/lib/apps/amendments';
import { AmendmentReview } from '@/components/apps/amendment-review';

export const metadata: Metadata = { title: 'Review' };
// A decision taken here must never be offered again from a cached page (Back after approving).
export const dynamic = 'force-dynamic';

export default async function ReviewPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser(REVIEWERS);
  const { id } = await params;
  if (!idSchema.safeParse(id).success) notFound();
  const app = await appDetail(id);
  if (!app) notFound();
  const models = [...gatewayConfig().models.keys()];
  const endpoints = configuredEndpoints();
  const open = app.status === 'pending' || app.status === 'changes_requested';
  const amendment = app.status === 'approved' ? await pendingAmendment(app.id) : null;
  const selfGrant = open
    ? await grantRefusal({ appId: app.id, actor: { id: user.id } })
    : amendment
      ? await grantRefusal({ appId: app.id, actor: { id: user.id }, amendmentBy: amendment.requestedById })
      : null;
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/review" className="hover:underline">
            ← Review queue
          </Link>
        }
        title={
          <span className="flex flex-wrap items-center gap-3">
            Review {app.name} <StatusBadge status={app.status} />
          </span>
        }
        description={app.description}
      />
      <div className="grid gap-6 lg:grid-cols-5">
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Section id="request" title="Request">
            <RequestDetails app={app} stacked />
          </Section>
          <Section id="owners" title="Owners">
            <ul className="space-y-1 text-sm">
              {app.owners.map((o) => (
                <li key={o.userId}>
                  {o.user.email}
                  {o.user.name && <span className="text-slate-500"> · {o.user.name}</span>}
                </li>
              ))}
            </ul>
          </Section>
          <Section id="history" title="Status history">
            <StatusHistory reviews={app.reviews} />
          </Section>
        </div>
        <div className="min-w-0 space-y-6 lg:col-span-3">
          {amendment ? (
            <AmendmentReview app={app} amendment={amendment} refusal={selfGrant} />
          ) : !open ? (
            <Alert
              tone="info"
              title={`Already decided: ${STATUS_LABEL[app.status].toLowerCase()}`}
              live={false}
            >
              Nothing to review here.{' '}
              <Link href={`/apps/${app.id}`} className="font-semibold underline">
                Open the app
              </Link>{' '}
              to see its keys, policy and usage.
            </Alert>
          ) : selfGrant ? (
            <Alert tone="info" title="Another reviewer must decide this request" live={false}>
              {selfGrant.charAt(0).toUpperCase() + selfGrant.slice(1)}. It stays in the queue for the other
              reviewers.
            </Alert>
          ) : (
            <>
              {app.status === 'changes_requested' && (
                <Alert tone="info" live={false}>
                  Sent back to the owners, who have not resubmitted yet. You can still approve or reject it as
                  it stands.
                </Alert>
              )}
              <Section
                id="approve"
                title="Approve"
                description="The app can call only the models and endpoints you allow, within these limits, with this PHI policy. Admins can change them later."
              >
                <PolicyForm
                  action={approveAction}
                  appId={app.id}
                  models={models}
                  adapters={adapterChoices()}
                  endpoints={endpointChoices()}
                  involvesPhi={app.involvesPhi}
                  initial={{
                    allowedModels: app.requestedModels.filter((m) => models.includes(m)),
                    phiPolicy: 'scrub',
                    rpmLimit: null,
                    tpmLimit: null,
                    monthlyTokenBudget: null,
                    monthlyCostBudgetUsd: null,
                    allowedAdapters: [],
                    allowedEndpoints: app.requestedEndpoints.filter((e) => endpoints.includes(e)),
                    allowByoKey: false,
                    allowImages: false,
                    allowAudio: false,
                    statefulPhi: false,
                  }}
                  tokenMapHours={tokenMapHours()}
                  submitLabel="Approve"
                  pendingText="Approving…"
                  note="The owners can create keys at once."
                />
              </Section>
              <Section id="decide" title={app.status === 'pending' ? 'Or send back / reject' : 'Or reject'}>
                <DecideForm appId={app.id} canSendBack={app.status === 'pending'} />
              </Section>
            </>
          )}
        </div>
      </div>
    </>
  );
}
