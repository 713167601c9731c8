import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { DomainError } from '../errors';
import { notify } from '../notify';
import { independentReviewer } from './four-eyes';
import { recordReview } from './record-review';
import {
  askSchema,
  decide,
  GRANTED_SELECT,
  LIMITS,
  openAmendment,
  type AmendmentGrant,
} from './amendment-rules';

/**
 * A reviewer grants all or part of what was asked (never more): the app's grants are widened, its limits set, in
 * one transaction with the amendment's decision, its history entry and its audit entry; the proxies hear of it after.
 */
export async function approveAmendment({
  appId,
  amendmentId,
  grant: input,
  actor,
}: {
  appId: string;
  amendmentId: string;
  grant: AmendmentGrant;
  actor: Actor;
}) {
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
