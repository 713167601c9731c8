import { db } from '../db';

/** How long a portal session lasts (the cookie's life too). */
export const SESSION_MAX_AGE_S = 8 * 3600;

/** A new session row for a user who just signed in: its id goes into the session cookie. */
export async function startSession(userId: string): Promise<string> {
  const row = await db().session.create({
    data: { userId, expiresAt: new Date(Date.now() + SESSION_MAX_AGE_S * 1000) },
    select: { id: true },
  });
  // Expired rows of this user go as new ones come: the table holds live sessions, not history.
  await db().session.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
  return row.id;
}

/** Ends one session (sign-out). */
export async function endSession(sessionId: string): Promise<void> {
  await db().session.deleteMany({ where: { id: sessionId } });
}

/** Ends every session of a user, but `keep` (the browser that asked, when it stays signed in). */
export async function endSessions(userId: string, keep?: string): Promise<number> {
  const { count } = await db().session.deleteMany({
    where: { userId, ...(keep ? { id: { not: keep } } : {}) },
  });
  return count;
}

export async function countSessions(userId: string): Promise<number> {
  return db().session.count({ where: { userId, expiresAt: { gt: new Date() } } });
}
