'use server';

import { refresh, revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import {
  approve,
  noteSchema,
  reasonSchema,
  reinstate,
  reject,
  requestChanges,
  suspend,
  updatePolicy,
  type Approval,
} from '@/lib/apps';
import { ADMINS, REVIEWERS, actorOf, requireActionUser } from '@/lib/auth/session';
import { echo, optionalNumber, runForm, text, texts } from './run';
import { idOr404 } from './guard';
import type { FormState } from './state';

const POLICY_FIELDS = [
  'allowedModels',
  'phiPolicy',
  'rpmLimit',
  'tpmLimit',
  'monthlyTokenBudget',
  'monthlyCostBudgetUsd',
  'allowedAdapters',
  'allowedEndpoints',
  'allowByoKey',
  'allowImages',
  'allowAudio',
  'statefulPhi',
];
const POLICY_LABELS: Record<string, string> = {
  allowedModels: 'Allowed models',
  phiPolicy: 'PHI policy',
  rpmLimit: 'Requests per minute',
  tpmLimit: 'Tokens per minute',
  monthlyTokenBudget: 'Monthly token budget',
  monthlyCostBudgetUsd: 'Monthly cost budget',
  allowedAdapters: 'HTTP adapters',
  allowedEndpoints: 'Custom endpoints',
  allowByoKey: 'Bring your own OpenAI key',
  allowImages: 'Images',
  allowAudio: 'Audio',
  statefulPhi: 'Stateful calls',
};

/** The approve / edit form's fields as the domain takes them; lib/apps checks them (bounds, configured names, PHI rule). */
function readPolicy(fd: FormData): Approval {
  const checked = (name: string) => text(fd, name) === 'on';
  return {
    allowedModels: texts(fd, 'allowedModels'),
    phiPolicy: (fd.get('phiPolicy') ?? undefined) as Approval['phiPolicy'],
    rpmLimit: optionalNumber(fd.get('rpmLimit')),
    tpmLimit: optionalNumber(fd.get('tpmLimit')),
    monthlyTokenBudget: optionalNumber(fd.get('monthlyTokenBudget')),
    monthlyCostBudgetUsd: optionalNumber(fd.get('monthlyCostBudgetUsd')),
    allowedAdapters: texts(fd, 'allowedAdapters'),
    allowedEndpoints: texts(fd, 'allowedEndpoints'),
    allowByoKey: checked('allowByoKey'),
    allowImages: checked('allowImages'),
    allowAudio: checked('allowAudio'),
    statefulPhi: checked('statefulPhi'),
  };
}

function appIdFrom(fd: FormData): string {
  return idOr404(fd.get('appId'));
}

export async function approveAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(REVIEWERS);
  const appId = appIdFrom(fd);
  return runForm(POLICY_LABELS, echo(fd, POLICY_FIELDS), async () => {
    await approve(appId, readPolicy(fd), await actorOf(user));
    // The layout's queue badge, and no cached page offering the decision again (Back).
    revalidatePath('/', 'layout');
    redirect(`/review?decided=${appId}`);
  });
}

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
    if (decision === 'reject') await reject({ appId, reason, actor });
    else await requestChanges({ appId, reason, actor });
    revalidatePath('/', 'layout');
    redirect(`/review?decided=${appId}`);
  });
}

export async function updatePolicyAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  const appId = appIdFrom(fd);
  return runForm(POLICY_LABELS, echo(fd, POLICY_FIELDS), async () => {
    await updatePolicy({ appId, policy: readPolicy(fd), actor: await actorOf(user) });
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
    await suspend({ appId, reason, actor: await actorOf(user) });
    refresh();
    return { ok: true, message: 'App suspended: its keys are refused with 403 from now on.', at: Date.now() };
  });
}

export async function reinstateAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(ADMINS);
  const appId = appIdFrom(fd);
  return runForm({ reason: 'The note' }, echo(fd, ['reason']), async () => {
    const { reason } = z.object({ reason: noteSchema }).parse({ reason: text(fd, 'reason') });
    await reinstate({ appId, actor: await actorOf(user), note: reason || undefined });
    refresh();
    return { ok: true, message: 'App reinstated: its keys work again.', at: Date.now() };
  });
}
