import { z } from 'zod';
import { db } from '../db';
import { audit, type Actor } from '../audit';
import { publishInvalidation } from '../events/publish';
import { gatewayConfig } from '../config';
import { DomainError } from '../errors';
import { plainText } from '../text';
import { notify, type Decision } from '../notify';
import type { AppStatus, PhiPolicy, ReviewDecision } from '../generated/prisma/enums';

export const phiPolicySchema = z.enum(['scrub', 'redact', 'block', 'off'], {
  error: 'choose scrub, redact, block or off',
});

export const appNameSchema = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(60, 'must be at most 60 characters')
  // Letters of any script ("Ward Rounds Ω", "Pädiatrie"), digits, spaces and . _ -
  .regex(/^[\p{L}\p{N}]/u, 'must start with a letter or a digit')
  .regex(/^.[\p{L}\p{M}\p{N} ._-]*$/u, 'may hold only letters, digits, spaces and . _ -');

/**
 * Whether another app holds a name: in any case ("discharge letters" is "Discharge Letters"), and only apps not
 * rejected (a rejected request gives its name back). The same rule as the database's partial unique index.
 */
async function nameTaken(name: string, exceptId?: string): Promise<boolean> {
  const other = await db().app.findFirst({
    where: {
      name: { equals: name, mode: 'insensitive' },
      status: { not: 'rejected' },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    select: { id: true },
  });
  return other !== null;
}

const nameTakenError = (name: string) =>
  new DomainError('conflict', `an app named "${name}" already exists; choose another name`, 'name');

export const accessRequestSchema = z.object({
  name: appNameSchema,
  description: plainText().min(1, 'is required').max(2000),
  useCase: plainText().min(1, 'is required').max(2000),
  sponsor: plainText().min(1, 'is required').max(200),
  expectedReturn: plainText().min(1, 'is required').max(2000),
  involvesPhi: z.boolean(),
  /** At least one model or one endpoint (checked with requestedEndpoints, see somethingAskedFor). */
  requestedModels: z.array(z.string().min(1).max(100)).max(50),
  /** Custom endpoints the owner asks for (none when absent). */
  requestedEndpoints: z.array(z.string().min(1).max(100)).max(50).optional(),
  expectedVolume: plainText().min(1, 'is required').max(200),
  internalOnlyAttested: z.literal(true, { error: 'the internal-use attestation is required' }),
});
export type AccessRequest = z.infer<typeof accessRequestSchema>;

const count = (max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .positive('must be more than 0 (leave it empty for no limit)')
    .max(max, `must be at most ${max.toLocaleString('en-US')}`)
    .nullable();

export const limitsSchema = z.object({
  rpmLimit: count(1_000_000),
  tpmLimit: count(1_000_000_000),
  monthlyTokenBudget: count(1e15),
  monthlyCostBudgetUsd: z
    .number({ error: 'must be a number' })
    .positive('must be more than 0 (leave it empty for no budget)')
    .max(1e9, 'must be at most 1,000,000,000')
    .nullable(),
});
export type Limits = z.infer<typeof limitsSchema>;

/** Names from a list that must all be in `known` (the gateway config's models or adapters), each once. */
export const configuredNames = (what: string, known: () => Iterable<string>) =>
  z
    .array(z.string().min(1).max(100))
    .max(50)
    .refine((list) => new Set(list).size === list.length, `lists a ${what} twice`)
    .superRefine((list, ctx) => {
      const have = new Set(known());
      const unknown = list.filter((m) => !have.has(m));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `names ${what}s that are not configured (${unknown.join(', ')}); choose from the list`,
        });
    });

/** Custom endpoints an owner may ask for: configured ones, each once. */
export const requestedEndpointsSchema = () =>
  configuredNames('endpoint', () => gatewayConfig().endpoints.keys());

/** Models an owner may ask for: configured ones, each once. */
export const requestedModelsSchema = (empty: string) =>
  configuredNames('model', () => gatewayConfig().models.keys()).min(1, empty);

export const approvalSchema = limitsSchema.extend({
  /** With allowedEndpoints: at least one of the two (checked by approve). */
  allowedModels: configuredNames('model', () => gatewayConfig().models.keys()),
  phiPolicy: phiPolicySchema,
  allowedAdapters: configuredNames('adapter', () => gatewayConfig().adapters.keys()).default([]),
  allowedEndpoints: configuredNames('endpoint', () => gatewayConfig().endpoints.keys()).default([]),
  allowByoKey: z.boolean().default(false),
  allowImages: z.boolean().default(false),
  allowAudio: z.boolean().default(false),
  /** Portico keeps the app's token maps, sealed, for stateful calls (stored responses, conversations, batches). */
  statefulPhi: z.boolean().default(false),
});
export type Approval = z.input<typeof approvalSchema>;

/**
 * The rule on an app's PHI policy whoever sets it (the portal, the CLI, a future route): an app whose owner said it
 * handles PHI never gets the policy `off`. (Configured models, endpoints and adapters are the approval schema's own
 * fields: configuredNames.)
 */
function policyFor(app: { involvesPhi: boolean }) {
  return <T extends { phiPolicy?: string }>(v: T, ctx: z.RefinementCtx) => {
    if (v.phiPolicy === 'off' && app.involvesPhi)
      ctx.addIssue({
        code: 'custom',
        path: ['phiPolicy'],
        message: 'cannot be off: the owner said this app handles PHI. Choose scrub, redact or block',
      });
  };
}

async function appForPolicy(appId: string, tx: Tx = db()) {
  const app = await tx.app.findUnique({
    where: { id: appId },
    select: { id: true, involvesPhi: true, allowedModels: true, allowedEndpoints: true },
  });
  if (!app) throw new DomainError('not_found', 'no such app');
  return app;
}

export type Tx = Pick<ReturnType<typeof db>, 'app' | 'appOwner' | 'accessReview' | 'auditEvent'>;

export async function review(
  appId: string,
  decision: ReviewDecision,
  actor: Actor,
  reason?: string | null,
  details?: object,
  tx: Tx = db(),
) {
  await tx.accessReview.create({
    data: {
      appId,
      decision,
      reason: reason ?? null,
      reviewerId: actor.id ?? null,
      details: details ?? undefined,
    },
  });
}

/** A request asks for at least one model or one custom endpoint. */
function somethingAskedFor(data: AccessRequest): AccessRequest {
  if (data.requestedModels.length === 0 && !data.requestedEndpoints?.length)
    throw new DomainError('invalid', 'choose at least one model or endpoint', 'requestedModels');
  return data;
}

/** An owner asks for access for one use case; the app starts pending. */
export async function requestAccess(input: AccessRequest, ownerId: string, actor: Actor) {
  const data = somethingAskedFor(accessRequestSchema.parse(input));
  if (await nameTaken(data.name)) throw nameTakenError(data.name);
  const created = await db().$transaction(async (tx) => {
    const app = await tx.app.create({
      data: { ...data, owners: { create: { userId: ownerId, addedById: ownerId } } },
    });
    await review(app.id, 'submitted', actor, null, undefined, tx);
    await audit(
      actor,
      'app.requested',
      { type: 'app', id: app.id },
      {
        name: app.name,
        requestedModels: data.requestedModels,
        ...(data.requestedEndpoints?.length ? { requestedEndpoints: data.requestedEndpoints } : {}),
      },
      tx,
    );
    return app;
  });
  // Reviewers hear of requests people make (the operator's CLI bootstrap approves its own at once).
  if (actor.id)
    void notify({
      event: 'app.requested',
      appId: created.id,
      appName: created.name,
      requestedBy: actor.email ?? 'an owner',
      resubmitted: false,
    });
  return created;
}

/**
 * The owners change their request while it waits for a decision: a pending request is edited in place (and stays in
 * the queue), one sent back for changes is resubmitted (back to pending). The status read is the one the write
 * requires, so a decision racing the edit wins and the edit is refused.
 */
export async function resubmit(appId: string, input: AccessRequest, actor: Actor) {
  const data = somethingAskedFor(accessRequestSchema.parse(input));
  const app = await db().app.findUnique({ where: { id: appId }, select: { status: true, name: true } });
  if (!app) throw new DomainError('not_found', 'no such app');
  if (app.status !== 'changes_requested' && app.status !== 'pending')
    throw new DomainError('invalid', 'only a request waiting for a decision can be changed');
  if (data.name !== app.name && (await nameTaken(data.name, appId))) throw nameTakenError(data.name);
  const edit = app.status === 'pending';
  await db().$transaction(async (tx) => {
    const updated = await tx.app.updateMany({
      where: { id: appId, status: app.status },
      data: { ...data, status: 'pending' },
    });
    if (updated.count === 0)
      throw new DomainError('invalid', 'the request was decided meanwhile; reload the page to see how');
    await review(appId, edit ? 'edited' : 'resubmitted', actor, null, undefined, tx);
    await audit(
      actor,
      edit ? 'app.request_edited' : 'app.resubmitted',
      { type: 'app', id: appId },
      undefined,
      tx,
    );
  });
  if (!edit)
    void notify({
      event: 'app.requested',
      appId,
      appName: data.name,
      requestedBy: actor.email ?? 'an owner',
      resubmitted: true,
    });
  return { edited: edit };
}

/**
 * The owners withdraw a request that has not been approved: the app goes (it has no keys or usage yet) and its
 * name is free again; the audit log keeps who withdrew which name.
 */
export async function withdraw(appId: string, actor: Actor) {
  await db().$transaction(async (tx) => {
    const app = await tx.app.findUnique({ where: { id: appId }, select: { name: true, status: true } });
    if (!app) throw new DomainError('not_found', 'no such app');
    const gone = await tx.app.deleteMany({
      where: { id: appId, status: { in: ['pending', 'changes_requested'] } },
    });
    if (gone.count === 0)
      throw new DomainError(
        'invalid',
        `the app is ${app.status.replace('_', ' ')}: only an open request can be withdrawn`,
      );
    await audit(actor, 'app.withdrawn', { type: 'app', id: appId }, { name: app.name }, tx);
  });
}

/**
 * Four eyes: whoever decides a request or grants access (approves, rejects, sends back, reinstates, changes the
 * policy) is neither an owner of the app nor the person who submitted its request. An operator at the server's
 * shell (the CLI, no actor id) may, as a bootstrap. `portal.allowSelfApproval` lifts the rule for one-person
 * installs, and each such decision is audited as self-approved. Returns what the audit records of it.
 */
async function fourEyes(appId: string, actor: Actor, tx: Tx = db(), amendmentBy?: string | null) {
  if (!actor.id) return { grant: { by: 'operator' } };
  if (amendmentBy && amendmentBy === actor.id) {
    if (gatewayConfig().portal.allowSelfApproval) return { grant: { selfApproved: true } };
    return { refusal: 'you asked for this amendment: another reviewer must decide (four-eyes rule)' };
  }
  const [owner, submitted] = await Promise.all([
    tx.appOwner.findUnique({
      where: { appId_userId: { appId, userId: actor.id } },
      select: { userId: true },
    }),
    tx.accessReview.findFirst({
      where: { appId, reviewerId: actor.id, decision: { in: ['submitted', 'resubmitted', 'edited'] } },
      select: { id: true },
    }),
  ]);
  if (!owner && !submitted) return { grant: {} };
  if (gatewayConfig().portal.allowSelfApproval) return { grant: { selfApproved: true } };
  return {
    refusal: owner
      ? 'you own this app: another reviewer, who does not own it, must decide (four-eyes rule)'
      : 'you submitted this request: another reviewer must decide (four-eyes rule)',
  };
}

/** The four-eyes rule inside a decision's transaction: throws when the actor may not decide; what the audit records. */
export async function independentReviewer(
  appId: string,
  actor: Actor,
  tx: Tx,
  amendmentBy?: string | null,
): Promise<object> {
  const { grant, refusal } = await fourEyes(appId, actor, tx, amendmentBy);
  if (refusal !== undefined) throw new DomainError('forbidden', refusal);
  return grant;
}

/** Why this user may not approve, reinstate or change the app's policy (the four-eyes rule), or null. */
export async function grantRefusal(
  appId: string,
  actor: Actor,
  amendmentBy?: string | null,
): Promise<string | null> {
  return (await fourEyes(appId, actor, db(), amendmentBy)).refusal ?? null;
}

/** Status, review and audit in one transaction; the proxies hear of it once it is committed. */
async function transition(
  appId: string,
  from: AppStatus[],
  to: AppStatus,
  decision: ReviewDecision,
  actor: Actor,
  reason?: string | null,
  extra: object = {},
) {
  const app = await db().$transaction(async (tx) => {
    // Every decision is four-eyes but suspending: taking access away is anyone's (with the role) to do at once.
    const grant = decision === 'suspended' ? {} : await independentReviewer(appId, actor, tx);
    const updated = await tx.app.updateMany({
      where: { id: appId, status: { in: from } },
      data: { status: to, ...extra },
    });
    if (updated.count === 0) {
      const exists = await tx.app.findUnique({ where: { id: appId }, select: { status: true } });
      if (!exists) throw new DomainError('not_found', 'no such app');
      const status = exists.status.replace('_', ' ');
      // A page left open (or reached with Back) offers a decision already taken: say so rather than take it twice.
      throw new DomainError(
        'invalid',
        from.includes('pending') && (exists.status === 'approved' || exists.status === 'rejected')
          ? `this request was already decided (${status}), so nothing was changed; reload the page to see the app as it is`
          : `the app is ${status}; it cannot be ${decision.replace('_', ' ')} now`,
      );
    }
    await review(appId, decision, actor, reason, extra, tx);
    await audit(
      actor,
      `app.${decision}`,
      { type: 'app', id: appId },
      { reason: reason ?? undefined, ...extra, ...grant },
      tx,
    );
    return tx.app.findUniqueOrThrow({ where: { id: appId }, select: { name: true } });
  });
  await publishInvalidation({ appId });
  void notify({
    event: 'app.decided',
    appId,
    appName: app.name,
    decision: decision as Decision,
    reason: reason ?? null,
    decidedBy: actor.email ?? 'a Portico operator',
  });
}

export async function approve(appId: string, input: Approval, actor: Actor) {
  const a = approvalSchema.superRefine(policyFor(await appForPolicy(appId))).parse(input);
  if (a.allowedModels.length === 0 && a.allowedEndpoints.length === 0)
    throw new DomainError('invalid', 'allow at least one model or endpoint', 'allowedModels');
  await transition(appId, ['pending', 'changes_requested'], 'approved', 'approved', actor, null, {
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
  });
}

/** A decision's reason, which the owners read (rejections, sending back, suspending, refused amendments). */
export const reasonSchema = plainText()
  .min(3, 'must say what the owner should know (at least 3 characters)')
  .max(2000, 'must be at most 2000 characters');
/** An optional note, such as why an app is reinstated. */
export const noteSchema = plainText().max(2000, 'must be at most 2000 characters');

export async function reject(appId: string, reason: string, actor: Actor) {
  await transition(
    appId,
    ['pending', 'changes_requested'],
    'rejected',
    'rejected',
    actor,
    reasonSchema.parse(reason),
  );
}

export async function requestChanges(appId: string, comment: string, actor: Actor) {
  await transition(
    appId,
    ['pending'],
    'changes_requested',
    'changes_requested',
    actor,
    reasonSchema.parse(comment),
  );
}

export async function suspend(appId: string, reason: string, actor: Actor) {
  await transition(appId, ['approved'], 'suspended', 'suspended', actor, reasonSchema.parse(reason));
}

export async function reinstate(appId: string, actor: Actor, reason?: string) {
  await transition(
    appId,
    ['suspended'],
    'approved',
    'reinstated',
    actor,
    reason ? noteSchema.parse(reason) || null : null,
  );
}

/** Admins change an approved app's policy and limits. */
export async function updatePolicy(appId: string, input: Partial<Approval>, actor: Actor) {
  const current = await appForPolicy(appId);
  const parsed = approvalSchema.partial().superRefine(policyFor(current)).parse(input);
  // Only what the caller changes: the schema's defaults (no adapters, no endpoints, …) must not reset the rest.
  const a = Object.fromEntries(Object.entries(parsed).filter(([k]) => k in input)) as Partial<typeof parsed>;
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
    const grant = await independentReviewer(appId, actor, tx);
    await tx.app.update({ where: { id: appId }, data });
    await review(appId, 'policy_changed', actor, null, shown, tx);
    await audit(actor, 'app.policy_changed', { type: 'app', id: appId }, { ...shown, ...grant }, tx);
  });
  await publishInvalidation({ appId });
}

export async function setLimits(appId: string, limits: Partial<Limits>, actor: Actor) {
  await updatePolicy(appId, limitsSchema.partial().parse(limits), actor);
}

/** An app by its id, or by its name (in any case; a live app before a rejected one of the same name). */
export async function findAppByIdOrName(idOrName: string) {
  return (
    (await db().app.findUnique({ where: { id: idOrName } })) ??
    db().app.findFirst({
      where: { name: { equals: idOrName, mode: 'insensitive' } },
      orderBy: [{ status: 'asc' }, { createdAt: 'desc' }],
    })
  );
}

export type { AppStatus, PhiPolicy };
