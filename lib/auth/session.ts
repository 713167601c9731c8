import { getServerSession } from 'next-auth';
import { cookies, headers } from 'next/headers';
import { forbidden, notFound, redirect, unauthorized } from 'next/navigation';
import { db } from '../db';
import type { Actor } from '../audit';
import { authOptions } from './options';
import type { Role } from '../generated/prisma/enums';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** The session row this browser's cookie names. */
  sessionId: string;
  /** An admin reset the password (or it was generated): the portal asks for a new one before anything else. */
  mustChangePassword: boolean;
}

/**
 * The signed-in user, read from the database on each request through the session row the cookie names:
 * a session ended elsewhere (sign-out, password or role change, disabling) or a disabled account is
 * signed out at once, whatever the cookie still says.
 */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const { uid, sid } = (session ?? {}) as { uid?: unknown; sid?: unknown };
  if (typeof uid !== 'string' || typeof sid !== 'string') return null;
  const row = await db().session.findUnique({
    where: { id: sid },
    select: {
      expiresAt: true,
      user: {
        select: { id: true, email: true, name: true, role: true, disabled: true, mustChangePassword: true },
      },
    },
  });
  if (!row || row.user.id !== uid || row.expiresAt <= new Date() || row.user.disabled) return null;
  const { disabled: _disabled, ...user } = row.user;
  return { ...user, sessionId: sid };
}

/** A path on this site to return to after signing in; anything else (other hosts, odd schemes) is refused. */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  if (
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\') ||
    /[\u0000-\u001f\\]/.test(value)
  )
    return null;
  if (value.startsWith('/signin') || value.startsWith('/api/')) return null;
  return value;
}

/**
 * For pages: the signed-in user (with one of the roles), else sign-in (then back here), else 404. A user who
 * must change their password sees the account page until they have.
 */
export async function requireUser(
  roles?: Role[],
  opts: { passwordChange?: boolean } = {},
): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const back = safeReturnPath((await headers()).get('x-portico-path'));
    // A session cookie that no longer opens the portal: the session ended, and the sign-in page says so.
    const ended = (await cookies()).getAll().some((c) => c.name.endsWith('next-auth.session-token'));
    const q = new URLSearchParams();
    if (ended) q.set('ended', '1');
    if (back && back !== '/') q.set('next', back);
    redirect(q.size ? `/signin?${q}` : '/signin');
  }
  if (user.mustChangePassword && !opts.passwordChange) redirect('/account');
  if (roles && !roles.includes(user.role)) notFound();
  return user;
}

/**
 * For server actions: the signed-in user (with one of the roles), else 401, else 403. Actions are
 * reachable by anyone who knows their id, so every one of them starts here. Until a required password
 * change is done, only the account's own actions run.
 */
export async function requireActionUser(
  roles?: Role[],
  opts: { passwordChange?: boolean } = {},
): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) unauthorized();
  if (user.mustChangePassword && !opts.passwordChange) forbidden();
  if (roles && !roles.includes(user.role)) forbidden();
  return user;
}

export const REVIEWERS: Role[] = ['reviewer', 'admin'];
export const ADMINS: Role[] = ['admin'];

export function isReviewer(user: { role: Role }): boolean {
  return user.role === 'reviewer' || user.role === 'admin';
}

/** The audit actor for a portal request: the user and the client address the request came from. */
export async function actorOf(user: SessionUser): Promise<Actor> {
  const h = await headers();
  // Stamped by server.ts from the connection (and trusted proxies only): a client cannot choose it.
  const ip = h.get('x-portico-client-ip') || null;
  return { id: user.id, email: user.email, ip: ip ? ip.slice(0, 64) : null };
}
