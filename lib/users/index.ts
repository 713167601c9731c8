import { z } from 'zod';
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

export class DomainError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}

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
