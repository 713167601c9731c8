import { db } from '../db';
import { audit, type Actor } from '../audit';
import { DomainError } from '../errors';
import { notify } from '../notify';
import { assertNameFree } from './name-taken';
import { recordReview } from './record-review';
import { parseAccessRequest, type AccessRequest } from './schemas';

/**
 * The owners change their request while it waits for a decision: a pending request is edited in place (and stays in
 * the queue), one sent back for changes is resubmitted (back to pending). The status read is the one the write
 * requires, so a decision racing the edit wins and the edit is refused.
 */
export async function resubmit({
  appId,
  request,
  actor,
}: {
  appId: string;
  request: AccessRequest;
  actor: Actor;
}) {
  const data = parseAccessRequest(request);
  const app = await db().app.findUnique({ where: { id: appId }, select: { status: true, name: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  if (app.status !== 'changes_requested' && app.status !== 'pending')
    throw new DomainError('invalid', 'only a request waiting for a decision can be changed');
  if (data.name !== app.name) await assertNameFree({ name: data.name, exceptId: appId });
  const edit = app.status === 'pending';
  await db().$transaction(async (tx) => {
    const updated = await tx.app.updateMany({
      where: { id: appId, status: app.status },
      data: { ...data, status: 'pending' },
    });
    if (updated.count === 0)
      throw new DomainError('invalid', 'the request was decided meanwhile; reload the page to see how');
    await recordReview({ tx, appId, decision: edit ? 'edited' : 'resubmitted', actor });
    await audit(
      actor,
      edit ? 'app.request_edited' : 'app.resubmitted',
      { type: 'app', id: appId },
      undefined,
      tx,
    );
  });
  if (!edit)
    void notify({
      event: 'app.requested',
      appId,
      appName: data.name,
      requestedBy: actor.email ?? 'an owner',
      resubmitted: true,
    });
  return { edited: edit };
}
