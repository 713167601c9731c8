// Amendments (an approved app asking for more): the queries the pages read, and the data functions, one per file
// (request-, approve-, reject-, withdraw-amendment.ts; their shared rules in amendment-rules.ts).
import { db } from '../db';

/** The app's amendment waiting for a decision, if any. */
export function pendingAmendment(appId: string) {
  return db().accessAmendment.findFirst({
    where: { appId, status: 'pending' },
    include: { requestedBy: { select: { email: true } } },
  });
}
export type PendingAmendment = NonNullable<Awaited<ReturnType<typeof pendingAmendment>>>;

/** Approved apps with an amendment waiting, oldest first (the review queue's second list, as its badge counts). */
export function amendmentQueue() {
  return db().accessAmendment.findMany({
    where: { status: 'pending', app: { status: 'approved' } },
    orderBy: { createdAt: 'asc' },
    include: {
      requestedBy: { select: { email: true } },
      app: { select: { id: true, name: true, description: true, involvesPhi: true } },
    },
  });
}

export {
  amendmentRequestSchema,
  askedDetails,
  type AmendmentGrant,
  type AmendmentRequest,
} from './amendment-rules';
export { requestAmendment } from './request-amendment';
export { approveAmendment } from './approve-amendment';
export { rejectAmendment } from './reject-amendment';
export { withdrawAmendment } from './withdraw-amendment';
