import { db } from '../db';
import { audit, type Actor } from '../audit';
import { DomainError } from '../errors';

/**
 * The owners withdraw a request that has not been approved: the app goes (it has no keys or usage yet) and its
 * name is free again; the audit log keeps who withdrew which name.
 */
export async function withdraw({ appId, actor }: { appId: string; actor: Actor }) {
  await db().$transaction(async (tx) => {
    const app = await tx.app.findUnique({ where: { id: appId }, select: { name: true, status: true } });
    if (!app) throw new DomainError('not_found', 'no such app');
    const gone = await tx.app.deleteMany({
      where: { id: appId, status: { in: ['pending', 'changes_requested'] } },
    });
    if (gone.count === 0)
      throw new DomainError(
        'invalid',
        `the app is ${app.status.replace('_', ' ')}: only an open request can be withdrawn`,
      );
    await audit(actor, 'app.withdrawn', { type: 'app', id: appId }, { name: app.name }, tx);
  });
}
