import type { Actor } from '../audit';
import { noteSchema } from './schemas';
import { transition } from './transition';

/** A suspended app works again as approved; the note (why) is optional. */
export async function reinstate({ appId, actor, note }: { appId: string; actor: Actor; note?: string }) {
  await transition({
    appId,
    from: ['suspended'],
    to: 'approved',
    decision: 'reinstated',
    actor,
    reason: note ? noteSchema.parse(note) || null : null,
  });
}
