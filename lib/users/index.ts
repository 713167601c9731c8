import { z } from 'zod';
import { DomainError } from '../errors';
import { db } from '../db';
import { randomBytes } from 'node:crypto';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/password';
import { audit, type Actor } from '../audit';
import type { Role } from '../generated/prisma/enums';
import { plainText } from '../text';
import { oidcEnabled } from '../auth/sso';

/** What a user write needs of a transaction. */
export type UserTx = Pick<ReturnType<typeof db>, 'user' | 'session' | 'auditEvent'>;

export const roleSchema = z.enum(['admin', 'reviewer', 'member']);
/** An email address: "is required" when empty (before "must be an email address"), stored in lower case. */
export const emailSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .pipe(z.email('must be an email address').max(254, 'must be at most 254 characters'))
  .transform((e) => e.toLowerCase());
/** A person's display name (optional: empty means none). */
export const userNameSchema = plainText().max(120, 'must be at most 120 characters');
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, 'must be at most 256 characters');

/**
 * A new account's password. Required, unless single sign-on is configured (an account without one signs in there)
 * or the operator creates the account at the server's shell (actor without id: the CLI's `user add` and `app add
 * --owner`, the bench and the soak make owners who never sign in, or who get a password later with `user password`).
 */
export const newPasswordSchema = (actor: Actor) =>
  z
    .string()
    .optional()
    .superRefine((p, ctx) => {
      if (!p) {
        if (actor.id && !oidcEnabled())
          ctx.addIssue({
            code: 'custom',
            message:
              'is required: single sign-on is not configured, so a password is the only way to sign in',
          });
        return;
      }
      const r = passwordSchema.safeParse(p);
      if (!r.success) ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'is not valid' });
    });

/** An account, written with its audit entry; the password as newPasswordSchema says. */
export async function createUser(
  input: {
    email: string;
    password?: string;
    role: Role;
    name?: string;
    /** A password someone else chose is changed at first sign-in (default), as after a reset. */
    mustChangePassword?: boolean;
  },
  actor: Actor,
): Promise<{ id: string; email: string; role: Role }> {
  const email = emailSchema.parse(input.email);
  const { password } = z.object({ password: newPasswordSchema(actor) }).parse({ password: input.password });
  const passwordHash = password ? await hashPassword(password) : null;
  const existing = await db().user.findUnique({ where: { email }, select: { id: true } });
  if (existing) throw new DomainError('conflict', `a user with email ${email} already exists`);
  // The row and its audit entry together.
  return db().$transaction(async (tx) => {
    const user = await tx.user.create({
      data: {
        email,
        role: input.role,
        name: input.name ? userNameSchema.parse(input.name) || null : null,
        passwordHash,
        mustChangePassword: passwordHash !== null && input.mustChangePassword !== false,
      },
      select: { id: true, email: true, role: true },
    });
    await audit(actor, 'user.created', { type: 'user', id: user.id }, { email, role: user.role }, tx);
    return user;
  });
}

/**
 * Sets a password chosen by someone else (the CLI, start-up): every session of the user ends. `mustChange`
 * makes the user pick their own at next sign-in.
 */
export async function setPassword(
  userId: string,
  password: string,
  actor: Actor,
  opts: { mustChange?: boolean; tx?: UserTx } = {},
): Promise<void> {
  const passwordHash = await hashPassword(passwordSchema.parse(password));
  const write = async (tx: UserTx) => {
    await tx.user.update({
      where: { id: userId },
      data: { passwordHash, mustChangePassword: opts.mustChange ?? false },
    });
    await tx.session.deleteMany({ where: { userId } });
    await audit(
      actor,
      'user.password_set',
      { type: 'user', id: userId },
      { mustChange: opts.mustChange ?? false },
      tx,
    );
  };
  // Within the caller's transaction when it has one (start-up promotes and sets the password together).
  if (opts.tx) await write(opts.tx);
  else await db().$transaction(write);
}

/** A password to hand over once: 20 characters from an unambiguous alphabet (about 100 bits). */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/**
 * An admin's reset: a temporary password, returned once to show, that must be changed at next sign-in. The
 * user's sessions end. Single sign-on users can get one too (a way in when the identity provider is down).
 */
export async function resetPassword(
  userId: string,
  actor: Actor,
): Promise<{ email: string; password: string }> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
  if (!user) throw new DomainError('not_found', 'no such user');
  if (actor.id === userId)
    throw new DomainError('invalid', 'change your own password on your account page, not by a reset');
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: true } });
    await tx.session.deleteMany({ where: { userId } });
    await audit(actor, 'user.password_reset', { type: 'user', id: userId }, { email: user.email }, tx);
  });
  return { email: user.email, password };
}

/**
 * The user changes their own password: the current one must match (when they have one); every other
 * session ends, this one (`keepSession`) stays signed in.
 */
export async function changePassword(
  userId: string,
  input: { current: string; next: string },
  keepSession: string,
  actor: Actor,
): Promise<void> {
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { id: true, passwordHash: true },
  });
  if (!user) throw new DomainError('not_found', 'no such user');
  const next = passwordSchema.parse(input.next);
  if (user.passwordHash && !(await verifyPassword(user.passwordHash, input.current)))
    throw new DomainError('invalid', 'the current password is not right');
  if (input.current && input.current === next)
    throw new DomainError('invalid', 'choose a new password, not the current one');
  const passwordHash = await hashPassword(next);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false } });
    await tx.session.deleteMany({ where: { userId, id: { not: keepSession } } });
    await audit(actor, 'user.password_changed', { type: 'user', id: userId }, undefined, tx);
  });
}

/** Signs the user out of every browser, this one included. */
export async function signOutEverywhere(userId: string, actor: Actor): Promise<number> {
  return db().$transaction(async (tx) => {
    const { count } = await tx.session.deleteMany({ where: { userId } });
    await audit(actor, 'user.signed_out_everywhere', { type: 'user', id: userId }, { sessions: count }, tx);
    return count;
  });
}

export async function findUserByEmail(email: string) {
  return db().user.findUnique({ where: { email: email.toLowerCase() } });
}

/** Everyone, for the admin page: newest first, without password hashes (only whether one is set). */
export async function listUsers(filter: { q?: string; take?: number } = {}) {
  const q = filter.q?.trim();
  const users = await db().user.findMany({
    where: q
      ? {
          OR: [
            { email: { contains: q, mode: 'insensitive' } },
            { name: { contains: q, mode: 'insensitive' } },
          ],
        }
      : {},
    orderBy: { createdAt: 'desc' },
    take: filter.take ?? 1000,
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      disabled: true,
      createdAt: true,
      lastLoginAt: true,
      ssoSubject: true,
      passwordHash: true,
    },
  });
  return users.map(({ passwordHash, ssoSubject, ...u }) => ({
    ...u,
    hasPassword: Boolean(passwordHash),
    sso: Boolean(ssoSubject),
  }));
}

/** Admins must not lock themselves or everyone out: the last enabled admin keeps the role and the account. */
async function assertNotLastAdmin(userId: string, change: string) {
  const others = await db().user.count({ where: { role: 'admin', disabled: false, id: { not: userId } } });
  if (others === 0)
    throw new DomainError(
      'invalid',
      `this is the last enabled admin: make someone else an admin before you ${change}`,
    );
}

export async function setRole(userId: string, role: Role, actor: Actor): Promise<void> {
  const next = roleSchema.parse(role);
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, role: true },
  });
  if (!user) throw new DomainError('not_found', 'no such user');
  if (user.role === next) return;
  if (actor.id === userId)
    throw new DomainError('invalid', 'you cannot change your own role; ask another admin');
  if (user.role === 'admin') await assertNotLastAdmin(userId, 'change this role');
  // The user signs in again and sees the portal of their new role; nothing of the old one lingers.
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { role: next } });
    await tx.session.deleteMany({ where: { userId } });
    await audit(
      actor,
      'user.role_changed',
      { type: 'user', id: userId },
      { email: user.email, from: user.role, to: next },
      tx,
    );
  });
}

export async function setDisabled(userId: string, disabled: boolean, actor: Actor): Promise<void> {
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, role: true, disabled: true },
  });
  if (!user) throw new DomainError('not_found', 'no such user');
  if (user.disabled === disabled) return;
  if (actor.id === userId) throw new DomainError('invalid', 'you cannot disable your own account');
  if (disabled && user.role === 'admin') await assertNotLastAdmin(userId, 'disable this account');
  // Disabling ends every session, so enabling the account again cannot revive an old cookie.
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { disabled } });
    await tx.session.deleteMany({ where: { userId } });
    await audit(
      actor,
      disabled ? 'user.disabled' : 'user.enabled',
      { type: 'user', id: userId },
      { email: user.email },
      tx,
    );
  });
}

/** The signed-in user's own account, for their account page. */
export async function accountOf(userId: string) {
  const u = await db().user.findUnique({
    where: { id: userId },
    select: { email: true, name: true, role: true, passwordHash: true, ssoSubject: true },
  });
  if (!u) throw new DomainError('not_found', 'no such user');
  return {
    email: u.email,
    name: u.name,
    role: u.role,
    hasPassword: Boolean(u.passwordHash),
    sso: Boolean(u.ssoSubject),
  };
}
