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

export interface AuditFilter {
  action?: string;
  /** Part of the actor's email. */
  actor?: string;
  /** A target id (app, key or user), or a target type such as `app`. */
  target?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

function auditWhere(f: AuditFilter): Prisma.AuditEventWhereInput {
  const target = f.target?.trim();
  return {
    ...(f.action ? { action: f.action } : {}),
    ...(f.actor ? { actorEmail: { contains: f.actor.trim(), mode: 'insensitive' } } : {}),
    ...(target
      ? /^[a-z]+$/.test(target) && target.length < 10
        ? { targetType: target }
        : { targetId: target }
      : {}),
    ...(f.from || f.to
      ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } }
      : {}),
  };
}

/** One page of the audit log, newest first, and the number of events matching the filter. */
export async function listAuditEvents(filter: AuditFilter, page: number, pageSize = 50) {
  const where = auditWhere(filter);
  const [events, total] = await Promise.all([
    db().auditEvent.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db().auditEvent.count({ where }),
  ]);
  return { events, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

/** The actions that occur in the log, for the filter's choices. */
export async function auditActions(): Promise<string[]> {
  const rows = await db().auditEvent.findMany({
    distinct: ['action'],
    select: { action: true },
    orderBy: { action: 'asc' },
  });
  return rows.map((r) => r.action);
}
