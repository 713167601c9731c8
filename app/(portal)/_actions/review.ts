'use server';

import { refresh } from 'next/cache';
import { notFound, redirect } from 'next/navigation';
import { z } from 'zod';
import {
  approve,
  phiPolicySchema,
  reinstate,
  reject,
  requestChanges,
  suspend,
  updatePolicy,
} from '@/lib/apps';
import { ADMINS, REVIEWERS, actorOf, requireActionUser } from '@/lib/auth/session';
import { db } from '@/lib/db';
import { echo, optionalNumber, runForm, text, texts } from './run';
import { configuredAdapters, idOr404, modelsSchema } from './guard';
import type { FormState } from './state';

const POLICY_FIELDS = [
  'allowedModels',
  'phiPolicy',
  'rpmLimit',
  'tpmLimit',
  'monthlyTokenBudget',
  'monthlyCostBudgetUsd',
  'allowedAdapters',
  'allowByoKey',
  'allowImages',
  'allowAudio',
];
const POLICY_LABELS: Record<string, string> = {
  allowedModels: 'Allowed models',
  phiPolicy: 'PHI policy',
  rpmLimit: 'Requests per minute',
  tpmLimit: 'Tokens per minute',
  monthlyTokenBudget: 'Monthly token budget',
  monthlyCostBudgetUsd: 'Monthly cost budget',
  allowedAdapters: 'HTTP adapters',
  allowByoKey: 'Bring your own OpenAI key',
  allowImages: 'Images',
  allowAudio: 'Audio',
};

const checkbox = z
  .union([z.literal('on'), z.literal('')], { error: 'is not a checkbox value' })
  .transform((v) => v === 'on');

const count = (max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .positive('must be more than 0 (leave it empty for no limit)')
    .max(max, `must be at most ${max.toLocaleString('en-US')}`)
    .nullable();

const policyForm = z.object({
  allowedModels: modelsSchema('Allow at least one model'),
  phiPolicy: phiPolicySchema.or(z.undefined()).refine((v) => v !== undefined, 'Choose a PHI policy'),
  rpmLimit: count(1_000_000),
  tpmLimit: count(1_000_000_000),
  monthlyTokenBudget: count(1e15),
  monthlyCostBudgetUsd: z
    .number({ error: 'must be a number' })
    .positive('must be more than 0 (leave it empty for no budget)')
    .max(1e9, 'must be at most 1,000,000,000')
    .nullable(),
  allowedAdapters: z
    .array(z.string().max(100))
    .max(50)
    .refine((list) => new Set(list).size === list.length, 'lists an adapter twice')
    .superRefine((list, ctx) => {
      const known = new Set(configuredAdapters());
      const unknown = list.filter((a) => !known.has(a));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `names adapters that are not configured (${unknown.join(', ')}); choose from the list`,
        });
    }),
  allowByoKey: checkbox,
  allowImages: checkbox,
  allowAudio: checkbox,
});

/** Reads the policy fields of the approve / edit form, and checks the PHI policy fits what the owner declared. */
async function readPolicy(fd: FormData, appId: string) {
  const app = await db().app.findUnique({ where: { id: appId }, select: { involvesPhi: true } });
  if (!app) notFound();
  const p = policyForm
    .superRefine((v, ctx) => {
      if (v.phiPolicy === 'off' && app.involvesPhi) {
        ctx.addIssue({
          code: 'custom',
          path: ['phiPolicy'],
          message:
            'PHI policy cannot be off: the owner said this app handles PHI. Choose scrub, redact or block',
        });
      }
    })
    .parse({
      allowedModels: texts(fd, 'allowedModels'),
      phiPolicy: fd.get('phiPolicy') ?? undefined,
      rpmLimit: optionalNumber(fd.get('rpmLimit')),
      tpmLimit: optionalNumber(fd.get('tpmLimit')),
      monthlyTokenBudget: optionalNumber(fd.get('monthlyTokenBudget')),
      monthlyCostBudgetUsd: optionalNumber(fd.get('monthlyCostBudgetUsd')),
      allowedAdapters: texts(fd, 'allowedAdapters'),
      allowByoKey: text(fd, 'allowByoKey'),
      allowImages: text(fd, 'allowImages'),
      allowAudio: text(fd, 'allowAudio'),
    });
  return { ...p, phiPolicy: p.phiPolicy! };
}

function appIdFrom(fd: FormData): string {
  return idOr404(fd.get('appId'));
}

export async function approveAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(REVIEWERS);
  const appId = appIdFrom(fd);
  return runForm(POLICY_LABELS, echo(fd, POLICY_FIELDS), async () => {
    await approve(appId, await readPolicy(fd, appId), await actorOf(user));
    redirect(`/review?decided=${appId}`);
  });
}

const reasonSchema = z
  .string()
  .trim()
  .min(3, 'must say what the owner should know (at least 3 characters)')
  .max(2000, 'must be at most 2000 characters');

/** Reject, or send back for changes, with a reason the owner sees. */
export async function decideAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(REVIEWERS);
  const appId = appIdFrom(fd);
  return runForm({ reason: 'The reason', decision: 'Decision' }, echo(fd, ['reason']), async () => {
    const { decision, reason } = z
      .object({
        decision: z.enum(['reject', 'changes'], { error: 'Choose reject or send back' }),
        reason: reasonSchema,
      })
      .parse({ decision: fd.get('decision') ?? undefined, reason: text(fd, 'reason') });
    const actor = await actorOf(user);
    if (decision === 'reject') await reject(appId, reason, actor);
    else await requestChanges(appId, reason, actor);
    redirect(`/review?decided=${appId}`);
  });
}

export async function updatePolicyAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  const appId = appIdFrom(fd);
  return runForm(POLICY_LABELS, echo(fd, POLICY_FIELDS), async () => {
    await updatePolicy(appId, await readPolicy(fd, appId), await actorOf(user));
    refresh();
    return {
      ok: true,
      message: 'Policy and limits saved. The proxy applies them to the next request.',
      at: Date.now(),
    };
  });
}

export async function suspendAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  const appId = appIdFrom(fd);
  return runForm({ reason: 'The reason' }, echo(fd, ['reason']), async () => {
    const { reason } = z.object({ reason: reasonSchema }).parse({ reason: text(fd, 'reason') });
    await suspend(appId, reason, await actorOf(user));
    refresh();
    return { ok: true, message: 'App suspended: its keys are refused with 403 from now on.', at: Date.now() };
  });
}

export async function reinstateAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  const appId = appIdFrom(fd);
  return runForm({ reason: 'The note' }, echo(fd, ['reason']), async () => {
    const { reason } = z
      .object({ reason: z.string().trim().max(2000, 'must be at most 2000 characters') })
      .parse({ reason: text(fd, 'reason') });
    await reinstate(appId, await actorOf(user), reason || undefined);
    refresh();
    return { ok: true, message: 'App reinstated: its keys work again.', at: Date.now() };
  });
}
