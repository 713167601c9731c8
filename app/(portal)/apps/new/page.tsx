import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/session';
import { endpointChoices, gatewayConfig, modelPrices } from '@/lib/config';
import { RequestForm } from '@/components/apps/request-form';
import { Card, PageHeader } from '@/components/ui/card';
import { requestAccessAction } from '../../_actions/apps';

export const metadata: Metadata = { title: 'Request access' };

export default async function RequestAccessPage() {
  await requireUser();
  const config = gatewayConfig();
  return (
    <>
      <PageHeader
        title="Request access"
        description="Tell reviewers about one use case. You become the app’s owner; once it is approved you can create API keys for it."
      />
      <Card className="max-w-3xl p-6">
        <RequestForm
          action={requestAccessAction}
          models={[...config.models.keys()]}
          endpoints={endpointChoices()}
          prices={modelPrices()}
          attestation={config.portal.attestation}
          submitLabel="Submit request"
        />
      </Card>
    </>
  );
}
