import { randomBytes } from 'node:crypto';
import { db } from '../db';
import { createUser, setPassword } from '.';
import { audit, SYSTEM } from '../audit';

export interface FirstAdmin {
  email: string;
  /** A generated password, to be shown once; absent when it came from the environment or was kept. */
  generatedPassword?: string;
  /** Where the password comes from, for the start-up message. */
  password: 'generated' | 'environment' | 'kept';
}

/**
 * First run (no admin yet): create the first admin, or promote the account that already has that email
 * (created from the CLI, say). Whoever it is must be able to sign in: an account without a password gets
 * the environment's, else a generated one returned once.
 */
export async function ensureFirstAdmin(email?: string, givenPassword?: string): Promise<FirstAdmin | null> {
  const password = givenPassword || undefined;
  const admins = await db().user.count({ where: { role: 'admin' } });
  if (admins > 0) return null;
  const adminEmail = (email ?? 'admin@portico.local').toLowerCase();
  const generated = password ? undefined : randomBytes(15).toString('base64url');
  const existing = await db().user.findUnique({
    where: { email: adminEmail },
    select: { id: true, passwordHash: true },
  });
  if (!existing) {
    // A password printed to a terminal or a log is changed at first sign-in; one the operator set is theirs.
    await createUser(
      {
        email: adminEmail,
        password: password ?? generated,
        role: 'admin',
        name: 'Administrator',
        mustChangePassword: !!generated,
      },
      SYSTEM,
    );
    return {
      email: adminEmail,
      generatedPassword: generated,
      password: generated ? 'generated' : 'environment',
    };
  }
  const keep = Boolean(existing.passwordHash) && !password;
  // The promotion and the password it needs, together: never an admin nobody can sign in as.
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: existing.id }, data: { role: 'admin', disabled: false } });
    await audit(
      SYSTEM,
      'user.role_changed',
      { type: 'user', id: existing.id },
      { role: 'admin', reason: 'first admin' },
      tx,
    );
    if (!keep)
      await setPassword(existing.id, password ?? generated!, SYSTEM, { mustChange: Boolean(generated), tx });
  });
  if (keep) return { email: adminEmail, password: 'kept' };
  return {
    email: adminEmail,
    generatedPassword: generated,
    password: generated ? 'generated' : 'environment',
  };
}
