import { getServerSession } from 'next-auth';
import { notFound, redirect } from 'next/navigation';
import { db } from '../db';
import { authOptions } from './options';
import type { Role } from '../generated/prisma/enums';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

/**
 * The signed-in user, read from the database on each request so that a role change or a disabled
 * account takes effect at once (the session cookie only carries the user id).
 */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const uid = (session as { uid?: unknown } | null)?.uid;
  if (typeof uid !== 'string') return null;
  const user = await db().user.findUnique({ where: { id: uid }, select: { id: true, email: true, name: true, role: true, disabled: true } });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** For pages: the signed-in user (with one of the roles), else sign-in, else 404. */
export async function requireUser(roles?: Role[]): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect('/signin');
  if (roles && !roles.includes(user.role)) notFound();
  return user;
}
