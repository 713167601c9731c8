import type { Metadata } from 'next';
import { budgetUse } from '@/lib/usage/queries';
import { formatNumber, formatUsd } from '@/components/ui/format';
import { tokenMapHours } from '@/lib/token-maps/words';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser, isReviewer } from '@/lib/auth/session';
import { grantRefusal } from '@/lib/apps';
import { appAccess, type AppAccess } from '@/lib/apps/access';
import { appDetail, appKeys, type AppDetail } from '@/lib/apps/queries';
import { gatewayConfig } from '@/lib/config';
import { StatusHistory } from '@/components/apps/history';
import { Owners } from '@/components/apps/owners';
import { PolicyView, RequestDetails } from '@/components/apps/policy-view';
import { PolicyForm } from '@/components/apps/policy-form';
import { SuspendForm } from '@/components/apps/admin-controls';
import { WithdrawButton } from '@/components/apps/withdraw';
import { WithdrawAmendmentForm } from '@/components/apps/amendment-form';
import { askedSummary } from '@/components/apps/history';
import { pendingAmendment, askedDetails, type PendingAmendment } from '@/lib/apps/amendments';
import { withdrawAmendmentAction } from '../../_actions/amendments';
import { AppUsage } from '@/components/usage/app-usage';
import { parseRange } from '@/lib/usage/range';
import { loadAppUsage } from '@/lib/usage/app-report';
import { CreateKeyButton } from '@/components/keys/key-actions';
import { KeyTable } from '@/components/keys/key-table';
import { ShownKeyProvider } from '@/components/keys/shown-key';
import { Alert } from '@/components/ui/alert';
import { ClearDraft } from '@/components/ui/draft';
import { StatusBadge } from '@/components/ui/badge';
import { LinkButton } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/card';
import { updatePolicyAction } from '../../_actions/review';
import { adapterChoices, endpointChoices } from '@/lib/config';

export const metadata: Metadata = { title: 'App' };

type Params = {
  params: Promise<{ id: string }>;
  searchParams: Promise<{
    requested?: string;
    resubmitted?: string;
    edited?: string;
    amended?: string;
    range?: string;
    from?: string;
    to?: string;
    split?: string;
  }>;
};

/** The latest decision that explains the current status, with its reason. */
function lastDecision(app: AppDetail) {
  return [...app.reviews]
    .reverse()
    .find(
      (r) =>
        !['policy_changed', 'submitted', 'resubmitted', 'edited'].includes(r.decision) &&
        !r.decision.startsWith('amendment_'),
    );
}

/** A monthly budget spent: every call answers 429 until the month ends, which the owners must see at once. */
async function BudgetBanner({ appId }: { appId: string }) {
  const [use] = await budgetUse({ appId });
  if (!use || use.share < 1) return null;
  const spent = [
    use.tokenBudget !== null && use.tokensUsed >= use.tokenBudget
      ? `its ${formatNumber(use.tokenBudget)} tokens`
      : '',
    use.costBudgetUsd !== null && use.costUsd >= use.costBudgetUsd
      ? `its ${formatUsd(use.costBudgetUsd)}`
      : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return (
    <Alert tone="error" title="Monthly budget spent">
      This app has used {spent} for {use.month} (UTC): its calls are refused with 429 until the month ends. An
      admin can raise the budget under Administration.
    </Alert>
  );
}

/** An amendment waits: what was asked, and that the app works as approved meanwhile. */
function AmendmentBanner({
  amendment,
  canManage,
  justAsked,
}: {
  amendment: PendingAmendment;
  canManage: boolean;
  justAsked: boolean;
}) {
  const a = amendment;
  const asked = askedSummary(
    askedDetails({
      ...a,
      monthlyTokenBudget: a.monthlyTokenBudget === null ? null : Number(a.monthlyTokenBudget),
    }),
  );
  return (
    <Alert
      tone={justAsked ? 'success' : 'info'}
      title={justAsked ? 'Request for more access sent' : 'More access asked for: waiting for review'}
      live={justAsked}
    >
      <p>
        {a.requestedBy?.email ?? 'An owner'} asked for {asked ?? 'more access'}. The app keeps working as
        approved until a reviewer decides.
      </p>
      <p className="mt-1 whitespace-pre-line">Reason: “{a.reason}”</p>
      {canManage && (
        <WithdrawAmendmentForm action={withdrawAmendmentAction} appId={a.appId} amendmentId={a.id} />
      )}
    </Alert>
  );
}

function StatusBanner({
  app,
  reviewer,
  justRequested,
}: {
  app: AppDetail;
  reviewer: boolean;
  justRequested: boolean;
}) {
  const d = lastDecision(app);
  switch (app.status) {
    case 'pending':
      return (
        <Alert
          tone={justRequested ? 'success' : 'info'}
          title={justRequested ? 'Request sent' : 'Waiting for review'}
        >
          A reviewer will look at this request. You can create API keys as soon as it is approved.
          {reviewer && (
            <>
              {' '}
              <Link href={`/review/${app.id}`} className="font-semibold underline">
                Review it now
              </Link>
            </>
          )}
        </Alert>
      );
    case 'changes_requested':
      return (
        <Alert tone="warning" title="The reviewer asked for changes">
          {d?.reason && <p className="whitespace-pre-line">“{d.reason}”</p>}
          <p className="mt-1">Edit the request to answer the comment, then resubmit it.</p>
        </Alert>
      );
    case 'rejected':
      return (
        <Alert tone="error" title="Request rejected" live={false}>
          {d?.reason && <p className="whitespace-pre-line">Reason: “{d.reason}”</p>}
          <p className="mt-1">If the use case changes, request access again with a new app.</p>
        </Alert>
      );
    case 'suspended':
      return (
        <Alert tone="error" title="App suspended: its keys are refused (403)" live={false}>
          {d?.reason && <p className="whitespace-pre-line">Reason: “{d.reason}”</p>}
          <p className="mt-1">Ask a Portico admin to reinstate it.</p>
        </Alert>
      );
    default:
      return null;
  }
}

export default async function AppPage({ params, searchParams }: Params) {
  const user = await requireUser();
  const { id } = await params;
  const access = await appAccess(user, id);
  if (!access.view) notFound();
  const [app, keys, sp, amendment] = await Promise.all([
    appDetail(id),
    appKeys(id),
    searchParams,
    pendingAmendment(id),
  ]);
  if (!app) notFound();
  const admin = user.role === 'admin';
  const approved = app.status === 'approved';
  const hasKeys = approved || app.status === 'suspended' || keys.length > 0;
  const range = parseRange(sp);
  const split = sp.split === 'key' ? 'key' : 'model';
  const usageApp = {
    id: app.id,
    rpmLimit: app.rpmLimit,
    tpmLimit: app.tpmLimit,
    monthlyTokenBudget: app.monthlyTokenBudget === null ? null : Number(app.monthlyTokenBudget),
    monthlyCostBudgetUsd: app.monthlyCostBudgetUsd,
  };
  const [selfGrant, usage] = await Promise.all([
    // Four eyes: an admin who owns or requested the app may suspend it, not widen or reinstate it.
    admin && (approved || app.status === 'suspended')
      ? grantRefusal({ appId: app.id, actor: { id: user.id } })
      : null,
    hasKeys ? loadAppUsage({ app: usageApp, range, split }) : null,
  ]);

  return (
    <>
      <PageHeader
        eyebrow={
          <Link href={access.owner ? '/apps' : '/all-apps'} className="hover:underline">
            ← {access.owner ? 'My apps' : 'All apps'}
          </Link>
        }
        title={
          <span className="flex flex-wrap items-center gap-3">
            {app.name} <StatusBadge status={app.status} />
          </span>
        }
        description={app.description}
        actions={
          <HeaderActions app={app} access={access} reviewer={isReviewer(user)} amended={Boolean(amendment)} />
        }
      />
      <div className="space-y-6">
        <StatusBanner app={app} reviewer={isReviewer(user)} justRequested={Boolean(sp.requested)} />
        {/* The form that led here was sent: the draft this browser kept of it goes. */}
        {sp.requested && <ClearDraft draftKey="request.new" />}
        {(sp.resubmitted || sp.edited) && <ClearDraft draftKey={`request.${app.id}`} />}
        {sp.amended && <ClearDraft draftKey={`amend.${app.id}`} />}
        {app.status === 'approved' && <BudgetBanner appId={app.id} />}
        {amendment && (
          <AmendmentBanner amendment={amendment} canManage={access.manage} justAsked={Boolean(sp.amended)} />
        )}
        {sp.resubmitted && app.status === 'pending' && (
          <Alert tone="success">Resubmitted: the request is back in the review queue.</Alert>
        )}
        {sp.edited && app.status === 'pending' && (
          <Alert tone="success">Request updated: reviewers see the new version.</Alert>
        )}

        <KeysSection app={app} keys={keys} access={access} hasKeys={hasKeys} />

        {usage && (
          <Section
            id="usage"
            title="Usage"
            description="Per UTC day, from the usage records. Counts and cost only: prompts and answers are never stored."
          >
            <AppUsage app={usageApp} range={range} split={split} usage={usage} />
          </Section>
        )}

        <div className="grid gap-6 lg:grid-cols-3">
          <div className="min-w-0 space-y-6 lg:col-span-2">
            {admin && (app.status === 'approved' || app.status === 'suspended') && (
              <AdminSection app={app} selfGrant={selfGrant} />
            )}

            <Section id="history" title="Status history">
              <StatusHistory reviews={app.reviews} />
            </Section>
          </div>

          <div className="min-w-0 space-y-6">
            <Section
              id="policy"
              title="Policy and limits"
              description={
                admin || !(approved || app.status === 'suspended')
                  ? undefined
                  : 'Set by the reviewer. Ask a Portico admin to change them.'
              }
            >
              {app.status === 'pending' || app.status === 'changes_requested' || app.status === 'rejected' ? (
                <p className="text-sm text-slate-600">Set when the request is approved.</p>
              ) : (
                <PolicyView app={app} />
              )}
            </Section>

            <Section
              id="owners"
              title="Owners"
              description="Owners create and revoke keys and manage the owner list."
            >
              <Owners
                appId={app.id}
                me={user.id}
                canManage={access.manage}
                canAdd={access.manage && app.status !== 'rejected'}
                owners={app.owners.map((o) => ({ userId: o.userId, email: o.user.email, name: o.user.name }))}
              />
            </Section>

            <Section id="request" title="Request">
              <RequestDetails app={app} stacked />
            </Section>
          </div>
        </div>
      </div>
    </>
  );
}

/** What the viewer may do from the header: edit, withdraw, review, ask for more, get started. */
function HeaderActions({
  app,
  access,
  reviewer,
  amended,
}: {
  app: AppDetail;
  access: AppAccess;
  reviewer: boolean;
  /** An amendment already waits. */
  amended: boolean;
}) {
  const approved = app.status === 'approved';
  return (
    <>
      {app.status === 'changes_requested' && access.manage && (
        <LinkButton href={`/apps/${app.id}/edit`}>Edit and resubmit</LinkButton>
      )}
      {app.status === 'pending' && access.manage && (
        <LinkButton href={`/apps/${app.id}/edit`} variant="secondary">
          Edit request
        </LinkButton>
      )}
      {(app.status === 'pending' || app.status === 'changes_requested') && access.manage && (
        <WithdrawButton appId={app.id} name={app.name} />
      )}
      {app.status === 'pending' && reviewer && (
        <LinkButton href={`/review/${app.id}`}>Review request</LinkButton>
      )}
      {approved && access.manage && !amended && (
        <LinkButton href={`/apps/${app.id}/amend`} variant="secondary">
          Ask for more access
        </LinkButton>
      )}
      {approved && (
        <LinkButton href={`/getting-started?app=${app.id}`} variant="secondary">
          Getting started
        </LinkButton>
      )}
    </>
  );
}

/** The app's keys, and creating one (owners and admins, once approved). */
function KeysSection({
  app,
  keys,
  access,
  hasKeys,
}: {
  app: AppDetail;
  keys: Awaited<ReturnType<typeof appKeys>>;
  access: AppAccess;
  hasKeys: boolean;
}) {
  const approved = app.status === 'approved';
  return (
    <ShownKeyProvider returnFocusTo="keys-title">
      <Section
        id="keys"
        title="API keys"
        description={
          approved
            ? 'Each key is shown once, when it is created. Your backend sends it in the api-key header.'
            : undefined
        }
        actions={approved && access.manage ? <CreateKeyButton appId={app.id} /> : undefined}
      >
        {!hasKeys ? (
          <p className="text-sm text-slate-600">
            {app.status === 'rejected'
              ? 'A rejected app has no keys.'
              : 'You can create keys once the app is approved.'}
          </p>
        ) : keys.length === 0 ? (
          <p className="text-sm text-slate-600">
            {access.manage ? 'No keys yet. Create one for each deployment or environment.' : 'No keys yet.'}
          </p>
        ) : (
          <KeyTable appId={app.id} keys={keys} canManage={access.manage} canCreate={approved} />
        )}
      </Section>
    </ShownKeyProvider>
  );
}

/** Admins: the policy and limits (unless the four-eyes rule says another admin must), suspending and reinstating. */
function AdminSection({ app, selfGrant }: { app: AppDetail; selfGrant: string | null }) {
  const models = [...gatewayConfig().models.keys()];
  return (
    <Section
      id="admin"
      title="Administration"
      description="Only admins see this. Changes apply to the next request and are recorded in the history and the audit log."
    >
      <div className="space-y-6">
        {selfGrant ? (
          <Alert tone="info" live={false}>
            {selfGrant.charAt(0).toUpperCase() + selfGrant.slice(1)}: ask another admin to change its policy
            {app.status === 'suspended' ? ' or reinstate it' : ''}.
          </Alert>
        ) : (
          <details className="group">
            <summary className="cursor-pointer text-sm font-semibold text-brand-700">
              Edit policy and limits
            </summary>
            <div className="mt-4">
              <PolicyForm
                action={updatePolicyAction}
                appId={app.id}
                models={[...new Set([...models, ...app.allowedModels])]}
                adapters={adapterChoices(app.allowedAdapters)}
                endpoints={endpointChoices(app.allowedEndpoints)}
                involvesPhi={app.involvesPhi}
                initial={{
                  allowedModels: app.allowedModels,
                  phiPolicy: app.phiPolicy,
                  rpmLimit: app.rpmLimit,
                  tpmLimit: app.tpmLimit,
                  monthlyTokenBudget: app.monthlyTokenBudget === null ? null : Number(app.monthlyTokenBudget),
                  monthlyCostBudgetUsd: app.monthlyCostBudgetUsd,
                  allowedAdapters: app.allowedAdapters,
                  allowedEndpoints: app.allowedEndpoints,
                  allowByoKey: app.allowByoKey,
                  allowImages: app.allowImages,
                  allowAudio: app.allowAudio,
                  statefulPhi: app.statefulPhi,
                }}
                tokenMapHours={tokenMapHours()}
                submitLabel="Save policy"
                pendingText="Saving…"
              />
            </div>
          </details>
        )}
        <div className="border-t border-slate-100 pt-5">
          <h3 className="mb-3 text-sm font-semibold text-slate-900">
            {app.status === 'suspended' ? 'Reinstate the app' : 'Suspend the app'}
          </h3>
          {app.status === 'approved' || !selfGrant ? (
            <SuspendForm appId={app.id} suspended={app.status === 'suspended'} />
          ) : (
            <p className="text-sm text-slate-600">Another admin must reinstate it.</p>
          )}
        </div>
      </div>
    </Section>
  );
}
