'use client';

import { useActionState, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { describedBy, Field, Input, Select } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import { createKeyAction, revokeKeyAction, rotateKeyAction } from '@/app/(portal)/_actions/keys';
import type { FormState, NewKeyState } from '@/app/(portal)/_actions/state';
import { GRACE_CHOICES, GRACE_MINUTES } from '@/lib/keys/grace';
import { useShowKey } from './shown-key';

/** Opens a dialog; closing it remounts the content, so a shown key is gone from memory and the form starts fresh. */
function useDialog() {
  const [open, setOpen] = useState(false);
  const [round, setRound] = useState(0);
  return {
    open,
    round,
    show: () => setOpen(true),
    close: () => {
      setOpen(false);
      setRound((r) => r + 1);
    },
  };
}

export function CreateKeyButton({ appId }: { appId: string }) {
  const d = useDialog();
  return (
    <>
      <Button onClick={d.show}>Create key</Button>
      <Dialog
        open={d.open}
        onClose={d.close}
        title="Create an API key"
        description="One key per deployment or environment makes rotation and revocation painless."
      >
        <CreateKeyForm key={d.round} appId={appId} onDone={d.close} />
      </Dialog>
    </>
  );
}

/** Wraps a key action: on success the key goes to the dialog that shows it once, and this form's dialog closes. */
function useKeyAction(run: typeof createKeyAction, onDone: () => void) {
  const show = useShowKey();
  return useActionState(async (prev: NewKeyState, fd: FormData): Promise<NewKeyState> => {
    const next = await run(prev, fd);
    if (!next.secret) return next;
    show(next.secret);
    onDone();
    return {};
  }, {} as NewKeyState);
}

function CreateKeyForm({ appId, onDone }: { appId: string; onDone: () => void }) {
  const [state, action] = useKeyAction(createKeyAction, onDone);
  const err = state.fieldErrors ?? {};
  const v = state.values ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="appId" value={appId} />
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <Field
        id="key-name"
        label="Key name"
        required
        hint="Where it will be used, e.g. “production backend”."
        error={err.name}
      >
        <Input
          id="key-name"
          name="name"
          required
          maxLength={80}
          data-autofocus
          defaultValue={(v.name as string) ?? ''}
          autoComplete="off"
          {...describedBy('key-name', { hint: 1, error: err.name })}
        />
      </Field>
      <Field
        id="key-expiry"
        label="Expiry"
        hint="An expiring key limits the damage of a leak; rotate before it ends."
        error={err.expiresInDays}
      >
        <Select
          id="key-expiry"
          name="expiresInDays"
          defaultValue={(v.expiresInDays as string) ?? '90'}
          {...describedBy('key-expiry', { hint: 1, error: err.expiresInDays })}
        >
          <option value="30">30 days</option>
          <option value="90">90 days</option>
          <option value="180">180 days</option>
          <option value="365">1 year</option>
          <option value="">Never expires</option>
        </Select>
      </Field>
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <SubmitButton pendingText="Creating…">Create key</SubmitButton>
      </div>
    </form>
  );
}

export function RotateKeyButton({
  appId,
  keyId,
  display,
  name,
}: {
  appId: string;
  keyId: string;
  display: string;
  name: string;
}) {
  const d = useDialog();
  return (
    <>
      <Button variant="secondary" size="sm" onClick={d.show} aria-label={`Rotate key ${name} (${display})`}>
        Rotate
      </Button>
      <Dialog
        open={d.open}
        onClose={d.close}
        title={`Rotate ${name}`}
        description={
          <>
            A new key replaces <span className="font-mono">{display}</span>. The old key keeps working for the
            grace period you choose, so you can deploy the new one without downtime.
          </>
        }
      >
        <RotateKeyForm key={d.round} appId={appId} keyId={keyId} onDone={d.close} />
      </Dialog>
    </>
  );
}

function RotateKeyForm({ appId, keyId, onDone }: { appId: string; keyId: string; onDone: () => void }) {
  const [state, action] = useKeyAction(rotateKeyAction, onDone);
  const [grace, setGrace] = useState<string>('86400');
  const err = state.fieldErrors ?? {};
  // React resets a form after its action: the choice the owner made must survive a refused submit (a custom grace of
  // 0 minutes), or the radios would show one period while the next submit sends another. The answer's echo of the
  // choice is the truth; the fields are drawn again from it after each answer.
  const [answers, setAnswers] = useState(0);
  const [seen, setSeen] = useState(state);
  if (seen !== state) {
    setSeen(state);
    setAnswers((n) => n + 1);
    if (typeof state.values?.grace === 'string') setGrace(state.values.grace);
  }
  return (
    <form action={action} className="space-y-4" noValidate key={answers}>
      <input type="hidden" name="appId" value={appId} />
      <input type="hidden" name="keyId" value={keyId} />
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">
          How long should the old key keep working?
        </legend>
        <div className="mt-2 space-y-2">
          {GRACE_CHOICES.map(([value, label]) => (
            <label key={value} className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="grace"
                value={value}
                checked={grace === value}
                data-autofocus={grace === value ? '' : undefined}
                onChange={() => setGrace(value)}
                className="size-4 accent-brand-600"
              />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {grace === 'custom' && (
        <Field
          id="grace-minutes"
          label="Minutes"
          required
          hint={`From 1 minute to ${GRACE_MINUTES.max.toLocaleString('en-US')} (7 days).`}
          error={err.customMinutes}
        >
          <Input
            id="grace-minutes"
            name="customMinutes"
            type="number"
            inputMode="numeric"
            min={GRACE_MINUTES.min}
            max={GRACE_MINUTES.max}
            step={1}
            required
            autoFocus
            defaultValue={(state.values?.customMinutes as string) ?? '60'}
            className="max-w-40"
            {...describedBy('grace-minutes', { hint: 1, error: err.customMinutes })}
          />
        </Field>
      )}
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <SubmitButton pendingText="Rotating…">Rotate key</SubmitButton>
      </div>
    </form>
  );
}

export function RevokeKeyButton({
  appId,
  keyId,
  display,
  name,
}: {
  appId: string;
  keyId: string;
  display: string;
  name: string;
}) {
  const d = useDialog();
  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        className="text-red-700 hover:bg-red-50"
        onClick={d.show}
        aria-label={`Revoke key ${name} (${display})`}
      >
        Revoke
      </Button>
      <Dialog
        open={d.open}
        onClose={d.close}
        title={`Revoke ${name}?`}
        description={
          <>
            Requests with <span className="font-mono">{display}</span> are refused with 401 within seconds, on
            every Portico instance. This cannot be undone.
          </>
        }
      >
        <RevokeKeyForm key={d.round} appId={appId} keyId={keyId} onDone={d.close} />
      </Dialog>
    </>
  );
}

function RevokeKeyForm({ appId, keyId, onDone }: { appId: string; keyId: string; onDone: () => void }) {
  const [state, action] = useActionState(async (prev: FormState, fd: FormData) => {
    const next = await revokeKeyAction(prev, fd);
    if (next.ok) onDone();
    return next;
  }, {} as FormState);
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="appId" value={appId} />
      <input type="hidden" name="keyId" value={keyId} />
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onDone} data-autofocus>
          Cancel
        </Button>
        <SubmitButton variant="danger" pendingText="Revoking…">
          Revoke key
        </SubmitButton>
      </div>
    </form>
  );
}
