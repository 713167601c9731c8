import { z } from 'zod';
import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { gatewayConfig } from '../config';
import { DomainError } from '../errors';
import { plainText } from '../text';
import { notify } from '../notify';
import { independentReviewer } from './four-eyes';
import { recordReview } from './record-review';
import { configuredNames, limitsSchema, reasonSchema } from './schemas';

/**
 * Amendments: the access request's second form. An approved app's owners ask for more (models, endpoints, adapters,
 * images or audio, higher limits) with a reason; a reviewer who neither owns the app nor asked decides. Until then
 * the app works as approved: the proxy reads only the app's own grants, which change on approval alone.
 */

const models = () => configuredNames('model', () => gatewayConfig().models.keys());
const endpoints = () => configuredNames('endpoint', () => gatewayConfig().endpoints.keys());
const adapters = () => configuredNames('adapter', () => gatewayConfig().adapters.keys());

/** What an amendment asks for (or a reviewer grants of it): names to add, media to allow, limits to set. */
const askSchema = () =>
  z.object({
    rpmLimit: limitsSchema.shape.rpmLimit.default(null),
    tpmLimit: limitsSchema.shape.tpmLimit.default(null),
    monthlyTokenBudget: limitsSchema.shape.monthlyTokenBudget.default(null),
    monthlyCostBudgetUsd: limitsSchema.shape.monthlyCostBudgetUsd.default(null),
    models: models().default([]),
    endpoints: endpoints().default([]),
    adapters: adapters().default([]),
    images: z.boolean().default(false),
    audio: z.boolean().default(false),
  });

export const amendmentRequestSchema = () =>
  askSchema().extend({
    reason: plainText()
      .min(10, 'must say why the app needs more (at least 10 characters)')
      .max(2000, 'must be at most 2000 characters'),
  });
export type AmendmentRequest = z.input<ReturnType<typeof amendmentRequestSchema>>;
export type AmendmentGrant = z.input<ReturnType<typeof askSchema>>;

type Ask = z.output<ReturnType<typeof askSchema>>;
type Granted = {
  allowedModels: string[];
  allowedEndpoints: string[];
  allowedAdapters: string[];
  allowImages: boolean;
  allowAudio: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  monthlyTokenBudget: bigint | null;
  monthlyCostBudgetUsd: number | null;
};
const LIMITS = ['rpmLimit', 'tpmLimit', 'monthlyTokenBudget', 'monthlyCostBudgetUsd'] as const;

/** Only what the app does not have yet: names it lacks, media it is refused, limits different from its own. */
function newOnly(ask: Ask, app: Granted): Ask {
  const lacks = (have: string[]) => (n: string) => !have.includes(n);
  const limit = <K extends (typeof LIMITS)[number]>(k: K) =>
    ask[k] !== null && Number(ask[k]) !== (app[k] === null ? null : Number(app[k])) ? ask[k] : null;
  return {
    models: ask.models.filter(lacks(app.allowedModels)),
    endpoints: ask.endpoints.filter(lacks(app.allowedEndpoints)),
    adapters: ask.adapters.filter(lacks(app.allowedAdapters)),
    images: ask.images && !app.allowImages,
    audio: ask.audio && !app.allowAudio,
    rpmLimit: limit('rpmLimit'),
    tpmLimit: limit('tpmLimit'),
    monthlyTokenBudget: limit('monthlyTokenBudget'),
    monthlyCostBudgetUsd: limit('monthlyCostBudgetUsd'),
  };
}

const asksNothing = (a: Ask) =>
  !a.models.length &&
  !a.endpoints.length &&
  !a.adapters.length &&
  !a.images &&
  !a.audio &&
  LIMITS.every((k) => a[k] === null);

/** What an amendment asked for, as the history and the audit log show it (only what it changes). */
export function askedDetails(a: Ask): Record<string, unknown> {
  return {
    ...(a.models.length ? { models: a.models } : {}),
    ...(a.endpoints.length ? { endpoints: a.endpoints } : {}),
    ...(a.adapters.length ? { adapters: a.adapters } : {}),
    ...(a.images ? { images: true } : {}),
    ...(a.audio ? { audio: true } : {}),
    ...Object.fromEntries(LIMITS.filter((k) => a[k] !== null).map((k) => [k, Number(a[k])])),
  };
}

const GRANTED_SELECT = {
  status: true,
  name: true,
  allowedModels: true,
  allowedEndpoints: true,
  allowedAdapters: true,
  allowImages: true,
  allowAudio: true,
  rpmLimit: true,
  tpmLimit: true,
  monthlyTokenBudget: true,
  monthlyCostBudgetUsd: true,
} as const;

/** The owners of an approved app ask for more; the app keeps its grants until a reviewer approves. */
export async function requestAmendment(appId: string, input: AmendmentRequest, actor: Actor) {
  const { reason, ...rest } = amendmentRequestSchema().parse(input);
  const app = await db().app.findUnique({ where: { id: appId }, select: GRANTED_SELECT });
  if (!app) throw new DomainError('not_found', 'no such app');
  if (app.status !== 'approved')
    throw new DomainError(
      'invalid',
      `the app is ${app.status.replace('_', ' ')}: only an approved app can ask for more`,
    );
  const ask = newOnly(rest, app);
  if (asksNothing(ask))
    throw new DomainError(
      'invalid',
      'ask for at least one thing the app does not have yet (a model, an endpoint, an adapter, media or a new limit)',
    );
  const asked = askedDetails(ask);
  const created = await db().$transaction(async (tx) => {
    const open = await tx.accessAmendment.findFirst({
      where: { appId, status: 'pending' },
      select: { id: true },
    });
    if (open)
      throw new DomainError(
        'conflict',
        'this app already waits for a decision on more access; withdraw it first',
      );
    const amendment = await tx.accessAmendment.create({
      data: {
        appId,
        reason,
        requestedById: actor.id ?? null,
        ...ask,
        monthlyTokenBudget: ask.monthlyTokenBudget === null ? null : BigInt(ask.monthlyTokenBudget),
      },
    });
    await recordReview({ tx, appId, decision: 'amendment_requested', actor, reason, details: asked });
    await audit(actor, 'app.amendment_requested', { type: 'app', id: appId }, { reason, ...asked }, tx);
    return amendment;
  });
  void notify({
    event: 'app.requested',
    appId,
    appName: app.name,
    requestedBy: actor.email ?? 'an owner',
    resubmitted: false,
    amendment: true,
  });
  return created;
}

/** The app's amendment waiting for a decision, if any. */
export function pendingAmendment(appId: string) {
  return db().accessAmendment.findFirst({
    where: { appId, status: 'pending' },
    include: { requestedBy: { select: { email: true } } },
  });
}
export type PendingAmendment = NonNullable<Awaited<ReturnType<typeof pendingAmendment>>>;

/** Approved apps with an amendment waiting, oldest first (the review queue's second list, as its badge counts). */
export function amendmentQueue() {
  return db().accessAmendment.findMany({
    where: { status: 'pending', app: { status: 'approved' } },
    orderBy: { createdAt: 'asc' },
    include: {
      requestedBy: { select: { email: true } },
      app: { select: { id: true, name: true, description: true, involvesPhi: true } },
    },
  });
}

/** The pending amendment a decision is about: the one the reviewer saw, still pending. */
async function openAmendment(appId: string, amendmentId: string) {
  const a = await db().accessAmendment.findFirst({ where: { id: amendmentId, appId } });
  if (!a) throw new DomainError('not_found', 'no such amendment');
  if (a.status !== 'pending')
    throw new DomainError(
      'invalid',
      `this amendment was already ${a.status}; reload the page to see the app as it is`,
    );
  return a;
}

/** Marks the amendment decided, unless a decision raced this one. */
async function decide(
  tx: Pick<ReturnType<typeof db>, 'accessAmendment'>,
  amendmentId: string,
  status: 'approved' | 'rejected' | 'withdrawn',
  actor: Actor,
  reason: string | null,
) {
  const done = await tx.accessAmendment.updateMany({
    where: { id: amendmentId, status: 'pending' },
    data: { status, decidedById: actor.id ?? null, decisionReason: reason, decidedAt: new Date() },
  });
  if (done.count === 0)
    throw new DomainError('invalid', 'this amendment was decided meanwhile; reload the page to see how');
}

/**
 * A reviewer grants all or part of what was asked (never more): the app's grants are widened, its limits set, in
 * one transaction with the amendment's decision, its history entry and its audit entry; the proxies hear of it after.
 */
export async function approveAmendment(
  appId: string,
  amendmentId: string,
  input: AmendmentGrant,
  actor: Actor,
) {
  const grant = askSchema().parse(input);
  const a = await openAmendment(appId, amendmentId);
  const asked = {
    models: a.models,
    endpoints: a.endpoints,
    adapters: a.adapters,
    images: a.images,
    audio: a.audio,
  };
  for (const k of ['models', 'endpoints', 'adapters'] as const) {
    const extra = grant[k].filter((n) => !asked[k].includes(n));
    if (extra.length)
      throw new DomainError('invalid', `${extra.join(', ')} was not asked for; grant only what was asked`);
  }
  if ((grant.images && !a.images) || (grant.audio && !a.audio))
    throw new DomainError('invalid', 'grant only the media that was asked for');
  const unasked = LIMITS.find((k) => grant[k] !== null && a[k] === null);
  if (unasked)
    throw new DomainError('invalid', 'was not asked for; change other limits in the policy', unasked);
  const note = grant.models.length || grant.endpoints.length || grant.adapters.length;
  if (!note && !grant.images && !grant.audio && LIMITS.every((k) => grant[k] === null))
    throw new DomainError('invalid', 'grant at least one thing, or reject the amendment with a reason');
  const app = await db().$transaction(async (tx) => {
    const who = await independentReviewer({ appId, actor, tx, amendmentBy: a.requestedById });
    const current = await tx.app.findUnique({ where: { id: appId }, select: GRANTED_SELECT });
    if (!current) throw new DomainError('not_found', 'no such app');
    if (current.status !== 'approved')
      throw new DomainError('invalid', `the app is ${current.status}: it cannot get more access now`);
    const add = (have: string[], more: string[]) => [...new Set([...have, ...more])];
    const changed = {
      ...(grant.models.length ? { allowedModels: add(current.allowedModels, grant.models) } : {}),
      ...(grant.endpoints.length ? { allowedEndpoints: add(current.allowedEndpoints, grant.endpoints) } : {}),
      ...(grant.adapters.length ? { allowedAdapters: add(current.allowedAdapters, grant.adapters) } : {}),
      ...(grant.images ? { allowImages: true } : {}),
      ...(grant.audio ? { allowAudio: true } : {}),
      ...Object.fromEntries(LIMITS.filter((k) => grant[k] !== null).map((k) => [k, grant[k]])),
    };
    await decide(tx, amendmentId, 'approved', actor, null);
    const updated = await tx.app.updateMany({
      where: { id: appId, status: 'approved' },
      data: {
        ...changed,
        ...('monthlyTokenBudget' in changed
          ? { monthlyTokenBudget: BigInt(changed.monthlyTokenBudget as number) }
          : {}),
      },
    });
    if (updated.count === 0) throw new DomainError('invalid', 'the app changed meanwhile; reload the page');
    await recordReview({ tx, appId, decision: 'amendment_approved', actor, details: changed });
    await audit(actor, 'app.amendment_approved', { type: 'app', id: appId }, { ...changed, ...who }, tx);
    return current;
  });
  await publishInvalidation({ appId });
  void notify({
    event: 'app.decided',
    appId,
    appName: app.name,
    decision: 'amendment_approved',
    reason: null,
    decidedBy: actor.email ?? 'a Portico operator',
  });
}

/** A reviewer refuses the amendment with a reason the owners read; the app keeps what it had. */
export async function rejectAmendment(appId: string, amendmentId: string, reason: string, actor: Actor) {
  const why = reasonSchema.parse(reason);
  const a = await openAmendment(appId, amendmentId);
  const app = await db().$transaction(async (tx) => {
    const who = await independentReviewer({ appId, actor, tx, amendmentBy: a.requestedById });
    await decide(tx, amendmentId, 'rejected', actor, why);
    await recordReview({ tx, appId, decision: 'amendment_rejected', actor, reason: why });
    await audit(actor, 'app.amendment_rejected', { type: 'app', id: appId }, { reason: why, ...who }, tx);
    return tx.app.findUniqueOrThrow({ where: { id: appId }, select: { name: true } });
  });
  void notify({
    event: 'app.decided',
    appId,
    appName: app.name,
    decision: 'amendment_rejected',
    reason: why,
    decidedBy: actor.email ?? 'a Portico operator',
  });
}

/** The owners take back an amendment that waits for a decision. */
export async function withdrawAmendment(appId: string, amendmentId: string, actor: Actor) {
  await openAmendment(appId, amendmentId);
  await db().$transaction(async (tx) => {
    await decide(tx, amendmentId, 'withdrawn', actor, null);
    await recordReview({ tx, appId, decision: 'amendment_withdrawn', actor });
    await audit(actor, 'app.amendment_withdrawn', { type: 'app', id: appId }, undefined, tx);
  });
}
