import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { DomainError } from '../errors';
import { independentReviewer } from './four-eyes';
import { appForPolicy, policyFor } from './policy-rule';
import { recordReview } from './record-review';
import { approvalSchema, type Approval } from './schemas';

/** Admins change an approved app's policy and limits: only the fields given. */
export async function updatePolicy({
  appId,
  policy,
  actor,
}: {
  appId: string;
  policy: Partial<Approval>;
  actor: Actor;
}) {
  const current = await appForPolicy(appId);
  const parsed = approvalSchema.partial().superRefine(policyFor(current)).parse(policy);
  // Only what the caller changes: the schema's defaults (no adapters, no endpoints, …) must not reset the rest.
  const a = Object.fromEntries(Object.entries(parsed).filter(([k]) => k in policy)) as Partial<typeof parsed>;
  if (
    (a.allowedModels ?? current.allowedModels).length === 0 &&
    (a.allowedEndpoints ?? current.allowedEndpoints).length === 0
  )
    throw new DomainError(
      'invalid',
      'allow at least one model or endpoint (suspend the app to stop it)',
      'allowedModels',
    );
  const data = {
    ...a,
    ...(a.monthlyTokenBudget !== undefined
      ? { monthlyTokenBudget: a.monthlyTokenBudget === null ? null : BigInt(a.monthlyTokenBudget) }
      : {}),
  };
  const shown = { ...a };
  await db().$transaction(async (tx) => {
    const grant = await independentReviewer({ appId, actor, tx });
    await tx.app.update({ where: { id: appId }, data });
    await recordReview({ tx, appId, decision: 'policy_changed', actor, details: shown });
    await audit(actor, 'app.policy_changed', { type: 'app', id: appId }, { ...shown, ...grant }, tx);
  });
  await publishInvalidation({ appId });
}
