import { db } from '../db';
import { audit, type Actor } from '../audit';
import { DomainError } from '../errors';

/** Removes an owner; the app always keeps at least one (the check and the delete hold the app's row lock). */
export async function removeOwner({ appId, userId, actor }: { appId: string; userId: string; actor: Actor }) {
  await db().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM apps WHERE id = ${appId} FOR UPDATE`;
    if (locked.length === 0) throw new DomainError('not_found', 'no such app');
    const owners = await tx.appOwner.findMany({
      where: { appId },
      select: { userId: true, user: { select: { email: true } } },
    });
    const target = owners.find((o) => o.userId === userId);
    if (!target) throw new DomainError('not_found', 'that user is not an owner of this app');
    if (owners.length <= 1)
      throw new DomainError(
        'invalid',
        'an app keeps at least one owner: add another owner before removing this one',
      );
    await tx.appOwner.delete({ where: { appId_userId: { appId, userId } } });
    await audit(
      actor,
      'app.owner_removed',
      { type: 'app', id: appId },
      { userId, email: target.user.email },
      tx,
    );
  });
}
