'use client';

import { useActionState, useEffect, useRef } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { describedBy, Input } from '@/components/ui/field';
import { ConfirmSubmitButton } from '@/components/ui/confirm-submit';
import { SubmitButton } from '@/components/ui/submit-button';
import { addOwnerAction, removeOwnerAction } from '@/app/(portal)/_actions/apps';
import type { FormState } from '@/app/(portal)/_actions/state';

export interface OwnerRow {
  userId: string;
  email: string;
  name: string | null;
}

/** Owners: anyone listed may manage keys and owners; an app keeps at least one. */
export function Owners({
  appId,
  owners,
  canManage,
  canAdd = canManage,
  me,
}: {
  appId: string;
  owners: OwnerRow[];
  canManage: boolean;
  /** Whether new owners may be added (a rejected app takes none). */
  canAdd?: boolean;
  me: string;
}) {
  const [removed, remove] = useActionState(removeOwnerAction, {} as FormState);
  const [added, add] = useActionState(addOwnerAction, {} as FormState);
  const emailRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (added.error) emailRef.current?.focus();
  }, [added]);
  const last = owners.length <= 1;
  const feedback = [removed, added].sort((a, b) => (b.at ?? 0) - (a.at ?? 0))[0];
  return (
    <div className="space-y-4">
      <ul className="divide-y divide-slate-100">
        {owners.map((o) => (
          <li key={o.userId} className="flex items-center justify-between gap-3 py-2 text-sm">
            <span className="min-w-0">
              <span className="block truncate font-medium text-slate-900" title={o.email}>
                {o.email}
              </span>
              {o.name && <span className="block truncate text-xs text-slate-500">{o.name}</span>}
            </span>
            {canManage && (
              <form action={remove}>
                <input type="hidden" name="appId" value={appId} />
                <input type="hidden" name="userId" value={o.userId} />
                {last ? (
                  <Button
                    variant="ghost"
                    size="sm"
                    disabled
                    title="An app keeps at least one owner"
                    aria-label={`Remove ${o.email} (not possible: the last owner)`}
                  >
                    Remove
                  </Button>
                ) : (
                  <ConfirmSubmitButton
                    variant="ghost"
                    size="sm"
                    className="text-red-700 hover:bg-red-50"
                    pendingText="Removing…"
                    label={`Remove ${o.email}${o.userId === me ? ' (you)' : ''}`}
                    title={o.userId === me ? 'Remove yourself as an owner?' : `Remove ${o.email}?`}
                    consequence={
                      o.userId === me
                        ? 'You will no longer manage this app or its keys; another owner can add you back.'
                        : `${o.email} will no longer manage this app or its keys.`
                    }
                    confirmLabel="Remove owner"
                  >
                    Remove
                  </ConfirmSubmitButton>
                )}
              </form>
            )}
          </li>
        ))}
      </ul>
      {feedback?.error && !feedback.fieldErrors?.email && <Alert tone="error">{feedback.error}</Alert>}
      {feedback?.ok && feedback.message && <Alert tone="success">{feedback.message}</Alert>}
      {canAdd && (
        <form action={add} className="flex flex-wrap items-end gap-2" noValidate>
          <input type="hidden" name="appId" value={appId} />
          <div className="min-w-48 flex-1">
            <label htmlFor="owner-email" className="block text-sm font-medium text-slate-800">
              Add an owner by email
            </label>
            <Input
              key={added.at ?? 0}
              defaultValue={added.ok ? '' : ((added.values?.email as string | undefined) ?? '')}
              ref={emailRef}
              id="owner-email"
              name="email"
              type="email"
              autoComplete="off"
              required
              placeholder="colleague@example.org"
              className="mt-1"
              {...describedBy('owner-email', { error: added.fieldErrors?.email })}
            />
          </div>
          <SubmitButton variant="secondary" pendingText="Adding…">
            Add owner
          </SubmitButton>
          {added.fieldErrors?.email && (
            <p id="owner-email-error" className="w-full text-sm font-medium text-red-700">
              {added.fieldErrors.email}
            </p>
          )}
        </form>
      )}
      {canManage && last && (
        <p className="text-xs text-slate-500">
          An app keeps at least one owner: add another before removing this one.
        </p>
      )}
    </div>
  );
}
