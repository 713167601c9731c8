import type { Actor } from '../audit';
import { reasonSchema } from './schemas';
import { transition } from './transition';

/** A reviewer refuses a request, with a reason the owners read; the name is free again. */
export async function reject({ appId, reason, actor }: { appId: string; reason: string; actor: Actor }) {
  await transition({
    appId,
    from: ['pending', 'changes_requested'],
    to: 'rejected',
    decision: 'rejected',
    actor,
    reason: reasonSchema.parse(reason),
  });
}
