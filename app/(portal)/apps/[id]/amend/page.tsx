import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser } from '@/lib/auth/session';
import { appAccess } from '@/lib/apps/access';
import { pendingAmendment } from '@/lib/apps/amendments';
import { appDetail } from '@/lib/apps/queries';
import { adapterChoices, endpointChoices, gatewayConfig, modelPrices } from '@/lib/config';
import { AmendmentForm } from '@/components/apps/amendment-form';
import { PolicyView } from '@/components/apps/policy-view';
import { Alert } from '@/components/ui/alert';
import { Card, PageHeader, Section } from '@/components/ui/card';
import { requestAmendmentAction } from '../../../_actions/amendments';

export const metadata: Metadata = { title: 'Ask for more access' };

export default async function AmendPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const access = await appAccess(user, id);
  if (!access.view || !access.manage) notFound();
  const [app, open] = await Promise.all([appDetail(id), pendingAmendment(id)]);
  if (!app) notFound();
  const lacks = (have: string[]) => (n: string) => !have.includes(n);
  const models = [...gatewayConfig().models.keys()].filter(lacks(app.allowedModels));
  const prices = modelPrices().filter((p) => models.includes(p.model));
  const current = {
    rpmLimit: app.rpmLimit,
    tpmLimit: app.tpmLimit,
    monthlyTokenBudget: app.monthlyTokenBudget === null ? null : Number(app.monthlyTokenBudget),
    monthlyCostBudgetUsd: app.monthlyCostBudgetUsd,
  };
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href={`/apps/${app.id}`} className="hover:underline">
            ← {app.name}
          </Link>
        }
        title="Ask for more access"
        description="An amendment to the approved request: choose what the app needs beyond what it has and say why. A reviewer who is not an owner decides; the app keeps working as approved meanwhile."
      />
      {app.status !== 'approved' ? (
        <Alert tone="info" live={false}>
          Only an approved app can ask for more; this one is {app.status.replace('_', ' ')}.{' '}
          <Link href={`/apps/${app.id}`} className="font-semibold underline">
            Back to the app
          </Link>
        </Alert>
      ) : open ? (
        <Alert tone="info" title="A request for more access already waits for review" live={false}>
          Wait for the reviewer&rsquo;s decision, or withdraw it on the{' '}
          <Link href={`/apps/${app.id}`} className="font-semibold underline">
            app&rsquo;s page
          </Link>{' '}
          to ask for something else.
        </Alert>
      ) : (
        <div className="grid max-w-5xl gap-6 lg:grid-cols-3">
          <Card className="min-w-0 p-6 lg:col-span-2">
            <AmendmentForm
              mode="ask"
              action={requestAmendmentAction}
              appId={app.id}
              choices={{
                models,
                endpoints: endpointChoices().filter((e) => !app.allowedEndpoints.includes(e.name)),
                adapters: adapterChoices().filter((a) => !app.allowedAdapters.includes(a.name)),
                images: !app.allowImages,
                audio: !app.allowAudio,
              }}
              current={current}
              initial={{
                models: [],
                endpoints: [],
                adapters: [],
                images: false,
                audio: false,
                rpmLimit: null,
                tpmLimit: null,
                monthlyTokenBudget: null,
                monthlyCostBudgetUsd: null,
              }}
              prices={prices}
            />
          </Card>
          <div className="min-w-0">
            <Section id="policy" title="What the app has now">
              <PolicyView app={app} />
            </Section>
          </div>
        </div>
      )}
    </>
  );
}
