'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { ConfirmSubmitButton } from '@/components/ui/confirm-submit';
import { SubmitButton } from '@/components/ui/submit-button';
import { ReasonField } from './reason-field';
import { decideAction } from '@/app/(portal)/_actions/review';
import type { FormState } from '@/app/(portal)/_actions/state';

/** Reject, or send back for changes: either way with a reason the owner reads. */
export function DecideForm({ appId, canSendBack }: { appId: string; canSendBack: boolean }) {
  const [state, action] = useActionState(decideAction, {} as FormState);
  const err = state.fieldErrors?.reason;
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="appId" value={appId} />
      {state.error && !err && <Alert tone="error">{state.error}</Alert>}
      <ReasonField
        id="decision-reason"
        label="Reason or comment for the owner"
        hint="Say what is missing or why, so the owner can act on it."
        rows={4}
        state={state}
      />
      <div className="flex flex-wrap gap-2">
        {canSendBack && (
          <SubmitButton name="decision" value="changes" variant="secondary" pendingText="Sending back…">
            Send back for changes
          </SubmitButton>
        )}
        <ConfirmSubmitButton
          name="decision"
          value="reject"
          pendingText="Rejecting…"
          title="Reject this request?"
          consequence="The owners are told, with your reason. A rejection is final: the app can never be approved, and its owners would request access again with a new app."
          confirmLabel="Reject"
          cancelLabel="Keep it for review"
        >
          Reject
        </ConfirmSubmitButton>
      </div>
    </form>
  );
}
