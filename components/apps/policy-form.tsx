'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { describedBy, Field, Input } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import type { FormState } from '@/app/(portal)/_actions/state';
import { useFocusFirstError } from './request-form';
import { PHI_POLICIES } from './phi-policies';

export interface PolicyValues {
  allowedModels: string[];
  phiPolicy: string;
  rpmLimit: number | null;
  tpmLimit: number | null;
  monthlyTokenBudget: number | null;
  monthlyCostBudgetUsd: number | null;
}

/** Models, PHI policy, rate limits and monthly budget: the approval form, and the admins' edit form. */
export function PolicyForm({
  action,
  appId,
  models,
  initial,
  involvesPhi,
  submitLabel,
  pendingText,
  note,
}: {
  action: (s: FormState, fd: FormData) => Promise<FormState>;
  appId: string;
  models: string[];
  initial: PolicyValues;
  involvesPhi: boolean;
  submitLabel: string;
  pendingText: string;
  note?: string;
}) {
  const [state, formAction] = useActionState(action, {} as FormState);
  const ref = useFocusFirstError(state);
  const err = state.fieldErrors ?? {};
  const v = state.values;
  const str = (k: keyof PolicyValues) =>
    v ? String(v[k] ?? '') : initial[k] === null ? '' : String(initial[k]);
  const chosen = new Set(
    v
      ? Array.isArray(v.allowedModels)
        ? v.allowedModels
        : v.allowedModels
          ? [v.allowedModels]
          : []
      : initial.allowedModels,
  );
  const policy = v ? String(v.phiPolicy ?? '') : initial.phiPolicy;
  const idp = `p-${appId}`;
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-6" key={state.at ?? 0}>
      <input type="hidden" name="appId" value={appId} />
      {state.error && <Alert tone="error">{state.error}</Alert>}
      {state.ok && state.message && <Alert tone="success">{state.message}</Alert>}

      <fieldset aria-describedby={err.allowedModels ? `${idp}-models-error` : undefined}>
        <legend className="text-sm font-medium text-slate-800">Allowed models</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {models.map((m) => (
            <label
              key={m}
              className="flex items-center gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50"
            >
              <input
                type="checkbox"
                name="allowedModels"
                value={m}
                defaultChecked={chosen.has(m)}
                className="size-4 accent-brand-600"
                aria-invalid={err.allowedModels ? true : undefined}
              />
              <span className="font-mono text-xs">{m}</span>
            </label>
          ))}
        </div>
        {err.allowedModels && (
          <p id={`${idp}-models-error`} className="mt-1 text-sm font-medium text-red-700">
            {err.allowedModels}
          </p>
        )}
      </fieldset>

      <fieldset
        aria-describedby={err.phiPolicy ? `${idp}-phi-error` : undefined}
        aria-invalid={err.phiPolicy ? true : undefined}
      >
        <legend className="text-sm font-medium text-slate-800">PHI policy</legend>
        <div className="mt-2 space-y-2">
          {PHI_POLICIES.map((p) => {
            const disabled = p.value === 'off' && involvesPhi;
            return (
              <label
                key={p.value}
                className={`flex items-start gap-3 rounded-md border border-slate-200 px-3 py-2 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 ${disabled ? 'opacity-60' : ''}`}
              >
                <input
                  type="radio"
                  name="phiPolicy"
                  value={p.value}
                  defaultChecked={policy === p.value}
                  disabled={disabled}
                  className="mt-0.5 size-4 accent-brand-600"
                />
                <span>
                  <span className="font-semibold">{p.label}</span>{' '}
                  <span className="text-slate-600">{p.help}</span>
                  {disabled && (
                    <span className="block text-xs text-slate-500">
                      Not available: the owner said this app handles PHI.
                    </span>
                  )}
                </span>
              </label>
            );
          })}
        </div>
        {err.phiPolicy && (
          <p id={`${idp}-phi-error`} className="mt-1 text-sm font-medium text-red-700">
            {err.phiPolicy}
          </p>
        )}
      </fieldset>

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Limits</legend>
        <p className="text-sm text-slate-500">
          Leave a field empty for no limit. Over a limit, calls get 429 with Retry-After.
        </p>
        <div className="mt-3 grid gap-4 sm:grid-cols-2">
          <Field id={`${idp}-rpm`} label="Requests per minute" error={err.rpmLimit}>
            <Input
              id={`${idp}-rpm`}
              name="rpmLimit"
              inputMode="numeric"
              defaultValue={str('rpmLimit')}
              placeholder="No limit"
              {...describedBy(`${idp}-rpm`, { error: err.rpmLimit })}
            />
          </Field>
          <Field id={`${idp}-tpm`} label="Tokens per minute" error={err.tpmLimit}>
            <Input
              id={`${idp}-tpm`}
              name="tpmLimit"
              inputMode="numeric"
              defaultValue={str('tpmLimit')}
              placeholder="No limit"
              {...describedBy(`${idp}-tpm`, { error: err.tpmLimit })}
            />
          </Field>
          <Field
            id={`${idp}-mtok`}
            label="Monthly token budget"
            hint="Prompt and completion tokens per calendar month."
            error={err.monthlyTokenBudget}
          >
            <Input
              id={`${idp}-mtok`}
              name="monthlyTokenBudget"
              inputMode="numeric"
              defaultValue={str('monthlyTokenBudget')}
              placeholder="No budget"
              {...describedBy(`${idp}-mtok`, { hint: 1, error: err.monthlyTokenBudget })}
            />
          </Field>
          <Field
            id={`${idp}-mcost`}
            label="Monthly cost budget (USD)"
            hint="From the configured model prices."
            error={err.monthlyCostBudgetUsd}
          >
            <Input
              id={`${idp}-mcost`}
              name="monthlyCostBudgetUsd"
              inputMode="decimal"
              defaultValue={str('monthlyCostBudgetUsd')}
              placeholder="No budget"
              {...describedBy(`${idp}-mcost`, { hint: 1, error: err.monthlyCostBudgetUsd })}
            />
          </Field>
        </div>
      </fieldset>

      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText={pendingText}>{submitLabel}</SubmitButton>
        {note && <p className="text-sm text-slate-500">{note}</p>}
      </div>
    </form>
  );
}
