import { z } from 'zod';
import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { gatewayConfig } from '../config';
import { DomainError } from '../errors';
import type { AppStatus, PhiPolicy, ReviewDecision } from '../generated/prisma/enums';

export const phiPolicySchema = z.enum(['scrub', 'redact', 'block', 'off'], {
  error: 'choose scrub, redact, block or off',
});

export const appNameSchema = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(60, 'must be at most 60 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, spaces and . _ - only');

export const accessRequestSchema = z.object({
  name: appNameSchema,
  description: z.string().trim().min(1, 'is required').max(2000),
  useCase: z.string().trim().min(1, 'is required').max(2000),
  sponsor: z.string().trim().min(1, 'is required').max(200),
  expectedReturn: z.string().trim().min(1, 'is required').max(2000),
  involvesPhi: z.boolean(),
  requestedModels: z.array(z.string().min(1).max(100)).min(1, 'choose at least one model').max(50),
  expectedVolume: z.string().trim().min(1, 'is required').max(200),
  internalOnlyAttested: z.literal(true, { error: 'the internal-use attestation is required' }),
});
export type AccessRequest = z.infer<typeof accessRequestSchema>;

const count = (max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .positive('must be more than 0 (leave it empty for no limit)')
    .max(max, `must be at most ${max.toLocaleString('en-US')}`)
    .nullable();

export const limitsSchema = z.object({
  rpmLimit: count(1_000_000),
  tpmLimit: count(1_000_000_000),
  monthlyTokenBudget: count(1e15),
  monthlyCostBudgetUsd: z
    .number({ error: 'must be a number' })
    .positive('must be more than 0 (leave it empty for no budget)')
    .max(1e9, 'must be at most 1,000,000,000')
    .nullable(),
});
export type Limits = z.infer<typeof limitsSchema>;

/** Names from a list that must all be in `known` (the gateway config's models or adapters), each once. */
const configuredNames = (what: string, known: () => Iterable<string>) =>
  z
    .array(z.string().min(1).max(100))
    .max(50)
    .refine((list) => new Set(list).size === list.length, `lists a ${what} twice`)
    .superRefine((list, ctx) => {
      const have = new Set(known());
      const unknown = list.filter((m) => !have.has(m));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `names ${what}s that are not configured (${unknown.join(', ')}); choose from the list`,
        });
    });

/** Models an owner may ask for: configured ones, each once. */
export const requestedModelsSchema = (empty: string) =>
  configuredNames('model', () => gatewayConfig().models.keys()).min(1, empty);

export const approvalSchema = limitsSchema.extend({
  allowedModels: configuredNames('model', () => gatewayConfig().models.keys()).min(
    1,
    'allow at least one model',
  ),
  phiPolicy: phiPolicySchema,
  allowedAdapters: configuredNames('adapter', () => gatewayConfig().adapters.keys()).default([]),
  allowByoKey: z.boolean().default(false),
  allowImages: z.boolean().default(false),
  allowAudio: z.boolean().default(false),
});
export type Approval = z.input<typeof approvalSchema>;

/**
 * The rules an app's policy obeys whoever sets it (the portal, the CLI, a future route): only configured models
 * and adapters, and an app whose owner said it handles PHI never gets the policy `off`.
 */
function policyFor(app: { involvesPhi: boolean }) {
  return <T extends { phiPolicy?: string }>(v: T, ctx: z.RefinementCtx) => {
    if (v.phiPolicy === 'off' && app.involvesPhi)
      ctx.addIssue({
        code: 'custom',
        path: ['phiPolicy'],
        message: 'cannot be off: the owner said this app handles PHI. Choose scrub, redact or block',
      });
  };
}

async function appForPolicy(appId: string, tx: Tx = db()) {
  const app = await tx.app.findUnique({ where: { id: appId }, select: { id: true, involvesPhi: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  return app;
}

type Tx = Pick<ReturnType<typeof db>, 'app' | 'accessReview' | 'auditEvent'>;

async function review(
  appId: string,
  decision: ReviewDecision,
  actor: Actor,
  reason?: string | null,
  details?: object,
  tx: Tx = db(),
) {
  await tx.accessReview.create({
    data: {
      appId,
      decision,
      reason: reason ?? null,
      reviewerId: actor.id ?? null,
      details: details ?? undefined,
    },
  });
}

/** An owner asks for access for one use case; the app starts pending. */
export async function requestAccess(input: AccessRequest, ownerId: string, actor: Actor) {
  const data = accessRequestSchema.parse(input);
  const taken = await db().app.findUnique({ where: { name: data.name }, select: { id: true } });
  if (taken)
    throw new DomainError('conflict', `an app named "${data.name}" already exists; choose another name`);
  return db().$transaction(async (tx) => {
    const app = await tx.app.create({
      data: { ...data, owners: { create: { userId: ownerId, addedById: ownerId } } },
    });
    await review(app.id, 'submitted', actor, null, undefined, tx);
    await audit(
      actor,
      'app.requested',
      { type: 'app', id: app.id },
      { name: app.name, requestedModels: data.requestedModels },
      tx,
    );
    return app;
  });
}

/** Resubmits an app that was sent back for changes. */
export async function resubmit(appId: string, input: AccessRequest, actor: Actor) {
  const data = accessRequestSchema.parse(input);
  const app = await db().app.findUnique({ where: { id: appId }, select: { status: true, name: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  if (app.status !== 'changes_requested')
    throw new DomainError('invalid', 'only an app sent back for changes can be resubmitted');
  if (data.name !== app.name) {
    const taken = await db().app.findUnique({ where: { name: data.name }, select: { id: true } });
    if (taken)
      throw new DomainError('conflict', `an app named "${data.name}" already exists; choose another name`);
  }
  await db().$transaction(async (tx) => {
    // Still sent back when the write happens: a second resubmit racing this one changes nothing.
    const updated = await tx.app.updateMany({
      where: { id: appId, status: 'changes_requested' },
      data: { ...data, status: 'pending' },
    });
    if (updated.count === 0)
      throw new DomainError('invalid', 'only an app sent back for changes can be resubmitted');
    await review(appId, 'resubmitted', actor, null, undefined, tx);
    await audit(actor, 'app.resubmitted', { type: 'app', id: appId }, undefined, tx);
  });
}

/** Status, review and audit in one transaction; the proxies hear of it once it is committed. */
async function transition(
  appId: string,
  from: AppStatus[],
  to: AppStatus,
  decision: ReviewDecision,
  actor: Actor,
  reason?: string | null,
  extra: object = {},
) {
  await db().$transaction(async (tx) => {
    const updated = await tx.app.updateMany({
      where: { id: appId, status: { in: from } },
      data: { status: to, ...extra },
    });
    if (updated.count === 0) {
      const exists = await tx.app.findUnique({ where: { id: appId }, select: { status: true } });
      if (!exists) throw new DomainError('not_found', 'no such app');
      throw new DomainError(
        'invalid',
        `the app is ${exists.status.replace('_', ' ')}; it cannot be ${decision.replace('_', ' ')} now`,
      );
    }
    await review(appId, decision, actor, reason, extra, tx);
    await audit(
      actor,
      `app.${decision}`,
      { type: 'app', id: appId },
      { reason: reason ?? undefined, ...extra },
      tx,
    );
  });
  await publishInvalidation({ appId });
}

export async function approve(appId: string, input: Approval, actor: Actor) {
  const a = approvalSchema.superRefine(policyFor(await appForPolicy(appId))).parse(input);
  await transition(appId, ['pending', 'changes_requested'], 'approved', 'approved', actor, null, {
    allowedModels: a.allowedModels,
    phiPolicy: a.phiPolicy,
    allowedAdapters: a.allowedAdapters,
    allowByoKey: a.allowByoKey,
    allowImages: a.allowImages,
    allowAudio: a.allowAudio,
    rpmLimit: a.rpmLimit,
    tpmLimit: a.tpmLimit,
    monthlyTokenBudget: a.monthlyTokenBudget === null ? null : BigInt(a.monthlyTokenBudget),
    monthlyCostBudgetUsd: a.monthlyCostBudgetUsd,
  });
}

const reasonSchema = z.string().trim().min(3, 'give a reason the owner can act on').max(2000);

export async function reject(appId: string, reason: string, actor: Actor) {
  await transition(
    appId,
    ['pending', 'changes_requested'],
    'rejected',
    'rejected',
    actor,
    reasonSchema.parse(reason),
  );
}

export async function requestChanges(appId: string, comment: string, actor: Actor) {
  await transition(
    appId,
    ['pending'],
    'changes_requested',
    'changes_requested',
    actor,
    reasonSchema.parse(comment),
  );
}

export async function suspend(appId: string, reason: string, actor: Actor) {
  await transition(appId, ['approved'], 'suspended', 'suspended', actor, reasonSchema.parse(reason));
}

export async function reinstate(appId: string, actor: Actor, reason?: string) {
  await transition(appId, ['suspended'], 'approved', 'reinstated', actor, reason ?? null);
}

/** Admins change an approved app's policy and limits. */
export async function updatePolicy(appId: string, input: Partial<Approval>, actor: Actor) {
  const a = approvalSchema
    .partial()
    .superRefine(policyFor(await appForPolicy(appId)))
    .parse(input);
  const data = {
    ...a,
    ...(a.monthlyTokenBudget !== undefined
      ? { monthlyTokenBudget: a.monthlyTokenBudget === null ? null : BigInt(a.monthlyTokenBudget) }
      : {}),
  };
  const shown = { ...a };
  await db().$transaction(async (tx) => {
    await tx.app.update({ where: { id: appId }, data });
    await review(appId, 'policy_changed', actor, null, shown, tx);
    await audit(actor, 'app.policy_changed', { type: 'app', id: appId }, shown, tx);
  });
  await publishInvalidation({ appId });
}

export async function setLimits(appId: string, limits: Partial<Limits>, actor: Actor) {
  await updatePolicy(appId, limitsSchema.partial().parse(limits), actor);
}

export async function findAppByIdOrName(idOrName: string) {
  return db().app.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] } });
}

export type { AppStatus, PhiPolicy };
