import { randomBytes } from 'node:crypto';
import { db } from '../db';
import { createUser } from '.';
import { SYSTEM } from '../audit';

/** First run: create the first admin (from the environment, else with a generated password returned once). */
export async function ensureFirstAdmin(email?: string, password?: string): Promise<{ email: string; password?: string } | null> {
  const admins = await db().user.count({ where: { role: 'admin' } });
  if (admins > 0) return null;
  const adminEmail = (email ?? 'admin@portico.local').toLowerCase();
  const existing = await db().user.findUnique({ where: { email: adminEmail }, select: { id: true } });
  if (existing) {
    // An account with that email exists (created from the CLI, say): make it the admin.
    await db().user.update({ where: { id: existing.id }, data: { role: 'admin' } });
    return { email: adminEmail };
  }
  const generated = password ? undefined : randomBytes(15).toString('base64url');
  await createUser({ email: adminEmail, password: password ?? generated, role: 'admin', name: 'Administrator' }, SYSTEM);
  return { email: adminEmail, password: generated };
}
