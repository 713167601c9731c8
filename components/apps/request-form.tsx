'use client';

import { useActionState, useEffect, useRef } from 'react';
import { Alert } from '@/components/ui/alert';
import { Checkboxes, describedBy, Field, Input, Textarea } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import { clearDraft, useDraft } from '@/components/ui/draft';
import type { FormState } from '@/app/(portal)/_actions/state';

export interface RequestValues {
  name: string;
  description: string;
  useCase: string;
  sponsor: string;
  expectedReturn: string;
  involvesPhi: '' | 'yes' | 'no';
  requestedModels: string[];
  requestedEndpoints: string[];
  expectedVolume: string;
  /** The owners attested on their earlier submission: the box starts ticked (they may untick it). */
  attested?: boolean;
}

const asList = (v: string | string[] | undefined) =>
  v === undefined ? undefined : Array.isArray(v) ? v : v ? [v] : [];

/** Moves focus to the first field with an error (or the error message) after a failed submit. */
export function useFocusFirstError(state: FormState) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!state.error || !ref.current) return;
    let target =
      ref.current.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      ref.current.querySelector<HTMLElement>('[role="alert"]');
    // A group (radios) is marked on its fieldset: focus its first control.
    if (target?.tagName === 'FIELDSET')
      target = target.querySelector<HTMLElement>('input, select, textarea') ?? target;
    target?.focus();
  }, [state]);
  return ref;
}

/** A custom endpoint an owner may ask for (from the config file): what it does and what it answers. */
export interface EndpointChoice {
  name: string;
  description: string;
  /** It answers JSON checked against a schema (else text). */
  structured: boolean;
}

/** What an endpoint does and answers, in a line under its name. */
export function endpointDetail(e: EndpointChoice) {
  if (!e.description && !e.structured) return 'No longer configured';
  return `${e.description ? `${e.description} ` : ''}${e.structured ? 'Answers JSON.' : 'Answers text.'}`;
}

/** What a model costs, for the request form's cost guidance (USD, from the gateway config's price table). */
export interface ModelPrice {
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
  other?: string;
}

const usd = (n: number) => `$${n.toLocaleString('en-US', { maximumFractionDigits: 4 })}`;

/** The price table under the model choices: the cost of each model, so owners can choose with their budget in mind. */
export function PriceTable({ prices }: { prices: ModelPrice[] }) {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer font-medium text-brand-700">Prices per model</summary>
      <div className="mt-2 overflow-x-auto">
        <table className="min-w-full text-left">
          <caption className="sr-only">Prices per model, in US dollars</caption>
          <thead className="text-xs text-slate-500">
            <tr>
              <th scope="col" className="py-1 pr-4 font-medium">
                Model
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Input, per 1M tokens
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Output, per 1M tokens
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {prices.map((p) => (
              <tr key={p.model}>
                <th scope="row" className="py-1 pr-4 font-mono text-xs font-normal">
                  {p.model}
                </th>
                <td className="py-1 pr-4 tabular-nums">{usd(p.inputPerMillion)}</td>
                <td className="py-1 pr-4 tabular-nums">
                  {usd(p.outputPerMillion)}
                  {p.other && <span className="block text-xs text-slate-500">{p.other}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="mt-1 text-xs text-slate-500">
        A token is about ¾ of an English word; a prompt of one page is roughly 700 tokens.
      </p>
    </details>
  );
}

/** The form was filled back in from the draft this browser kept (a session that ended, a page left). */
export function DraftNotice({ onDiscard }: { onDiscard: () => void }) {
  return (
    <Alert tone="info" title="Your draft is back" live={false}>
      <p>
        What you had typed was kept in this browser (nothing of it is stored on the server). Check it and send
        it.
      </p>
      <button
        type="button"
        className="mt-1 font-semibold underline"
        onClick={() => {
          onDiscard();
          window.location.reload();
        }}
      >
        Discard the draft
      </button>
    </Alert>
  );
}

/** The access request (new, or resubmitted after the reviewer asked for changes). */
export function RequestForm({
  action,
  models,
  endpoints = [],
  prices,
  attestation,
  initial,
  appId,
  submitLabel,
}: {
  action: (s: FormState, fd: FormData) => Promise<FormState>;
  models: string[];
  /** The configured custom endpoints; the choice is left out when there are none. */
  endpoints?: EndpointChoice[];
  prices?: ModelPrice[];
  attestation: string;
  initial?: RequestValues;
  appId?: string;
  submitLabel: string;
}) {
  const [state, formAction] = useActionState(action, {} as FormState);
  const ref = useFocusFirstError(state);
  const draftKey = `request.${appId ?? 'new'}`;
  const restored = useDraft(ref, draftKey, Boolean(state.values));
  const v = state.values;
  const val = (k: keyof RequestValues) =>
    typeof v?.[k] === 'string' ? (v[k] as string) : ((initial?.[k] as string | undefined) ?? '');
  const chosen = new Set(asList(v?.requestedModels) ?? initial?.requestedModels ?? []);
  const chosenEndpoints = new Set(asList(v?.requestedEndpoints) ?? initial?.requestedEndpoints ?? []);
  const phi = v ? (v.involvesPhi as string) : (initial?.involvesPhi ?? '');
  const err = state.fieldErrors ?? {};
  // A new answer re-mounts the fields, so they show the values it carries back.
  const k = state.at ?? 0;

  return (
    <form
      ref={ref}
      action={formAction}
      noValidate
      className="space-y-8"
      aria-describedby="form-required-note"
    >
      {appId && <input type="hidden" name="appId" value={appId} />}
      <p id="form-required-note" className="text-sm text-slate-500">
        Fields marked <span className="text-red-700">*</span> are required.
      </p>
      {state.error && (
        <Alert tone="error" title="The request was not sent">
          {state.error}
        </Alert>
      )}
      {restored && !state.error && <DraftNotice onDiscard={() => clearDraft(draftKey)} />}

      <AboutFields key={`about-${k}`} val={val} err={err} />
      <BusinessFields key={`business-${k}`} val={val} err={err} />
      <DataFields
        key={`data-${k}`}
        phi={phi}
        models={models}
        chosen={chosen}
        endpoints={endpoints}
        chosenEndpoints={chosenEndpoints}
        prices={prices}
        err={err}
      />
      <fieldset key={`attest-${k}`} className="space-y-2">
        <legend className="text-base font-semibold text-slate-900">Attestation</legend>
        <label className="flex items-start gap-3 rounded-md border border-slate-200 bg-slate-50 px-4 py-3 text-sm">
          <input
            type="checkbox"
            name="internalOnlyAttested"
            required
            defaultChecked={v ? v.internalOnlyAttested === 'on' : (initial?.attested ?? false)}
            className="mt-0.5 size-4 accent-brand-600"
            aria-invalid={err.internalOnlyAttested ? true : undefined}
            aria-describedby={err.internalOnlyAttested ? 'attest-error' : undefined}
          />
          <span>{attestation}</span>
        </label>
        {err.internalOnlyAttested && (
          <p id="attest-error" className="text-sm font-medium text-red-700">
            {err.internalOnlyAttested}
          </p>
        )}
      </fieldset>

      <div className="flex items-center gap-3 border-t border-slate-200 pt-6">
        <SubmitButton pendingText="Sending…">{submitLabel}</SubmitButton>
        <p className="text-sm text-slate-500">A reviewer is notified in the review queue.</p>
      </div>
    </form>
  );
}

/** The app: its name, what it is, its one use case. */
function AboutFields({ val, err }: { val: (k: keyof RequestValues) => string; err: Record<string, string> }) {
  return (
    <fieldset className="space-y-5">
      <legend className="text-base font-semibold text-slate-900">About the app</legend>
      <Field
        id="name"
        label="App name"
        required
        hint="3 to 60 letters, digits, spaces and . _ -, starting with a letter or a digit. Shown to reviewers and in usage reports."
        error={err.name}
      >
        <Input
          id="name"
          name="name"
          defaultValue={val('name')}
          required
          maxLength={60}
          autoComplete="off"
          {...describedBy('name', { hint: 1, error: err.name })}
        />
      </Field>
      <Field
        id="description"
        label="Description"
        required
        hint="What the app is, in a sentence or two."
        error={err.description}
      >
        <Textarea
          id="description"
          name="description"
          defaultValue={val('description')}
          required
          maxLength={2000}
          {...describedBy('description', { hint: 1, error: err.description })}
        />
      </Field>
      <Field
        id="useCase"
        label="Use case"
        required
        hint="The one use case this app is for: who uses it, for what. Another use case needs its own app."
        error={err.useCase}
      >
        <Textarea
          id="useCase"
          name="useCase"
          rows={4}
          defaultValue={val('useCase')}
          required
          maxLength={2000}
          {...describedBy('useCase', { hint: 1, error: err.useCase })}
        />
      </Field>
    </fieldset>
  );
}

/** Who backs it, how much it will be used, and how its return is measured. */
function BusinessFields({
  val,
  err,
}: {
  val: (k: keyof RequestValues) => string;
  err: Record<string, string>;
}) {
  return (
    <fieldset className="space-y-5">
      <legend className="text-base font-semibold text-slate-900">Business case</legend>
      <div className="grid gap-5 md:grid-cols-2">
        <Field
          id="sponsor"
          label="Executive sponsor"
          required
          hint="Name and title of the executive who backs this use."
          error={err.sponsor}
        >
          <Input
            id="sponsor"
            name="sponsor"
            defaultValue={val('sponsor')}
            required
            maxLength={200}
            {...describedBy('sponsor', { hint: 1, error: err.sponsor })}
          />
        </Field>
        <Field
          id="expectedVolume"
          label="Expected volume"
          required
          hint="For example: 2,000 requests a day, short prompts."
          error={err.expectedVolume}
        >
          <Input
            id="expectedVolume"
            name="expectedVolume"
            defaultValue={val('expectedVolume')}
            required
            maxLength={200}
            {...describedBy('expectedVolume', { hint: 1, error: err.expectedVolume })}
          />
        </Field>
      </div>
      <Field
        id="expectedReturn"
        label="Expected return / KPI"
        required
        hint="How you will know it works: hours saved, turnaround time, quality measure."
        error={err.expectedReturn}
      >
        <Textarea
          id="expectedReturn"
          name="expectedReturn"
          defaultValue={val('expectedReturn')}
          required
          maxLength={2000}
          {...describedBy('expectedReturn', { hint: 1, error: err.expectedReturn })}
        />
      </Field>
    </fieldset>
  );
}

/** Whether the app sends PHI, and the models and custom endpoints it asks for (at least one of either). */
function DataFields({
  phi,
  models,
  chosen,
  endpoints,
  chosenEndpoints,
  prices,
  err,
}: {
  phi: string;
  models: string[];
  chosen: Set<string>;
  endpoints: EndpointChoice[];
  chosenEndpoints: Set<string>;
  prices?: ModelPrice[];
  err: Record<string, string>;
}) {
  return (
    <fieldset className="space-y-5">
      <legend className="text-base font-semibold text-slate-900">Data and models</legend>
      <fieldset
        aria-describedby={`phi-hint${err.involvesPhi ? ' phi-error' : ''}`}
        aria-invalid={err.involvesPhi ? true : undefined}
      >
        <legend className="text-sm font-medium text-slate-800">
          Will the app send protected health information (PHI)?
          <span className="text-red-700" aria-hidden="true">
            {' '}
            *
          </span>
        </legend>
        <p id="phi-hint" className="mt-0.5 text-sm text-slate-500">
          Names, dates, record numbers, addresses… Portico removes PHI before it leaves, but reviewers need to
          know.
        </p>
        <div className="mt-2 flex gap-6">
          {(['yes', 'no'] as const).map((o) => (
            <label key={o} className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="involvesPhi"
                value={o}
                defaultChecked={phi === o}
                required
                className="size-4 accent-brand-600"
              />
              {o === 'yes' ? 'Yes, it may contain PHI' : 'No PHI'}
            </label>
          ))}
        </div>
        {err.involvesPhi && (
          <p id="phi-error" className="mt-1 text-sm font-medium text-red-700">
            {err.involvesPhi}
          </p>
        )}
      </fieldset>
      <fieldset aria-describedby={`models-hint${err.requestedModels ? ' models-error' : ''}`}>
        <legend className="text-sm font-medium text-slate-800">
          Requested models
          {endpoints.length === 0 && (
            <span className="text-red-700" aria-hidden="true">
              {' '}
              *
            </span>
          )}
        </legend>
        <p id="models-hint" className="mt-0.5 text-sm text-slate-500">
          The deployments your code will call. The reviewer decides which are allowed.
          {endpoints.length > 0 && ' Choose at least one model or one custom endpoint (below).'}
        </p>
        <Checkboxes
          name="requestedModels"
          options={models.map((value) => ({ value }))}
          chosen={chosen}
          invalid={!!err.requestedModels}
        />
        {err.requestedModels && (
          <p id="models-error" className="mt-1 text-sm font-medium text-red-700">
            {err.requestedModels}
          </p>
        )}
        {prices && prices.length > 0 && <PriceTable prices={prices} />}
      </fieldset>
      {endpoints.length > 0 && (
        <fieldset aria-describedby={`endpoints-hint${err.requestedEndpoints ? ' endpoints-error' : ''}`}>
          <legend className="text-sm font-medium text-slate-800">Custom endpoints</legend>
          <p id="endpoints-hint" className="mt-0.5 text-sm text-slate-500">
            Ready-made tasks set up by the Portico team: your code sends the fields the task needs and gets
            the answer back, with no prompt to write. The reviewer decides which are allowed.
          </p>
          <Checkboxes
            name="requestedEndpoints"
            options={endpoints.map((e) => ({ value: e.name, detail: endpointDetail(e) }))}
            chosen={chosenEndpoints}
            invalid={!!err.requestedEndpoints}
          />
          {err.requestedEndpoints && (
            <p id="endpoints-error" className="mt-1 text-sm font-medium text-red-700">
              {err.requestedEndpoints}
            </p>
          )}
        </fieldset>
      )}
    </fieldset>
  );
}
