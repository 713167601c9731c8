import type { Actor } from '../audit';
import { limitsSchema, type Limits } from './schemas';
import { updatePolicy } from './update-policy';

/** An app's rate limits and budgets alone (the CLI's `app limits`): a policy change of those fields. */
export async function setLimits({
  appId,
  limits,
  actor,
}: {
  appId: string;
  limits: Partial<Limits>;
  actor: Actor;
}) {
  await updatePolicy({ appId, policy: limitsSchema.partial().parse(limits), actor });
}
