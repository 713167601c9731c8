import { randomBytes } from 'node:crypto';
import { approve, requestAccess, type Approval } from '../../lib/apps';
import { SYSTEM } from '../../lib/audit';
import { db } from '../../lib/db';
import { createKey } from '../../lib/keys/manage';
import { createUser } from '../../lib/users';

export const uid = () => randomBytes(4).toString('hex');

export async function seedUser(
  role: 'admin' | 'reviewer' | 'member' = 'member',
  password = 'correct horse battery staple',
) {
  const email = `${role}-${uid()}@test.portico`;
  const u = await createUser({ email, password, role, mustChangePassword: false }, SYSTEM);
  return { ...u, password };
}

/** An app of its own (owner, approval, one key) for one test. */
export async function seedApp(opts: Partial<Approval> & { models: string[]; approved?: boolean }) {
  const owner = await seedUser('member');
  const app = await requestAccess(
    {
      name: `app-${uid()}`,
      description: 'test app',
      useCase: 'contract tests',
      sponsor: 'QA',
      expectedReturn: 'confidence',
      // Only an app whose owner declared no PHI may be approved with the policy off.
      involvesPhi: opts.phiPolicy !== 'off',
      requestedModels: opts.models,
      requestedEndpoints: opts.allowedEndpoints,
      expectedVolume: 'low',
      internalOnlyAttested: true,
    },
    owner.id,
    SYSTEM,
  );
  if (opts.approved === false)
    return { app, owner, key: undefined as string | undefined, keyId: undefined as string | undefined };
  await approve(
    app.id,
    {
      allowedModels: opts.models,
      phiPolicy: opts.phiPolicy ?? 'scrub',
      rpmLimit: opts.rpmLimit ?? null,
      tpmLimit: opts.tpmLimit ?? null,
      monthlyTokenBudget: opts.monthlyTokenBudget ?? null,
      monthlyCostBudgetUsd: opts.monthlyCostBudgetUsd ?? null,
      allowedAdapters: opts.allowedAdapters ?? [],
      allowedEndpoints: opts.allowedEndpoints ?? [],
      allowByoKey: opts.allowByoKey ?? false,
      allowImages: opts.allowImages ?? false,
      allowAudio: opts.allowAudio ?? false,
      statefulPhi: opts.statefulPhi ?? false,
    },
    SYSTEM,
  );
  const k = await createKey(app.id, { name: 'test' }, SYSTEM);
  return { app, owner, key: k.key as string | undefined, keyId: k.record.id as string | undefined };
}

export async function usageFor(appId: string) {
  return db().usageEvent.findMany({ where: { appId }, orderBy: { createdAt: 'asc' } });
}
