import { db } from '../db';
import { audit, type Actor } from '../audit';
import { recordReview } from './record-review';
import { decide, openAmendment } from './amendment-rules';

/** The owners take back an amendment that waits for a decision. */
export async function withdrawAmendment({
  appId,
  amendmentId,
  actor,
}: {
  appId: string;
  amendmentId: string;
  actor: Actor;
}) {
  await openAmendment(appId, amendmentId);
  await db().$transaction(async (tx) => {
    await decide(tx, amendmentId, 'withdrawn', actor, null);
    await recordReview({ tx, appId, decision: 'amendment_withdrawn', actor });
    await audit(actor, 'app.amendment_withdrawn', { type: 'app', id: appId }, undefined, tx);
  });
}
