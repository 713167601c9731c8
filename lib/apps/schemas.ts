import { z } from 'zod';
import { gatewayConfig } from '../config';
import { DomainError } from '../errors';
import { plainText } from '../text';

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

export const accessRequestSchema = z.object({
  name: appNameSchema,
  description: plainText().min(1, 'is required').max(2000),
  useCase: plainText().min(1, 'is required').max(2000),
  sponsor: plainText().min(1, 'is required').max(200),
  expectedReturn: plainText().min(1, 'is required').max(2000),
  involvesPhi: z.boolean(),
  /** At least one model or one endpoint (checked with requestedEndpoints, see parseAccessRequest). */
  requestedModels: z.array(z.string().min(1).max(100)).max(50),
  /** Custom endpoints the owner asks for (none when absent). */
  requestedEndpoints: z.array(z.string().min(1).max(100)).max(50).optional(),
  expectedVolume: plainText().min(1, 'is required').max(200),
  internalOnlyAttested: z.literal(true, { error: 'the internal-use attestation is required' }),
});
export type AccessRequest = z.infer<typeof accessRequestSchema>;

/** A request as the schema reads it, asking for at least one model or one custom endpoint. */
export function parseAccessRequest(input: AccessRequest): AccessRequest {
  const data = accessRequestSchema.parse(input);
  if (data.requestedModels.length === 0 && !data.requestedEndpoints?.length)
    throw new DomainError('invalid', 'choose at least one model or endpoint', 'requestedModels');
  return data;
}

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

/** A decision's reason, which the owners read (rejections, sending back, suspending, refused amendments). */
export const reasonSchema = plainText()
  .min(3, 'must say what the owner should know (at least 3 characters)')
  .max(2000, 'must be at most 2000 characters');
/** An optional note, such as why an app is reinstated. */
export const noteSchema = plainText().max(2000, 'must be at most 2000 characters');
