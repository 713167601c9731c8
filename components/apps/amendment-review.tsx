import { adapterChoices, endpointChoices } from '@/lib/config';
import type { PendingAmendment } from '@/lib/apps/amendments';
import type { AppDetail } from '@/lib/apps/queries';
import { Alert } from '@/components/ui/alert';
import { Section } from '@/components/ui/card';
import { Time } from '@/components/ui/time';
import { approveAmendmentAction, rejectAmendmentAction } from '@/app/(portal)/_actions/amendments';
import { AmendmentForm, RejectAmendmentForm } from './amendment-form';
import { PolicyView } from './policy-view';

/**
 * A reviewer's view of an amendment: who asked, why, what the app has now, and the decision (grant all or part of
 * what was asked, or reject with a reason). Four eyes: whoever asked, or owns the app, sees why another must decide.
 */
export function AmendmentReview({
  app,
  amendment: a,
  refusal,
}: {
  app: AppDetail;
  amendment: PendingAmendment;
  refusal: string | null;
}) {
  const limits = {
    rpmLimit: a.rpmLimit,
    tpmLimit: a.tpmLimit,
    monthlyTokenBudget: a.monthlyTokenBudget === null ? null : Number(a.monthlyTokenBudget),
    monthlyCostBudgetUsd: a.monthlyCostBudgetUsd,
  };
  return (
    <>
      <Alert tone="info" title="The owners ask for more access" live={false}>
        <p>
          {a.requestedBy?.email ?? 'An owner'} asked <Time date={a.createdAt} rel />. The app keeps working as
          approved until you decide; only what you approve is added to it.
        </p>
        <p className="mt-1 whitespace-pre-line">Reason: “{a.reason}”</p>
      </Alert>
      {refusal ? (
        <Alert tone="info" title="Another reviewer must decide this amendment" live={false}>
          {refusal.charAt(0).toUpperCase() + refusal.slice(1)}. It stays in the queue for the other reviewers.
        </Alert>
      ) : (
        <>
          <Section
            id="grant"
            title="Approve the amendment"
            description="Untick what the app should not get. Admins can change the policy later."
          >
            <AmendmentForm
              mode="grant"
              action={approveAmendmentAction}
              appId={app.id}
              amendmentId={a.id}
              choices={{
                models: a.models,
                endpoints: endpointChoices(a.endpoints).filter((e) => a.endpoints.includes(e.name)),
                adapters: adapterChoices(a.adapters).filter((x) => a.adapters.includes(x.name)),
                images: a.images,
                audio: a.audio,
              }}
              current={{
                rpmLimit: app.rpmLimit,
                tpmLimit: app.tpmLimit,
                monthlyTokenBudget: app.monthlyTokenBudget === null ? null : Number(app.monthlyTokenBudget),
                monthlyCostBudgetUsd: app.monthlyCostBudgetUsd,
              }}
              initial={{
                models: a.models,
                endpoints: a.endpoints,
                adapters: a.adapters,
                images: a.images,
                audio: a.audio,
                ...limits,
              }}
            />
          </Section>
          <Section id="reject" title="Or reject">
            <RejectAmendmentForm action={rejectAmendmentAction} appId={app.id} amendmentId={a.id} />
          </Section>
        </>
      )}
      <Section id="policy" title="What the app has now">
        <PolicyView app={app} />
      </Section>
    </>
  );
}
