import { db } from '../db';
import { audit, type Actor } from '../audit';
import { notify } from '../notify';
import { independentReviewer } from './four-eyes';
import { recordReview } from './record-review';
import { reasonSchema } from './schemas';
import { decide, openAmendment } from './amendment-rules';

/** A reviewer refuses the amendment with a reason the owners read; the app keeps what it had. */
export async function rejectAmendment({
  appId,
  amendmentId,
  reason,
  actor,
}: {
  appId: string;
  amendmentId: string;
  reason: string;
  actor: Actor;
}) {
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
