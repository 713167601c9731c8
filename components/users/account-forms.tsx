'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { describedBy, Field, Input } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import { changePasswordAction } from '@/app/(portal)/_actions/account';
import type { FormState } from '@/app/(portal)/_actions/state';
import { useFocusFirstError } from '@/components/apps/request-form';

/** The signed-in user's own password; `hasPassword` false: a single sign-on user setting a first one. */
export function ChangePasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const [state, action] = useActionState(changePasswordAction, {} as FormState);
  const ref = useFocusFirstError(state);
  const err = state.fieldErrors ?? {};
  return (
    <form ref={ref} action={action} noValidate className="max-w-md space-y-4" key={state.at ?? 0}>
      {state.error && <Alert tone="error">{state.error}</Alert>}
      {state.ok && state.message && <Alert tone="success">{state.message}</Alert>}
      {hasPassword && (
        <Field id="pw-current" label="Current password" required error={err.current}>
          <Input
            id="pw-current"
            name="current"
            type="password"
            autoComplete="current-password"
            required
            {...describedBy('pw-current', { error: err.current })}
          />
        </Field>
      )}
      <Field id="pw-next" label="New password" hint="At least 12 characters." required error={err.next}>
        <Input
          id="pw-next"
          name="next"
          type="password"
          autoComplete="new-password"
          minLength={12}
          maxLength={256}
          required
          {...describedBy('pw-next', { hint: 1, error: err.next })}
        />
      </Field>
      <Field id="pw-confirm" label="New password again" required error={err.confirm}>
        <Input
          id="pw-confirm"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          {...describedBy('pw-confirm', { error: err.confirm })}
        />
      </Field>
      <SubmitButton pendingText="Saving…">Change password</SubmitButton>
    </form>
  );
}
