import { db } from '../db';
import { audit, type Actor } from '../audit';
import { DomainError } from '../errors';
import { emailSchema } from '../users';
import { oidcEnabled } from '../auth/sso';

/** Adds an existing Portico user as an owner of the app. */
export async function addOwner({ appId, email, actor }: { appId: string; email: string; actor: Actor }) {
  const address = emailSchema.parse(email);
  const app = await db().app.findUnique({ where: { id: appId }, select: { status: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  if (app.status === 'rejected')
    throw new DomainError(
      'invalid',
      'a rejected app takes no new owners: request access again with a new app',
    );
  const user = await db().user.findUnique({
    where: { email: address },
    select: { id: true, disabled: true },
  });
  // One answer for "no account" and "disabled account": the form does not tell who has an account.
  if (!user || user.disabled)
    throw new DomainError(
      'invalid',
      `${address} cannot be added: only an active Portico account can own an app. ${oidcEnabled() ? 'They sign in once with single sign-on, or an admin creates or enables their account' : 'An admin creates or enables their account'}`,
    );
  const existing = await db().appOwner.findUnique({ where: { appId_userId: { appId, userId: user.id } } });
  if (existing) throw new DomainError('conflict', `${address} is already an owner of this app`);
  // The row and its audit entry together.
  await db().$transaction(async (tx) => {
    await tx.appOwner.create({ data: { appId, userId: user.id, addedById: actor.id ?? null } });
    await audit(
      actor,
      'app.owner_added',
      { type: 'app', id: appId },
      { userId: user.id, email: address },
      tx,
    );
  });
  return { userId: user.id, email: address };
}
