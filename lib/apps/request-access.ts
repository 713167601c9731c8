import { db } from '../db';
import { audit, type Actor } from '../audit';
import { notify } from '../notify';
import { assertNameFree } from './name-taken';
import { recordReview } from './record-review';
import { parseAccessRequest, type AccessRequest } from './schemas';

/**
 * An owner asks for access for one use case; the app starts pending.
 * (Positional, unlike the other data functions of lib/apps: scripts/bench.ts calls it so.)
 */
export async function requestAccess(input: AccessRequest, ownerId: string, actor: Actor) {
  const data = parseAccessRequest(input);
  await assertNameFree({ name: data.name });
  const created = await db().$transaction(async (tx) => {
    const app = await tx.app.create({
      data: { ...data, owners: { create: { userId: ownerId, addedById: ownerId } } },
    });
    await recordReview({ tx, appId: app.id, decision: 'submitted', actor });
    await audit(
      actor,
      'app.requested',
      { type: 'app', id: app.id },
      {
        name: app.name,
        requestedModels: data.requestedModels,
        ...(data.requestedEndpoints?.length ? { requestedEndpoints: data.requestedEndpoints } : {}),
      },
      tx,
    );
    return app;
  });
  // Reviewers hear of requests people make (the operator's CLI bootstrap approves its own at once).
  if (actor.id)
    void notify({
      event: 'app.requested',
      appId: created.id,
      appName: created.name,
      requestedBy: actor.email ?? 'an owner',
      resubmitted: false,
    });
  return created;
}
