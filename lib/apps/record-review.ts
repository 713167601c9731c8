import { db } from '../db';
import type { Actor } from '../audit';
import type { ReviewDecision } from '../generated/prisma/enums';

/** What an app's decisions are written through: a transaction's client. */
export type Tx = Pick<ReturnType<typeof db>, 'app' | 'appOwner' | 'accessReview' | 'auditEvent'>;

/** One entry of the app's review history (its page's timeline), written in the decision's transaction. */
export async function recordReview({
  tx,
  appId,
  decision,
  actor,
  reason,
  details,
}: {
  tx: Tx;
  appId: string;
  decision: ReviewDecision;
  actor: Actor;
  reason?: string | null;
  details?: object;
}) {
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
