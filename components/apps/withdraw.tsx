'use client';

import { useActionState, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { SubmitButton } from '@/components/ui/submit-button';
import { withdrawAction } from '@/app/(portal)/_actions/apps';
import type { FormState } from '@/app/(portal)/_actions/state';

/** Owners withdraw a request that is not decided yet, after a confirmation. */
export function WithdrawButton({ appId, name }: { appId: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(withdrawAction, {} as FormState);
  return (
    <>
      <Button variant="secondary" className="text-red-700" onClick={() => setOpen(true)}>
        Withdraw request
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Withdraw ${name}?`}
        description="The request leaves the review queue and the app is deleted; its name is free again. Nothing else changes."
      >
        <form action={action} className="space-y-4">
          <input type="hidden" name="appId" value={appId} />
          {state.error && <Alert tone="error">{state.error}</Alert>}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)} data-autofocus>
              Keep the request
            </Button>
            <SubmitButton variant="danger" pendingText="Withdrawing…">
              Withdraw request
            </SubmitButton>
          </div>
        </form>
      </Dialog>
    </>
  );
}
