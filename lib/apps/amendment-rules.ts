import { z } from 'zod';
import { db } from '../db';
import type { Actor } from '../audit';
import { gatewayConfig } from '../config';
import { DomainError } from '../errors';
import { plainText } from '../text';
import { configuredNames, limitsSchema } from './schemas';

/**
 * Amendments: the access request's second form. An approved app's owners ask for more (models, endpoints, adapters,
 * images or audio, higher limits) with a reason; a reviewer who neither owns the app nor asked decides. Until then
 * the app works as approved: the proxy reads only the app's own grants, which change on approval alone.
 */

const models = () => configuredNames('model', () => gatewayConfig().models.keys());
const endpoints = () => configuredNames('endpoint', () => gatewayConfig().endpoints.keys());
const adapters = () => configuredNames('adapter', () => gatewayConfig().adapters.keys());

/** What an amendment asks for (or a reviewer grants of it): names to add, media to allow, limits to set. */
export const askSchema = () =>
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

export type Ask = z.output<ReturnType<typeof askSchema>>;
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
export const LIMITS = ['rpmLimit', 'tpmLimit', 'monthlyTokenBudget', 'monthlyCostBudgetUsd'] as const;

/** Only what the app does not have yet: names it lacks, media it is refused, limits different from its own. */
export function newOnly(ask: Ask, app: Granted): Ask {
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

export const asksNothing = (a: Ask) =>
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

export const GRANTED_SELECT = {
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

/** The pending amendment a decision is about: the one the reviewer saw, still pending. */
export async function openAmendment(appId: string, amendmentId: string) {
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
export async function decide(
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
