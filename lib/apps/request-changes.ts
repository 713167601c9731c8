import type { Actor } from '../audit';
import { reasonSchema } from './schemas';
import { transition } from './transition';

/** A reviewer sends a pending request back to its owners, saying what to change. */
export async function requestChanges({
  appId,
  reason,
  actor,
}: {
  appId: string;
  reason: string;
  actor: Actor;
}) {
  await transition({
    appId,
    from: ['pending'],
    to: 'changes_requested',
    decision: 'changes_requested',
    actor,
    reason: reasonSchema.parse(reason),
  });
}
