import { z } from 'zod';
import { DomainError } from '../errors';
import { db } from '../db';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password';
import { audit, type Actor } from '../audit';
import type { Role } from '../generated/prisma/enums';

export const roleSchema = z.enum(['admin', 'reviewer', 'member']);
export const emailSchema = z
  .email('must be an email address')
  .max(254)
  .transform((e) => e.toLowerCase());
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, 'must be at most 256 characters');

export async function createUser(
  input: { email: string; password?: string; role: Role; name?: string },
  actor: Actor,
): Promise<{ id: string; email: string; role: Role }> {
  const email = emailSchema.parse(input.email);
  const passwordHash = input.password ? await hashPassword(passwordSchema.parse(input.password)) : null;
  const existing = await db().user.findUnique({ where: { email }, select: { id: true } });
  if (existing) throw new DomainError('conflict', `a user with email ${email} already exists`);
  const user = await db().user.create({
    data: { email, role: input.role, name: input.name ?? null, passwordHash },
    select: { id: true, email: true, role: true },
  });
  await audit(actor, 'user.created', { type: 'user', id: user.id }, { email, role: user.role });
  return user;
}

export async function setPassword(userId: string, password: string, actor: Actor): Promise<void> {
  const passwordHash = await hashPassword(passwordSchema.parse(password));
  await db().user.update({ where: { id: userId }, data: { passwordHash } });
  await audit(actor, 'user.password_set', { type: 'user', id: userId });
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
  await db().user.update({ where: { id: userId }, data: { role: next } });
  await audit(
    actor,
    'user.role_changed',
    { type: 'user', id: userId },
    { email: user.email, from: user.role, to: next },
  );
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
  await db().user.update({ where: { id: userId }, data: { disabled } });
  await audit(
    actor,
    disabled ? 'user.disabled' : 'user.enabled',
    { type: 'user', id: userId },
    { email: user.email },
  );
}
