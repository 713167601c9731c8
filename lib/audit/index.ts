import { db, Prisma } from '../db';

export interface Actor {
  id?: string | null;
  email?: string | null;
  ip?: string | null;
}

export const SYSTEM: Actor = { id: null, email: 'system (cli)' };

/** Appends to the audit log: who did what to which target. Details hold ids and settings, never secrets. */
export async function audit(
  actor: Actor,
  action: string,
  target?: { type: string; id: string } | null,
  details?: Record<string, unknown>,
  tx: Pick<ReturnType<typeof db>, 'auditEvent'> = db(),
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: actor.id ?? null,
      actorEmail: actor.email ?? null,
      ip: actor.ip ?? null,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      details: (details as Prisma.InputJsonValue | undefined) ?? Prisma.DbNull,
    },
  });
}
