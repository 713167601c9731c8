import { db } from '../db';
import { audit, type Actor } from '../audit';
import { DomainError } from '../errors';
import { notify } from '../notify';
import { recordReview } from './record-review';
import {
  amendmentRequestSchema,
  askedDetails,
  asksNothing,
  GRANTED_SELECT,
  newOnly,
  type AmendmentRequest,
} from './amendment-rules';

/** The owners of an approved app ask for more; the app keeps its grants until a reviewer approves. */
export async function requestAmendment({
  appId,
  request,
  actor,
}: {
  appId: string;
  request: AmendmentRequest;
  actor: Actor;
}) {
  const { reason, ...rest } = amendmentRequestSchema().parse(request);
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
