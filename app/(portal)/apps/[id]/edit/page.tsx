import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser } from '@/lib/auth/session';
import { appAccess } from '@/lib/apps/access';
import { appDetail } from '@/lib/apps/queries';
import { endpointChoices, gatewayConfig, modelPrices } from '@/lib/config';
import { RequestForm } from '@/components/apps/request-form';
import { Alert } from '@/components/ui/alert';
import { Card, PageHeader } from '@/components/ui/card';
import { resubmitAction } from '../../../_actions/apps';

export const metadata: Metadata = { title: 'Edit request' };

export default async function EditRequestPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const access = await appAccess(user, id);
  if (!access.view || !access.manage) notFound();
  const app = await appDetail(id);
  if (!app) notFound();
  const config = gatewayConfig();
  const comment = [...app.reviews].reverse().find((r) => r.decision === 'changes_requested');
  const sentBack = app.status === 'changes_requested';
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href={`/apps/${app.id}`} className="hover:underline">
            ← {app.name}
          </Link>
        }
        title={sentBack ? 'Edit and resubmit' : 'Edit request'}
        description={
          sentBack
            ? 'Answer the reviewer’s comment, then send the request back to the review queue.'
            : 'The request waits for a reviewer; your changes replace it in the queue.'
        }
      />
      {!sentBack && app.status !== 'pending' ? (
        <Alert tone="info">
          This request is decided, so there is nothing to edit.
          {app.status === 'approved' && (
            <>
              {' '}
              To ask for more models, endpoints, adapters, media or limits,{' '}
              <Link href={`/apps/${app.id}/amend`} className="font-semibold underline">
                ask for more access
              </Link>
              : a reviewer decides, and the app keeps working as approved meanwhile.
            </>
          )}
        </Alert>
      ) : (
        <div className="max-w-3xl space-y-6">
          {sentBack && comment?.reason && (
            <Alert
              tone="warning"
              title={`Comment from ${comment.reviewer?.email ?? 'the reviewer'}`}
              live={false}
            >
              <p className="whitespace-pre-line">{comment.reason}</p>
            </Alert>
          )}
          <Card className="p-6">
            <RequestForm
              action={resubmitAction}
              appId={app.id}
              models={[...config.models.keys()]}
              endpoints={endpointChoices()}
              prices={modelPrices()}
              attestation={config.portal.attestation}
              submitLabel={sentBack ? 'Resubmit request' : 'Save changes'}
              initial={{
                name: app.name,
                description: app.description,
                useCase: app.useCase,
                sponsor: app.sponsor,
                expectedReturn: app.expectedReturn,
                involvesPhi: app.involvesPhi ? 'yes' : 'no',
                requestedModels: app.requestedModels,
                requestedEndpoints: app.requestedEndpoints,
                expectedVolume: app.expectedVolume,
                attested: app.internalOnlyAttested,
              }}
            />
          </Card>
        </div>
      )}
    </>
  );
}
