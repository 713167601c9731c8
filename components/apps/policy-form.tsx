'use client';

import { useActionState, type ReactNode } from 'react';
import { Alert } from '@/components/ui/alert';
import { Checkboxes, describedBy, Field, Input } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import type { FormState } from '@/app/(portal)/_actions/state';
import { endpointDetail, useFocusFirstError, type EndpointChoice } from './request-form';
import { PHI_POLICIES } from './phi-policies';

export interface PolicyValues {
  allowedModels: string[];
  phiPolicy: string;
  rpmLimit: number | null;
  tpmLimit: number | null;
  monthlyTokenBudget: number | null;
  monthlyCostBudgetUsd: number | null;
  allowedAdapters: string[];
  allowedEndpoints: string[];
  allowByoKey: boolean;
  allowImages: boolean;
  allowAudio: boolean;
  statefulPhi: boolean;
}

/** An HTTP adapter a reviewer may allow: its name, where it goes, and whether what it carries is scrubbed. */
export interface AdapterChoice {
  name: string;
  host: string;
  scrubPhi: boolean;
}

const asList = (x: string | string[] | undefined) => (Array.isArray(x) ? x : x ? [x] : []);

/** A checkbox with its explanation under the label, highlighted when checked. */
export function Toggle({
  name,
  checked,
  label,
  children,
}: {
  name: string;
  checked: boolean;
  label: string;
  children: ReactNode;
}) {
  return (
    <label className="flex items-start gap-3 rounded-md border border-slate-200 px-3 py-2 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50">
      <input
        type="checkbox"
        name={name}
        defaultChecked={checked}
        className="mt-0.5 size-4 shrink-0 accent-brand-600"
      />
      <span>
        <span className="font-semibold">{label}</span>
        <span className="mt-0.5 block text-slate-600">{children}</span>
      </span>
    </label>
  );
}

/**
 * Models, PHI policy, custom endpoints, other APIs (adapters, own OpenAI key, images, audio), rate limits and monthly budget:
 * the approval form, and the admins' edit form.
 */
export function PolicyForm({
  action,
  appId,
  models,
  adapters,
  endpoints,
  initial,
  involvesPhi,
  submitLabel,
  pendingText,
  note,
  tokenMapHours,
}: {
  action: (s: FormState, fd: FormData) => Promise<FormState>;
  appId: string;
  models: string[];
  adapters: AdapterChoice[];
  /** The configured custom endpoints (and any the app keeps that the config no longer has); none: no choice shown. */
  endpoints: EndpointChoice[];
  initial: PolicyValues;
  involvesPhi: boolean;
  submitLabel: string;
  pendingText: string;
  note?: string;
  /** How long token maps are kept after their last use (PORTICO_TOKEN_MAP_TTL_HOURS). */
  tokenMapHours: number;
}) {
  const [state, formAction] = useActionState(action, {} as FormState);
  const ref = useFocusFirstError(state);
  const err = state.fieldErrors ?? {};
  const v = state.values;
  const str = (k: LimitKey) => (v ? String(v[k] ?? '') : initial[k] === null ? '' : String(initial[k]));
  const flag = (k: 'allowByoKey' | 'allowImages' | 'allowAudio' | 'statefulPhi') =>
    v ? v[k] === 'on' : initial[k];
  const chosen = new Set(v ? asList(v.allowedModels) : initial.allowedModels);
  const chosenAdapters = new Set(v ? asList(v.allowedAdapters) : initial.allowedAdapters);
  const chosenEndpoints = new Set(v ? asList(v.allowedEndpoints) : initial.allowedEndpoints);
  const policy = v ? String(v.phiPolicy ?? '') : initial.phiPolicy;
  const idp = `p-${appId}`;
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-6" key={state.at ?? 0}>
      <input type="hidden" name="appId" value={appId} />
      {state.error && <Alert tone="error">{state.error}</Alert>}
      {state.ok && state.message && <Alert tone="success">{state.message}</Alert>}

      <fieldset aria-describedby={err.allowedModels ? `${idp}-models-error` : undefined}>
        <legend className="text-sm font-medium text-slate-800">Allowed models</legend>
        <Checkboxes
          name="allowedModels"
          options={models.map((value) => ({ value }))}
          chosen={chosen}
          invalid={!!err.allowedModels}
        />
        {err.allowedModels && (
          <p id={`${idp}-models-error`} className="mt-1 text-sm font-medium text-red-700">
            {err.allowedModels}
          </p>
        )}
      </fieldset>

      {endpoints.length > 0 && (
        <fieldset aria-describedby={err.allowedEndpoints ? `${idp}-endpoints-error` : undefined}>
          <legend className="text-sm font-medium text-slate-800">Custom endpoints</legend>
          <p className="text-sm text-slate-500">
            Ready-made tasks from the config file, at{' '}
            <code className="text-xs">/api/public/v1/endpoints/&lt;name&gt;</code>, each answered by its
            configured model (the app does not need that model allowed).
          </p>
          <Checkboxes
            name="allowedEndpoints"
            chosen={chosenEndpoints}
            invalid={!!err.allowedEndpoints}
            options={endpoints.map((e) => ({ value: e.name, detail: endpointDetail(e) }))}
          />
          {err.allowedEndpoints && (
            <p id={`${idp}-endpoints-error`} className="mt-1 text-sm font-medium text-red-700">
              {err.allowedEndpoints}
            </p>
          )}
        </fieldset>
      )}

      <PhiPolicyField idp={idp} policy={policy} involvesPhi={involvesPhi} error={err.phiPolicy} />

      <AdapterField idp={idp} adapters={adapters} chosen={chosenAdapters} error={err.allowedAdapters} />

      <OtherApis flag={flag} tokenMapHours={tokenMapHours} />

      <LimitFields idp={idp} value={str} err={err} />

      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText={pendingText}>{submitLabel}</SubmitButton>
        {note && <p className="text-sm text-slate-500">{note}</p>}
      </div>
    </form>
  );
}

/** The four PHI policies; `off` is not offered for an app whose owner said it handles PHI. */
function PhiPolicyField({
  idp,
  policy,
  involvesPhi,
  error,
}: {
  idp: string;
  policy: string;
  involvesPhi: boolean;
  error?: string;
}) {
  return (
    <fieldset
      aria-describedby={error ? `${idp}-phi-error` : undefined}
      aria-invalid={error ? true : undefined}
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
      {error && (
        <p id={`${idp}-phi-error`} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The configured HTTP adapters the app may pass requests through. */
function AdapterField({
  idp,
  adapters,
  chosen,
  error,
}: {
  idp: string;
  adapters: AdapterChoice[];
  chosen: Set<string>;
  error?: string;
}) {
  return (
    <fieldset aria-describedby={error ? `${idp}-adapters-error` : undefined}>
      <legend className="text-sm font-medium text-slate-800">HTTP adapters</legend>
      <p className="text-sm text-slate-500">
        Pass-through to a configured upstream at{' '}
        <code className="text-xs">/api/public/http/&lt;adapter&gt;/…</code>, its credentials added by Portico.
      </p>
      {adapters.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">
          No adapters are configured (the <code className="text-xs">adapters</code> section of the config
          file).
        </p>
      ) : (
        <Checkboxes
          name="allowedAdapters"
          chosen={chosen}
          invalid={!!error}
          options={adapters.map((a) => ({
            value: a.name,
            detail: `${a.host ? `to ${a.host} · ` : ''}${a.scrubPhi ? 'PHI scrubbed from the path, the query and every text body' : 'requests passed unchanged (no PHI scrubbing)'}`,
          }))}
        />
      )}
      {error && (
        <p id={`${idp}-adapters-error`} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** Own OpenAI key, images, audio and stateful calls: each off unless a reviewer allows it. */
function OtherApis({
  flag,
  tokenMapHours,
}: {
  flag: (k: 'allowByoKey' | 'allowImages' | 'allowAudio' | 'statefulPhi') => boolean;
  tokenMapHours: number;
}) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">Other APIs</legend>
      <div className="mt-2 space-y-2">
        <Toggle name="allowByoKey" checked={flag('allowByoKey')} label="Bring your own OpenAI key">
          The PHI-safe chat endpoint (<code className="text-xs">POST /v1/chat/completions</code>) may use the
          caller’s <code className="text-xs">x-openai-key</code> instead of the configured upstream
          credential. The key is forwarded, never stored or logged.
        </Toggle>
        <Toggle name="allowImages" checked={flag('allowImages')} label="Images (image generation)">
          <strong className="font-semibold text-amber-800">PHI inside an image cannot be scrubbed.</strong>{' '}
          Text prompts still are, per the PHI policy above.
        </Toggle>
        <Toggle name="allowAudio" checked={flag('allowAudio')} label="Audio (transcription and speech)">
          <strong className="font-semibold text-amber-800">PHI inside audio cannot be scrubbed.</strong> Text
          prompts still are, per the PHI policy above.
        </Toggle>
        <Toggle
          name="statefulPhi"
          checked={flag('statefulPhi')}
          label="Stateful calls (stored responses, conversations, background responses, batches)"
        >
          Portico keeps the app&rsquo;s token maps, encrypted with a key outside the database, for{' '}
          {tokenMapHours} h after their last use, and erases them with their objects. Without it the upstream
          keeps nothing (<code className="text-xs">store: false</code>) and such calls are refused.
        </Toggle>
      </div>
    </fieldset>
  );
}

type LimitKey = 'rpmLimit' | 'tpmLimit' | 'monthlyTokenBudget' | 'monthlyCostBudgetUsd';

/** Rate limits and monthly budgets: empty is none. */
function LimitFields({
  idp,
  value,
  err,
}: {
  idp: string;
  value: (k: LimitKey) => string;
  err: Record<string, string>;
}) {
  return (
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
            defaultValue={value('rpmLimit')}
            placeholder="No limit"
            {...describedBy(`${idp}-rpm`, { error: err.rpmLimit })}
          />
        </Field>
        <Field id={`${idp}-tpm`} label="Tokens per minute" error={err.tpmLimit}>
          <Input
            id={`${idp}-tpm`}
            name="tpmLimit"
            inputMode="numeric"
            defaultValue={value('tpmLimit')}
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
            defaultValue={value('monthlyTokenBudget')}
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
            defaultValue={value('monthlyCostBudgetUsd')}
            placeholder="No budget"
            {...describedBy(`${idp}-mcost`, { hint: 1, error: err.monthlyCostBudgetUsd })}
          />
        </Field>
      </div>
    </fieldset>
  );
}
