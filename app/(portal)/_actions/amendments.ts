'use server';

import { refresh, revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import {
  approveAmendment,
  rejectAmendment,
  requestAmendment,
  withdrawAmendment,
  type AmendmentGrant,
} from '@/lib/apps/amendments';
import { reasonSchema } from '@/lib/apps';
import { REVIEWERS, actorOf, requireActionUser } from '@/lib/auth/session';
import { echo, optionalNumber, runForm, text, texts } from './run';
import { idOr404, requireManage } from './guard';
import type { FormState } from './state';

const FIELDS = [
  'models',
  'endpoints',
  'adapters',
  'images',
  'audio',
  'rpmLimit',
  'tpmLimit',
  'monthlyTokenBudget',
  'monthlyCostBudgetUsd',
  'reason',
];
const LABELS: Record<string, string> = {
  models: 'Models',
  endpoints: 'Custom endpoints',
  adapters: 'HTTP adapters',
  images: 'Images',
  audio: 'Audio',
  rpmLimit: 'Requests per minute',
  tpmLimit: 'Tokens per minute',
  monthlyTokenBudget: 'Monthly token budget',
  monthlyCostBudgetUsd: 'Monthly cost budget',
  reason: 'The reason',
};

/** The amendment form's fields as the domain takes them (lib/apps/amendments checks names, bounds and rules). */
function readAsk(fd: FormData): AmendmentGrant {
  return {
    models: texts(fd, 'models'),
    endpoints: texts(fd, 'endpoints'),
    adapters: texts(fd, 'adapters'),
    images: text(fd, 'images') === 'on',
    audio: text(fd, 'audio') === 'on',
    rpmLimit: optionalNumber(fd.get('rpmLimit')),
    tpmLimit: optionalNumber(fd.get('tpmLimit')),
    monthlyTokenBudget: optionalNumber(fd.get('monthlyTokenBudget')),
    monthlyCostBudgetUsd: optionalNumber(fd.get('monthlyCostBudgetUsd')),
  };
}

/** The owners (or an admin) ask for more on an approved app. */
export async function requestAmendmentAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm(LABELS, echo(fd, FIELDS), async () => {
    await requestAmendment({
      appId,
      request: { ...readAsk(fd), reason: text(fd, 'reason') },
      actor: await actorOf(user),
    });
    revalidatePath('/', 'layout');
    redirect(`/apps/${appId}?amended=1`);
  });
}

export async function withdrawAmendmentAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser();
  const appId = await requireManage(user, fd.get('appId'));
  return runForm({}, undefined, async () => {
    await withdrawAmendment({
      appId,
      amendmentId: idOr404(fd.get('amendmentId')),
      actor: await actorOf(user),
    });
    revalidatePath('/', 'layout');
    refresh();
    return { ok: true, message: 'Withdrawn: the app keeps the access it has.', at: Date.now() };
  });
}

/** A reviewer grants all or part of what an amendment asks. */
export async function approveAmendmentAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(REVIEWERS);
  const appId = idOr404(fd.get('appId'));
  const amendmentId = idOr404(fd.get('amendmentId'));
  return runForm(LABELS, echo(fd, FIELDS), async () => {
    await approveAmendment({ appId, amendmentId, grant: readAsk(fd), actor: await actorOf(user) });
    revalidatePath('/', 'layout');
    redirect(`/review?decided=${appId}&more=approved`);
  });
}

/** A reviewer rejects an amendment with a reason the owners read. */
export async function rejectAmendmentAction(_prev: FormState, fd: FormData): Promise<FormState> {
  const user = await requireActionUser(REVIEWERS);
  const appId = idOr404(fd.get('appId'));
  const amendmentId = idOr404(fd.get('amendmentId'));
  return runForm({ reason: 'The reason' }, echo(fd, ['reason']), async () => {
    const { reason } = z
      .object({
        reason: reasonSchema,
      })
      .parse({ reason: text(fd, 'reason') });
    await rejectAmendment({ appId, amendmentId, reason, actor: await actorOf(user) });
    revalidatePath('/', 'layout');
    redirect(`/review?decided=${appId}&more=rejected`);
  });
}
