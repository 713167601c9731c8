import { z } from 'zod';
import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { DomainError } from '../errors';
import type { AppStatus, PhiPolicy, ReviewDecision } from '../generated/prisma/enums';

export const phiPolicySchema = z.enum(['scrub', 'redact', 'block', 'off']);

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

export const limitsSchema = z.object({
  rpmLimit: z.number().int().positive().max(1_000_000).nullable(),
  tpmLimit: z.number().int().positive().max(1_000_000_000).nullable(),
  monthlyTokenBudget: z.number().int().positive().max(1e15).nullable(),
  monthlyCostBudgetUsd: z.number().positive().max(1e9).nullable(),
});
export type Limits = z.infer<typeof limitsSchema>;

export const approvalSchema = limitsSchema.extend({
  allowedModels: z.array(z.string().min(1)).min(1, 'allow at least one model'),
  phiPolicy: phiPolicySchema,
  allowedAdapters: z.array(z.string().min(1)).default([]),
  allowByoKey: z.boolean().default(false),
  allowImages: z.boolean().default(false),
  allowAudio: z.boolean().default(false),
});
export type Approval = z.input<typeof approvalSchema>;

async function review(appId: string, decision: ReviewDecision, actor: Actor, reason?: string | null, details?: object) {
  await db().accessReview.create({
    data: { appId, decision, reason: reason ?? null, reviewerId: actor.id ?? null, details: details ?? undefined },
  });
}

/** An owner asks for access for one use case; the app starts pending. */
export async function requestAccess(input: AccessRequest, ownerId: string, actor: Actor) {
  const data = accessRequestSchema.parse(input);
  const taken = await db().app.findUnique({ where: { name: data.name }, select: { id: true } });
  if (taken) throw new DomainError('conflict', `an app named "${data.name}" already exists; choose another name`);
  const app = await db().app.create({
    data: { ...data, owners: { create: { userId: ownerId, addedById: ownerId } } },
  });
  await review(app.id, 'submitted', actor);
  await audit(actor, 'app.requested', { type: 'app', id: app.id }, { name: app.name, requestedModels: data.requestedModels });
  return app;
}

/** Resubmits an app that was sent back for changes. */
export async function resubmit(appId: string, input: AccessRequest, actor: Actor) {
  const data = accessRequestSchema.parse(input);
  const app = await db().app.findUnique({ where: { id: appId }, select: { status: true, name: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  if (app.status !== 'changes_requested') throw new DomainError('invalid', 'only an app sent back for changes can be resubmitted');
  if (data.name !== app.name) {
    const taken = await db().app.findUnique({ where: { name: data.name }, select: { id: true } });
    if (taken) throw new DomainError('conflict', `an app named "${data.name}" already exists; choose another name`);
  }
  await db().app.update({ where: { id: appId }, data: { ...data, status: 'pending' } });
  await review(appId, 'resubmitted', actor);
  await audit(actor, 'app.resubmitted', { type: 'app', id: appId });
}

async function transition(appId: string, from: AppStatus[], to: AppStatus, decision: ReviewDecision, actor: Actor, reason?: string | null, extra: object = {}) {
  const updated = await db().app.updateMany({ where: { id: appId, status: { in: from } }, data: { status: to, ...extra } });
  if (updated.count === 0) {
    const exists = await db().app.findUnique({ where: { id: appId }, select: { status: true } });
    if (!exists) throw new DomainError('not_found', 'no such app');
    throw new DomainError('invalid', `the app is ${exists.status.replace('_', ' ')}; it cannot be ${decision.replace('_', ' ')} now`);
  }
  await review(appId, decision, actor, reason, extra);
  await audit(actor, `app.${decision}`, { type: 'app', id: appId }, { reason: reason ?? undefined, ...extra });
  await publishInvalidation({ appId });
}

export async function approve(appId: string, input: Approval, actor: Actor) {
  const a = approvalSchema.parse(input);
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
  await transition(appId, ['pending', 'changes_requested'], 'rejected', 'rejected', actor, reasonSchema.parse(reason));
}

export async function requestChanges(appId: string, comment: string, actor: Actor) {
  await transition(appId, ['pending'], 'changes_requested', 'changes_requested', actor, reasonSchema.parse(comment));
}

export async function suspend(appId: string, reason: string, actor: Actor) {
  await transition(appId, ['approved'], 'suspended', 'suspended', actor, reasonSchema.parse(reason));
}

export async function reinstate(appId: string, actor: Actor, reason?: string) {
  await transition(appId, ['suspended'], 'approved', 'reinstated', actor, reason ?? null);
}

/** Admins change an approved app's policy and limits. */
export async function updatePolicy(appId: string, input: Partial<Approval>, actor: Actor) {
  const a = approvalSchema.partial().parse(input);
  const app = await db().app.findUnique({ where: { id: appId }, select: { id: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  const data = {
    ...a,
    ...(a.monthlyTokenBudget !== undefined
      ? { monthlyTokenBudget: a.monthlyTokenBudget === null ? null : BigInt(a.monthlyTokenBudget) }
      : {}),
  };
  await db().app.update({ where: { id: appId }, data });
  const shown = { ...a };
  await review(appId, 'policy_changed', actor, null, shown);
  await audit(actor, 'app.policy_changed', { type: 'app', id: appId }, shown);
  await publishInvalidation({ appId });
}

export async function setLimits(appId: string, limits: Partial<Limits>, actor: Actor) {
  await updatePolicy(appId, limitsSchema.partial().parse(limits), actor);
}

export async function findAppByIdOrName(idOrName: string) {
  return db().app.findFirst({ where: { OR: [{ id: idOrName }, { name: idOrName }] } });
}

export type { AppStatus, PhiPolicy };
