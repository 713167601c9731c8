'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { ConfirmSubmitButton } from '@/components/ui/confirm-submit';
import { SubmitButton } from '@/components/ui/submit-button';
import { ReasonField } from './reason-field';
import { reinstateAction, suspendAction } from '@/app/(portal)/_actions/review';
import type { FormState } from '@/app/(portal)/_actions/state';

/** Admins: suspend an approved app (its keys get 403 at once) or reinstate a suspended one. */
export function SuspendForm({ appId, suspended }: { appId: string; suspended: boolean }) {
  const [state, action] = useActionState(suspended ? reinstateAction : suspendAction, {} as FormState);
  const err = state.fieldErrors?.reason;
  const id = suspended ? 'reinstate-note' : 'suspend-reason';
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="appId" value={appId} />
      {state.error && !err && <Alert tone="error">{state.error}</Alert>}
      {state.ok && state.message && <Alert tone="success">{state.message}</Alert>}
      <ReasonField
        id={id}
        label={suspended ? 'Note (optional)' : 'Reason for suspending'}
        required={!suspended}
        hint={
          suspended
            ? 'Recorded in the history, shown to the owners.'
            : 'The owners see it. Every key of the app is refused with 403 until it is reinstated.'
        }
        rows={2}
        state={state}
      />
      {suspended ? (
        <SubmitButton variant="primary" pendingText="Reinstating…">
          Reinstate app
        </SubmitButton>
      ) : (
        <ConfirmSubmitButton
          pendingText="Suspending…"
          title="Suspend this app?"
          consequence="Every key of the app gets 403 at once, and its owners are told, with your reason. An admin can reinstate it later."
          confirmLabel="Suspend app"
          cancelLabel="Keep it running"
        >
          Suspend app
        </ConfirmSubmitButton>
      )}
    </form>
  );
}
