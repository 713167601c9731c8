import type { Actor } from '../audit';
import { DomainError } from '../errors';
import { appForPolicy, policyFor } from './policy-rule';
import { approvalSchema, type Approval } from './schemas';
import { transition } from './transition';

/**
 * A reviewer approves a request with the app's grants, policy and limits.
 * (Positional, unlike the other data functions of lib/apps: scripts/bench.ts calls it so.)
 */
export async function approve(appId: string, input: Approval, actor: Actor) {
  const a = approvalSchema.superRefine(policyFor(await appForPolicy(appId))).parse(input);
  if (a.allowedModels.length === 0 && a.allowedEndpoints.length === 0)
    throw new DomainError('invalid', 'allow at least one model or endpoint', 'allowedModels');
  await transition({
    appId,
    from: ['pending', 'changes_requested'],
    to: 'approved',
    decision: 'approved',
    actor,
    changes: {
      allowedModels: a.allowedModels,
      phiPolicy: a.phiPolicy,
      allowedAdapters: a.allowedAdapters,
      allowedEndpoints: a.allowedEndpoints,
      allowByoKey: a.allowByoKey,
      allowImages: a.allowImages,
      allowAudio: a.allowAudio,
      statefulPhi: a.statefulPhi,
      rpmLimit: a.rpmLimit,
      tpmLimit: a.tpmLimit,
      monthlyTokenBudget: a.monthlyTokenBudget === null ? null : BigInt(a.monthlyTokenBudget),
      monthlyCostBudgetUsd: a.monthlyCostBudgetUsd,
    },
  });
}
