'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Checkboxes, describedBy, Field, Input, Textarea } from '@/components/ui/field';
import { ConfirmSubmitButton } from '@/components/ui/confirm-submit';
import { SubmitButton } from '@/components/ui/submit-button';
import { clearDraft, useDraft } from '@/components/ui/draft';
import { formatNumber, formatUsd } from '@/components/ui/format';
import type { FormState } from '@/app/(portal)/_actions/state';
import { Toggle, type AdapterChoice } from './policy-form';
import { ReasonField } from './reason-field';
import {
  DraftNotice,
  endpointDetail,
  PriceTable,
  useFocusFirstError,
  type EndpointChoice,
  type ModelPrice,
} from './request-form';

const LIMITS = [
  { key: 'rpmLimit', label: 'Requests per minute', fmt: formatNumber, mode: 'numeric' },
  { key: 'tpmLimit', label: 'Tokens per minute', fmt: formatNumber, mode: 'numeric' },
  { key: 'monthlyTokenBudget', label: 'Monthly token budget', fmt: formatNumber, mode: 'numeric' },
  { key: 'monthlyCostBudgetUsd', label: 'Monthly cost budget (USD)', fmt: formatUsd, mode: 'decimal' },
] as const;
type LimitKey = (typeof LIMITS)[number]['key'];

export interface AmendmentValues {
  models: string[];
  endpoints: string[];
  adapters: string[];
  images: boolean;
  audio: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  monthlyTokenBudget: number | null;
  monthlyCostBudgetUsd: number | null;
}

/** The limits an amendment asks for (or the reviewer grants), each with the app's limit now under its label. */
function LimitFields({
  ask,
  id,
  limits,
  current,
  value,
  errors: err,
}: {
  ask: boolean;
  id: string;
  limits: (typeof LIMITS)[number][];
  current: Pick<AmendmentValues, LimitKey>;
  value: (k: LimitKey) => string;
  errors: Record<string, string>;
}) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">{ask ? 'Limits' : 'Limits asked for'}</legend>
      <p className="text-sm text-slate-500">
        {ask
          ? 'Only the limits you need changed; leave the others empty to keep them.'
          : 'Empty keeps the app’s limit as it is.'}
      </p>
      <div className="mt-3 grid gap-4 sm:grid-cols-2">
        {limits.map((l) => (
          <Field
            key={l.key}
            id={`${id}-${l.key}`}
            label={l.label}
            hint={`Now: ${current[l.key] === null ? 'no limit' : l.fmt(current[l.key]!)}`}
            error={err[l.key]}
          >
            <Input
              id={`${id}-${l.key}`}
              name={l.key}
              inputMode={l.mode}
              defaultValue={value(l.key)}
              placeholder="Keep as it is"
              {...describedBy(`${id}-${l.key}`, { hint: 1, error: err[l.key] })}
            />
          </Field>
        ))}
      </div>
    </fieldset>
  );
}

const asList = (x: string | string[] | undefined) => (Array.isArray(x) ? x : x ? [x] : []);

/**
 * The access request's second form. `ask`: an approved app's owners choose what they need beyond its grants, with a
 * reason. `grant`: the reviewer sees only what was asked, ticked, and grants all or part of it.
 */
export function AmendmentForm({
  mode,
  action,
  appId,
  amendmentId,
  choices,
  current,
  initial,
  prices,
}: {
  mode: 'ask' | 'grant';
  action: (s: FormState, fd: FormData) => Promise<FormState>;
  appId: string;
  amendmentId?: string;
  /** What may be chosen: in `ask`, what the app lacks; in `grant`, what was asked. */
  choices: {
    models: string[];
    endpoints: EndpointChoice[];
    adapters: AdapterChoice[];
    images: boolean;
    audio: boolean;
  };
  /** The app's limits now (shown beside each limit). */
  current: Pick<AmendmentValues, LimitKey>;
  initial: AmendmentValues;
  prices?: ModelPrice[];
}) {
  const [state, formAction] = useActionState(action, {} as FormState);
  const ref = useFocusFirstError(state);
  const draftKey = `amend.${appId}`;
  // Only the owners' form keeps a draft: a reviewer's grant starts from what was asked.
  const restored = useDraft(ref, draftKey, Boolean(state.values) || mode !== 'ask');
  const err = state.fieldErrors ?? {};
  const v = state.values;
  const chosen = (k: 'models' | 'endpoints' | 'adapters') => new Set(v ? asList(v[k]) : initial[k]);
  const flag = (k: 'images' | 'audio') => (v ? v[k] === 'on' : initial[k]);
  const str = (k: LimitKey) => (v ? String(v[k] ?? '') : initial[k] === null ? '' : String(initial[k]));
  const ask = mode === 'ask';
  const id = `amend-${appId}`;
  // The reviewer sees only the limits that were asked for.
  const limits = LIMITS.filter((l) => ask || initial[l.key] !== null);
  const group = (
    name: 'models' | 'endpoints' | 'adapters',
    legend: string,
    options: { value: string; detail?: string }[],
    hint?: string,
  ) =>
    options.length > 0 && (
      <fieldset aria-describedby={err[name] ? `${id}-${name}-error` : undefined}>
        <legend className="text-sm font-medium text-slate-800">{legend}</legend>
        {hint && <p className="mt-0.5 text-sm text-slate-500">{hint}</p>}
        <Checkboxes name={name} options={options} chosen={chosen(name)} invalid={!!err[name]} />
        {err[name] && (
          <p id={`${id}-${name}-error`} className="mt-1 text-sm font-medium text-red-700">
            {err[name]}
          </p>
        )}
        {name === 'models' && prices && prices.length > 0 && <PriceTable prices={prices} />}
      </fieldset>
    );
  return (
    <form ref={ref} action={formAction} noValidate className="space-y-6" key={state.at ?? 0}>
      <input type="hidden" name="appId" value={appId} />
      {amendmentId && <input type="hidden" name="amendmentId" value={amendmentId} />}
      {state.error && (
        <Alert tone="error" title={ask ? 'The request was not sent' : undefined}>
          {state.error}
        </Alert>
      )}
      {restored && !state.error && <DraftNotice onDiscard={() => clearDraft(draftKey)} />}
      {group(
        'models',
        ask ? 'More models' : 'Models asked for',
        choices.models.map((value) => ({ value })),
        ask ? 'Models the app is not allowed yet.' : undefined,
      )}
      {group(
        'endpoints',
        ask ? 'More custom endpoints' : 'Custom endpoints asked for',
        choices.endpoints.map((e) => ({ value: e.name, detail: endpointDetail(e) })),
      )}
      {group(
        'adapters',
        ask ? 'HTTP adapters' : 'HTTP adapters asked for',
        choices.adapters.map((a) => ({
          value: a.name,
          detail: `${a.host ? `to ${a.host} · ` : ''}${a.scrubPhi ? 'PHI scrubbed' : 'passed unchanged (no PHI scrubbing)'}`,
        })),
        ask ? 'Pass-through to a configured upstream, its credentials added by Portico.' : undefined,
      )}
      {(choices.images || choices.audio) && (
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">{ask ? 'Media' : 'Media asked for'}</legend>
          <div className="mt-2 space-y-2">
            {choices.images && (
              <Toggle name="images" checked={flag('images')} label="Images (image generation)">
                PHI inside an image cannot be scrubbed.
              </Toggle>
            )}
            {choices.audio && (
              <Toggle name="audio" checked={flag('audio')} label="Audio (transcription and speech)">
                PHI inside audio cannot be scrubbed.
              </Toggle>
            )}
          </div>
        </fieldset>
      )}
      {limits.length > 0 && (
        <LimitFields ask={ask} id={id} limits={limits} current={current} value={str} errors={err} />
      )}
      {ask && (
        <Field
          id={`${id}-reason`}
          label="Why the app needs it"
          required
          hint="What changed in the use case, and what the new access is for. Reviewers read it; never put patient data here."
          error={err.reason}
        >
          <Textarea
            id={`${id}-reason`}
            name="reason"
            rows={4}
            maxLength={2000}
            defaultValue={v ? String(v.reason ?? '') : ''}
            {...describedBy(`${id}-reason`, { hint: 1, error: err.reason })}
          />
        </Field>
      )}
      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-6">
        <SubmitButton pendingText={ask ? 'Sending…' : 'Approving…'}>
          {ask ? 'Ask for more access' : 'Approve the amendment'}
        </SubmitButton>
        <p className="text-sm text-slate-500">
          {ask
            ? 'A reviewer decides. The app keeps working as approved meanwhile.'
            : 'The app gets what is ticked at its next request; nothing it already has is taken away.'}
        </p>
      </div>
    </form>
  );
}

/** The reviewer refuses the amendment, with a reason the owners read (asked first). */
export function RejectAmendmentForm({
  action,
  appId,
  amendmentId,
}: {
  action: (s: FormState, fd: FormData) => Promise<FormState>;
  appId: string;
  amendmentId: string;
}) {
  const [state, formAction] = useActionState(action, {} as FormState);
  const err = state.fieldErrors?.reason;
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name="appId" value={appId} />
      <input type="hidden" name="amendmentId" value={amendmentId} />
      {state.error && !err && <Alert tone="error">{state.error}</Alert>}
      <ReasonField
        id="amendment-reason"
        label="Reason for the owner"
        hint="Why not, so the owner can act on it."
        rows={3}
        state={state}
      />
      <ConfirmSubmitButton
        pendingText="Rejecting…"
        title="Reject this amendment?"
        consequence="The owners are told, with your reason. The app keeps the access it has."
        confirmLabel="Reject the amendment"
        cancelLabel="Keep it for review"
      >
        Reject the amendment
      </ConfirmSubmitButton>
    </form>
  );
}

/** The owners take back the amendment that waits (asked first). */
export function WithdrawAmendmentForm({
  action,
  appId,
  amendmentId,
}: {
  action: (s: FormState, fd: FormData) => Promise<FormState>;
  appId: string;
  amendmentId: string;
}) {
  const [state, formAction] = useActionState(action, {} as FormState);
  return (
    <form action={formAction} className="mt-2">
      <input type="hidden" name="appId" value={appId} />
      <input type="hidden" name="amendmentId" value={amendmentId} />
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <ConfirmSubmitButton
        variant="secondary"
        size="sm"
        title="Withdraw the request for more access?"
        consequence="It leaves the review queue. The app keeps the access it has."
        confirmLabel="Withdraw"
        cancelLabel="Keep it"
      >
        Withdraw it
      </ConfirmSubmitButton>
    </form>
  );
}
