import { forbidden, notFound } from 'next/navigation';
import { z } from 'zod';
import { appAccess } from '@/lib/apps/access';
import type { SessionUser } from '@/lib/auth/session';

export const idSchema = z.string().regex(/^[a-z0-9]{10,40}$/);

/** A record id from a form: anything malformed is as unknown as an id that does not exist. */
export function idOr404(value: unknown): string {
  const id = idSchema.safeParse(value);
  if (!id.success) notFound();
  return id.data;
}

/** For actions that change an app's keys or owners: owners and admins; others get 404 (or 403 if they may look). */
export async function requireManage(user: SessionUser, appId: unknown): Promise<string> {
  const id = idSchema.safeParse(appId);
  if (!id.success) notFound();
  const access = await appAccess(user, id.data);
  if (!access.view) notFound();
  if (!access.manage) forbidden();
  return id.data;
}
