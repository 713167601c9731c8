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
  /** Part of the actor's email or name. */
  actor?: string;
  /**
   * A target: an id (an app's includes its keys' events), a type such as `app`, or part of a name: an app's (with its
   * keys' events), a key's, a user's email or name.
   */
  target?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

const TYPES = new Set(['app', 'key', 'user']);
const contains = (q: string) => ({ contains: q, mode: 'insensitive' as const });

/**
 * The ids a target filter stands for: the record of that id, and the records whose name holds it (an app's name, a
 * key's name or prefix, a user's email or name); an app stands for its keys too.
 */
async function targetIds(q: string): Promise<string[]> {
  const [apps, users] = await Promise.all([
    db().app.findMany({ where: { OR: [{ id: q }, { name: contains(q) }] }, select: { id: true }, take: 200 }),
    db().user.findMany({
      where: { OR: [{ email: contains(q) }, { name: contains(q) }] },
      select: { id: true },
      take: 200,
    }),
  ]);
  const appIds = apps.map((a) => a.id);
  const keys = await db().apiKey.findMany({
    where: {
      OR: [{ appId: { in: appIds } }, { name: contains(q) }, { prefix: contains(q.replace(/….*$/, '')) }],
    },
    select: { id: true },
    take: 2000,
  });
  return [...new Set([q, ...appIds, ...users.map((u) => u.id), ...keys.map((k) => k.id)])];
}

async function auditWhere(f: AuditFilter): Promise<Prisma.AuditEventWhereInput> {
  const target = f.target?.trim();
  const actor = f.actor?.trim();
  const and: Prisma.AuditEventWhereInput[] = [];
  if (actor) {
    const named = await db().user.findMany({
      where: { name: contains(actor) },
      select: { id: true },
      take: 200,
    });
    and.push({ OR: [{ actorEmail: contains(actor) }, { actorId: { in: named.map((u) => u.id) } }] });
  }
  if (target && TYPES.has(target.toLowerCase())) and.push({ targetType: target.toLowerCase() });
  else if (target)
    and.push({
      OR: [
        { targetId: { in: await targetIds(target) } },
        // A withdrawn app or a removed user is gone from its table, but its events keep the name they had.
        { details: { path: ['name'], string_contains: target } },
        { details: { path: ['email'], string_contains: target.toLowerCase() } },
      ],
    });
  return {
    ...(f.action ? { action: f.action } : {}),
    ...(and.length ? { AND: and } : {}),
    ...(f.from || f.to
      ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } }
      : {}),
  };
}

/** One page of the audit log, newest first, and the number of events matching the filter. */
export async function listAuditEvents(filter: AuditFilter, page: number, pageSize = 50) {
  const where = await auditWhere(filter);
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
