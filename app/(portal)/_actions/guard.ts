import { forbidden, notFound } from 'next/navigation';
import { z } from 'zod';
import { appAccess } from '@/lib/apps/access';
import type { SessionUser } from '@/lib/auth/session';
import { gatewayConfig } from '@/lib/config';

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

export function configuredModels(): string[] {
  return [...gatewayConfig().models.keys()];
}

/** The HTTP pass-through adapters of the config file, by name. */
export function configuredAdapters(): string[] {
  return [...gatewayConfig().adapters.keys()];
}

/**
 * The adapters a reviewer can choose from, with where they go (host only: never headers, which may hold
 * credentials), plus any the app is still allowed but the config file no longer has.
 */
export function adapterChoices(alsoAllowed: string[] = []) {
  const configured = gatewayConfig().adapters;
  const choices = [...configured.values()].map((a) => ({
    name: a.name,
    host: a.baseUrl.host,
    scrubPhi: a.scrubPhi,
  }));
  for (const name of alsoAllowed)
    if (!configured.has(name)) choices.push({ name, host: '', scrubPhi: false });
  return choices;
}

/** A list of model names that must all be configured. */
export function modelsSchema(empty: string) {
  return z
    .array(z.string().max(100))
    .min(1, empty)
    .max(50)
    .refine((list) => new Set(list).size === list.length, 'lists a model twice')
    .superRefine((list, ctx) => {
      const known = new Set(configuredModels());
      const unknown = list.filter((m) => !known.has(m));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `names unknown models (${unknown.join(', ')}); choose from the list`,
        });
    });
}
