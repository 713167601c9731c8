import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { DomainError } from '../errors';
import { notify, type Decision } from '../notify';
import type { AppStatus, ReviewDecision } from '../generated/prisma/enums';
import { independentReviewer } from './four-eyes';
import { recordReview } from './record-review';

export interface TransitionOptions {
  appId: string;
  /** The statuses the decision applies to; any other is refused with what the app is now. */
  from: AppStatus[];
  to: AppStatus;
  decision: ReviewDecision;
  actor: Actor;
  reason?: string | null;
  /** More columns written with the status (an approval's grants), recorded in the review and the audit entry. */
  changes?: object;
}

/** Status, review and audit in one transaction; the proxies hear of it once it is committed. */
export async function transition({
  appId,
  from,
  to,
  decision,
  actor,
  reason,
  changes = {},
}: TransitionOptions) {
  const app = await db().$transaction(async (tx) => {
    // Every decision is four-eyes but suspending: taking access away is anyone's (with the role) to do at once.
    const grant = decision === 'suspended' ? {} : await independentReviewer({ appId, actor, tx });
    const updated = await tx.app.updateMany({
      where: { id: appId, status: { in: from } },
      data: { status: to, ...changes },
    });
    if (updated.count === 0) {
      const exists = await tx.app.findUnique({ where: { id: appId }, select: { status: true } });
      if (!exists) throw new DomainError('not_found', 'no such app');
      const status = exists.status.replace('_', ' ');
      // A page left open (or reached with Back) offers a decision already taken: say so rather than take it twice.
      throw new DomainError(
        'invalid',
        from.includes('pending') && (exists.status === 'approved' || exists.status === 'rejected')
          ? `this request was already decided (${status}), so nothing was changed; reload the page to see the app as it is`
          : `the app is ${status}; it cannot be ${decision.replace('_', ' ')} now`,
      );
    }
    await recordReview({ tx, appId, decision, actor, reason, details: changes });
    await audit(
      actor,
      `app.${decision}`,
      { type: 'app', id: appId },
      { reason: reason ?? undefined, ...changes, ...grant },
      tx,
    );
    return tx.app.findUniqueOrThrow({ where: { id: appId }, select: { name: true } });
  });
  await publishInvalidation({ appId });
  void notify({
    event: 'app.decided',
    appId,
    appName: app.name,
    decision: decision as Decision,
    reason: reason ?? null,
    decidedBy: actor.email ?? 'a Portico operator',
  });
}
