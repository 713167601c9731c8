import { z } from 'zod';
import { declaredProperties, schemaProblem, templateVariables, compileSchema } from './endpoints';

const timeoutMs = z.number().int().positive().max(3_600_000);
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|api-key|x-api-key|.*-key|.*token.*|.*secret.*|cookie)$/i;
const PLACEHOLDER_IN = /\$\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/;

// Secrets never live in the file (it is versioned): a credential header must name an environment variable.
const headers = z
  .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name (letters, digits, -)'), z.string())
  .superRefine((h, ctx) => {
    for (const [name, value] of Object.entries(h)) {
      if (CREDENTIAL_HEADER.test(name) && !PLACEHOLDER_IN.test(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `carries a credential: put it in an environment variable and write \${{ VARIABLE }} here, e.g. "Bearer \${{ OPENAI_API_KEY }}"`,
        });
      }
    }
  });

const timeouts = z
  .object({
    connectMs: timeoutMs.default(5_000).describe('time allowed to open the connection'),
    totalMs: timeoutMs.default(600_000).describe('time allowed for the whole upstream exchange'),
  })
  .strict();

const providerBase = {
  headers: headers.default({}),
  timeouts: timeouts.default({ connectMs: 5_000, totalMs: 600_000 }),
};

export const providerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('openai'),
      baseUrl: z.url().default('https://api.openai.com/v1'),
      ...providerBase,
    })
    .strict(),
  z.object({ type: z.literal('openai-compatible'), baseUrl: z.url(), ...providerBase }).strict(),
  z
    .object({
      type: z.literal('azure'),
      /** The resource endpoint, e.g. https://my-resource.openai.azure.com */
      baseUrl: z.url(),
      apiVersion: z.string().default('2025-01-01-preview'),
      ...providerBase,
    })
    .strict(),
  z
    .object({ type: z.literal('echo'), timeouts: timeouts.default({ connectMs: 5_000, totalMs: 600_000 }) })
    .strict(),
]);

const price = z
  .object({
    inputPerMillion: z.number().nonnegative().default(0),
    outputPerMillion: z.number().nonnegative().default(0),
    /** images/generations: USD per image */
    perImage: z.number().nonnegative().optional(),
    /** audio/transcriptions: USD per minute of audio */
    perAudioMinute: z.number().nonnegative().optional(),
    /** audio/speech: USD per million input characters */
    perMillionCharacters: z.number().nonnegative().optional(),
    /** Batch API: USD per million tokens (default: half the prices above, OpenAI's batch discount) */
    batchInputPerMillion: z.number().nonnegative().optional(),
    batchOutputPerMillion: z.number().nonnegative().optional(),
  })
  .strict();

/** One deployment of a model in a group: a provider, its model or deployment name, and its share of traffic. */
export const targetSchema = z
  .object({
    /** Shown in the x-portico-upstream header, metrics and logs; default: the provider's name (and deployment). */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : -')
      .optional(),
    provider: z.string(),
    upstreamModel: z.string().optional(),
    deployment: z.string().optional(),
    /** Share of traffic within its tier (weighted strategy). */
    weight: z.number().positive().max(1_000_000).default(1),
    /** Tiers are used in order: 0 first (e.g. provisioned throughput), then 1 (pay-as-you-go) when 0 has none left. */
    priority: z.number().int().min(0).max(100).default(0),
    /** The deployment's own quota (per instance, per minute): once reached, the next requests go elsewhere. */
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
  })
  .strict();

export const modelSchema = z
  .object({
    /** One upstream; or `targets` for a group of deployments. */
    provider: z.string().optional(),
    upstreamModel: z.string().optional(),
    /** Azure deployment name at the upstream; defaults to upstreamModel, then the model name. */
    deployment: z.string().optional(),
    /** A group: the same model on several deployments (regions, subscriptions, provisioned and pay-as-you-go). */
    targets: z.array(targetSchema).min(1).max(20).optional(),
    /** How a group picks a target within a tier: by weight, fewest requests in flight, or lowest latency. */
    strategy: z.enum(['weighted', 'least-busy', 'latency']).default('weighted'),
    price: price.default({ inputPerMillion: 0, outputPerMillion: 0 }),
    /** Models tried in order when this one's provider cannot be reached before the first byte. */
    fallbacks: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (!m.provider === !m.targets)
      ctx.addIssue({
        code: 'custom',
        message: 'give either provider (one upstream) or targets (a group of deployments), not both',
      });
  });

export const adapterSchema = z
  .object({
    baseUrl: z.url(),
    headers: headers.default({}),
    timeoutMs: timeoutMs.default(60_000),
    /** Scrub PHI from everything a request sends through this adapter (path, query, any body readable as text). */
    scrubPhi: z.boolean().default(false),
    /** With scrubPhi: forward bodies Portico cannot read as text (files, images), unscanned; refused otherwise. */
    binaryBodies: z.boolean().default(false),
  })
  .strict();

const jsonSchemaObject = z.record(z.string(), z.unknown());

/** Chat Completions settings an endpoint fixes (OpenAI's names and ranges); the caller cannot change them. */
const generationSettings = z
  .object({
    temperature: z.number().min(0).max(2),
    top_p: z.number().min(0).max(1),
    max_tokens: z.number().int().positive(),
    max_completion_tokens: z.number().int().positive(),
    presence_penalty: z.number().min(-2).max(2),
    frequency_penalty: z.number().min(-2).max(2),
    seed: z.number().int(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]),
    reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']),
  })
  .partial()
  .strict();

/**
 * A custom endpoint: POST /api/public/v1/endpoints/<name>. The request body is checked against `input` (a JSON
 * Schema for an object); its top-level fields fill the {{variables}} of the system and user templates; the
 * answer is text, or, with `output`, JSON that matches that schema (asked for as structured output and checked).
 */
export const endpointSchema = z
  .object({
    description: z.string().min(1).max(2_000),
    /** A model under models (the app needs the endpoint granted, not the model). */
    model: z.string(),
    system: z.string().max(100_000).optional(),
    user: z.string().min(1).max(100_000),
    input: jsonSchemaObject,
    output: jsonSchemaObject.optional(),
    settings: generationSettings.default({}),
    /** At least this strict, whatever the app's policy (scrub < redact < block); the app's when stricter. */
    phiPolicy: z.enum(['scrub', 'redact', 'block']).optional(),
    /** A request body shown in the API reference and the samples; made from the input schema when absent. */
    example: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const inputProblem = schemaProblem(e.input, 'input');
    if (inputProblem) ctx.addIssue({ code: 'custom', path: ['input'], message: inputProblem });
    else if (e.input.type !== 'object' || declaredProperties(e.input).length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['input'],
        message: 'must describe an object (type: object) with its fields under properties',
      });
    if (e.output) {
      const outputProblem = schemaProblem(e.output, 'output');
      if (outputProblem) ctx.addIssue({ code: 'custom', path: ['output'], message: outputProblem });
      else if (e.output.type !== 'object')
        ctx.addIssue({
          code: 'custom',
          path: ['output'],
          message: 'must describe an object (type: object): structured output answers with one',
        });
    }
    const declared = new Set(declaredProperties(e.input));
    for (const part of ['system', 'user'] as const) {
      const text = e[part];
      if (text === undefined) continue;
      const { variables, problem } = templateVariables(text);
      if (problem) ctx.addIssue({ code: 'custom', path: [part], message: problem });
      const unknown = variables.filter((v) => !declared.has(v));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          path: [part],
          message: `uses ${unknown.map((v) => `{{${v}}}`).join(', ')}, not declared under input.properties (declared: ${[...declared].join(', ') || 'none'})`,
        });
    }
    if (e.example && !inputProblem) {
      const validate = compileSchema(e.input, 'input');
      if (!validate(structuredClone(e.example)))
        ctx.addIssue({
          code: 'custom',
          path: ['example'],
          message:
            `does not match input: ${validate.errors?.[0]?.instancePath || '(body)'} ${validate.errors?.[0]?.message ?? ''}`.trim(),
        });
    }
  });

/** The events a webhook can subscribe to (lib/notify sends them). */
export const NOTIFY_EVENTS = ['app.requested', 'app.decided', 'key.expiring', 'budget.threshold'] as const;

// A webhook URL often carries a secret (Slack's do): write it as ${{ VARIABLE }}, resolved when sending.
const webhookUrl = z.string().refine((v) => {
  if (PLACEHOLDER_IN.test(v)) return true;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'an http(s) URL, or ${{ VARIABLE }} naming one in the environment');

export const webhookSchema = z
  .object({
    url: webhookUrl,
    /** json: Portico's structured payload; slack: {"text": …} for a Slack (or compatible) incoming webhook. */
    format: z.enum(['json', 'slack']).default('json'),
    /** The events it gets; all when absent. */
    events: z.array(z.enum(NOTIFY_EVENTS)).min(1).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    providers: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), providerSchema),
    models: z.record(z.string().regex(/^[A-Za-z0-9._:/-]+$/, 'letters, digits and . _ : / -'), modelSchema),
    adapters: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and -'), adapterSchema)
      .default({}),
    endpoints: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and -'), endpointSchema)
      .default({}),
    portal: z
      .object({
        attestation: z
          .string()
          .default(
            'I confirm that this application is for internal use only: it will not be offered to customers or built into a product.',
          ),
        organisation: z.string().default('Portico'),
        /** One-person installs only: lets a reviewer approve an app they own (each such approval is audited as self-approved). */
        allowSelfApproval: z.boolean().default(false),
      })
      .strict()
      .default({
        attestation:
          'I confirm that this application is for internal use only: it will not be offered to customers or built into a product.',
        organisation: 'Portico',
        allowSelfApproval: false,
      }),
    compatChat: z
      .object({
        /** The configured model that POST /v1/chat/completions uses when the body names none (or "gpt-3.5-turbo", that API's documented default, which is not configured). */
        defaultModel: z.string().optional(),
      })
      .strict()
      .default({}),
    usage: z
      .object({ retentionDays: z.number().int().positive().default(90) })
      .strict()
      .default({ retentionDays: 90 }),
    notifications: z
      .object({ webhooks: z.array(webhookSchema).default([]) })
      .strict()
      .default({ webhooks: [] }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.compatChat.defaultModel && !cfg.models[cfg.compatChat.defaultModel]) {
      ctx.addIssue({
        code: 'custom',
        path: ['compatChat', 'defaultModel'],
        message: `"${cfg.compatChat.defaultModel}" is not a model under models`,
      });
    }
    for (const [name, e] of Object.entries(cfg.endpoints)) {
      if (!cfg.models[e.model])
        ctx.addIssue({
          code: 'custom',
          path: ['endpoints', name, 'model'],
          message: `"${e.model}" is not a model under models (known: ${Object.keys(cfg.models).join(', ')})`,
        });
    }
    for (const [name, model] of Object.entries(cfg.models)) {
      if (name.startsWith('endpoint:'))
        ctx.addIssue({
          code: 'custom',
          path: ['models', name],
          message: 'model names starting with "endpoint:" are kept for custom endpoints in usage',
        });
      const uses: [string, (string | number)[]][] = model.targets
        ? model.targets.map((t, i) => [t.provider, ['models', name, 'targets', i, 'provider']])
        : model.provider
          ? [[model.provider, ['models', name, 'provider']]]
          : [];
      for (const [provider, path] of uses) {
        if (!cfg.providers[provider])
          ctx.addIssue({
            code: 'custom',
            path,
            message: `names provider "${provider}", which is not under providers (known: ${Object.keys(cfg.providers).join(', ') || 'none'})`,
          });
      }
      for (const [i, fb] of model.fallbacks.entries()) {
        if (!cfg.models[fb] || fb === name) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', name, 'fallbacks', i],
            message: `"${fb}" is not another model under models`,
          });
        }
      }
    }
  });

export type ConfigFile = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type AdapterConfig = z.infer<typeof adapterSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;
