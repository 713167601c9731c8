import type { z } from 'zod';
import { db } from '../db';
import { DomainError } from '../errors';

/**
 * The rule on an app's PHI policy whoever sets it (the portal, the CLI, a future route): an app whose owner said it
 * handles PHI never gets the policy `off`. (Configured models, endpoints and adapters are the approval schema's own
 * fields: configuredNames.)
 */
export function policyFor(app: { involvesPhi: boolean }) {
  return <T extends { phiPolicy?: string }>(v: T, ctx: z.RefinementCtx) => {
    if (v.phiPolicy === 'off' && app.involvesPhi)
      ctx.addIssue({
        code: 'custom',
        path: ['phiPolicy'],
        message: 'cannot be off: the owner said this app handles PHI. Choose scrub, redact or block',
      });
  };
}

/** What the policy rule and the "at least one model or endpoint" rule read of an app. */
export async function appForPolicy(appId: string) {
  const app = await db().app.findUnique({
    where: { id: appId },
    select: { id: true, involvesPhi: true, allowedModels: true, allowedEndpoints: true },
  });
  if (!app) throw new DomainError('not_found', 'no such app');
  return app;
}
