'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { describedBy, Field, Input, Select } from '@/components/ui/field';
import { ConfirmSubmitButton } from '@/components/ui/confirm-submit';
import { SubmitButton } from '@/components/ui/submit-button';
import {
  createUserAction,
  resetPasswordAction,
  setDisabledAction,
  setRoleAction,
} from '@/app/(portal)/_actions/users';
import type { FormState, ResetState } from '@/app/(portal)/_actions/state';
import { CopyButton } from '@/components/ui/copy-button';
import { useFocusFirstError } from '@/components/apps/request-form';

const ROLES = [
  ['member', 'Member: requests access, owns apps'],
  ['reviewer', 'Reviewer: also reviews requests, reads the audit log'],
  ['admin', 'Admin: also manages users, suspends apps, edits policy'],
] as const;

export function CreateUserForm({ sso }: { sso: boolean }) {
  const [state, action] = useActionState(createUserAction, {} as FormState);
  const ref = useFocusFirstError(state);
  const err = state.fieldErrors ?? {};
  const v = state.ok ? {} : (state.values ?? {});
  return (
    <form ref={ref} action={action} noValidate className="space-y-4" key={state.at ?? 0}>
      {state.error && <Alert tone="error">{state.error}</Alert>}
      {state.ok && state.message && <Alert tone="success">{state.message}</Alert>}
      <div className="grid gap-4 md:grid-cols-2">
        <Field id="u-email" label="Email" required error={err.email}>
          <Input
            id="u-email"
            name="email"
            type="email"
            autoComplete="off"
            required
            defaultValue={(v.email as string) ?? ''}
            {...describedBy('u-email', { error: err.email })}
          />
        </Field>
        <Field id="u-name" label="Name" error={err.name}>
          <Input
            id="u-name"
            name="name"
            autoComplete="off"
            defaultValue={(v.name as string) ?? ''}
            {...describedBy('u-name', { error: err.name })}
          />
        </Field>
        <Field id="u-role" label="Role" required error={err.role}>
          <Select
            id="u-role"
            name="role"
            defaultValue={(v.role as string) ?? 'member'}
            {...describedBy('u-role', { error: err.role })}
          >
            {ROLES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          id="u-password"
          label="Password"
          hint={
            sso ? 'At least 12 characters. Leave empty for a single sign-on user.' : 'At least 12 characters.'
          }
          required={!sso}
          error={err.password}
        >
          <Input
            id="u-password"
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            maxLength={256}
            {...describedBy('u-password', { hint: 1, error: err.password })}
          />
        </Field>
      </div>
      <SubmitButton pendingText="Creating…">Create user</SubmitButton>
    </form>
  );
}

/** A user's role and whether the account is enabled; the admin's own row has no controls (see the page). */
export function UserControls({
  userId,
  email,
  role,
  disabled,
}: {
  userId: string;
  email: string;
  role: string;
  disabled: boolean;
}) {
  const [roleState, changeRole] = useActionState(setRoleAction, {} as FormState);
  const [disState, toggle] = useActionState(setDisabledAction, {} as FormState);
  const [resetState, reset] = useActionState(resetPasswordAction, {} as ResetState);
  const latest = [roleState, disState, resetState].reduce((a, b) => ((b.at ?? 0) > (a.at ?? 0) ? b : a));
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center justify-end gap-2">
        <form action={changeRole} className="flex items-center gap-1">
          <input type="hidden" name="userId" value={userId} />
          <label htmlFor={`role-${userId}`} className="sr-only">
            Role of {email}
          </label>
          <Select
            id={`role-${userId}`}
            name="role"
            defaultValue={role}
            key={`${role}-${roleState.at ?? 0}`}
            className="w-32 py-1"
          >
            <option value="member">Member</option>
            <option value="reviewer">Reviewer</option>
            <option value="admin">Admin</option>
          </Select>
          <SubmitButton variant="secondary" size="sm" pendingText="Saving…" label={`Save role of ${email}`}>
            Save role
          </SubmitButton>
        </form>
        <form action={toggle}>
          <input type="hidden" name="userId" value={userId} />
          <input type="hidden" name="disabled" value={disabled ? 'false' : 'true'} />
          <SubmitButton
            variant={disabled ? 'secondary' : 'ghost'}
            size="sm"
            className={disabled ? '' : 'text-red-700 hover:bg-red-50'}
            pendingText="…"
            label={`${disabled ? 'Enable' : 'Disable'} ${email}`}
          >
            {disabled ? 'Enable' : 'Disable'}
          </SubmitButton>
        </form>
        <form action={reset}>
          <input type="hidden" name="userId" value={userId} />
          <ConfirmSubmitButton
            variant="ghost"
            size="sm"
            pendingText="…"
            label={`Reset the password of ${email}`}
            title={`Reset the password of ${email}?`}
            consequence="Their password stops working and every session of theirs ends. You get a temporary password to give them; they choose their own at sign-in."
            confirmLabel="Reset password"
          >
            Reset password
          </ConfirmSubmitButton>
        </form>
      </div>
      {latest === resetState && resetState.temporary && (
        <div className="ml-auto max-w-sm rounded-md border border-amber-200 bg-amber-50 p-3 text-left text-xs text-amber-900">
          <p>
            Temporary password for {resetState.temporary.email}, shown this once. Give it to them through a
            safe channel; they choose their own at sign-in.
          </p>
          <div className="mt-2 flex items-center gap-2">
            <code
              className="rounded bg-white px-2 py-1 font-mono text-sm break-all select-all"
              data-temporary-password
            >
              {resetState.temporary.password}
            </code>
            <CopyButton text={resetState.temporary.password} />
          </div>
        </div>
      )}
      <p role="status" className={`text-right text-xs ${latest.error ? 'text-red-700' : 'text-emerald-700'}`}>
        {latest.error ?? latest.message ?? ''}
      </p>
    </div>
  );
}
