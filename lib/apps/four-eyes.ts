import { db } from '../db';
import type { Actor } from '../audit';
import { gatewayConfig } from '../config';
import { DomainError } from '../errors';
import type { Tx } from './record-review';

interface FourEyesOptions {
  appId: string;
  actor: Actor;
  /** Who asked for the amendment being decided, when the decision is an amendment's. */
  amendmentBy?: string | null;
}

/**
 * Four eyes: whoever decides a request or grants access (approves, rejects, sends back, reinstates, changes the
 * policy) is neither an owner of the app nor the person who submitted its request. An operator at the server's
 * shell (the CLI, no actor id) may, as a bootstrap. `portal.allowSelfApproval` lifts the rule for one-person
 * installs, and each such decision is audited as self-approved. Returns what the audit records of it.
 */
async function fourEyes({ appId, actor, amendmentBy }: FourEyesOptions, tx: Tx) {
  if (!actor.id) return { grant: { by: 'operator' } };
  if (amendmentBy && amendmentBy === actor.id) {
    if (gatewayConfig().portal.allowSelfApproval) return { grant: { selfApproved: true } };
    return { refusal: 'you asked for this amendment: another reviewer must decide (four-eyes rule)' };
  }
  const [owner, submitted] = await Promise.all([
    tx.appOwner.findUnique({
      where: { appId_userId: { appId, userId: actor.id } },
      select: { userId: true },
    }),
    tx.accessReview.findFirst({
      where: { appId, reviewerId: actor.id, decision: { in: ['submitted', 'resubmitted', 'edited'] } },
      select: { id: true },
    }),
  ]);
  if (!owner && !submitted) return { grant: {} };
  if (gatewayConfig().portal.allowSelfApproval) return { grant: { selfApproved: true } };
  return {
    refusal: owner
      ? 'you own this app: another reviewer, who does not own it, must decide (four-eyes rule)'
      : 'you submitted this request: another reviewer must decide (four-eyes rule)',
  };
}

/** The four-eyes rule inside a decision's transaction: throws when the actor may not decide; what the audit records. */
export async function independentReviewer({ tx, ...opts }: FourEyesOptions & { tx: Tx }): Promise<object> {
  const { grant, refusal } = await fourEyes(opts, tx);
  if (refusal !== undefined) throw new DomainError('forbidden', refusal);
  return grant;
}

/** Why this user may not approve, reinstate or change the app's policy (the four-eyes rule), or null. */
export async function grantRefusal(opts: FourEyesOptions): Promise<string | null> {
  return (await fourEyes(opts, db())).refusal ?? null;
}
