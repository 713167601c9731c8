import type { Actor } from '../audit';
import { reasonSchema } from './schemas';
import { transition } from './transition';

/** An approved app stops working at once (its keys are refused), with a reason the owners read. */
export async function suspend({ appId, reason, actor }: { appId: string; reason: string; actor: Actor }) {
  await transition({
    appId,
    from: ['approved'],
    to: 'suspended',
    decision: 'suspended',
    actor,
    reason: reasonSchema.parse(reason),
  });
}
