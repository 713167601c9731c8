import { z } from 'zod';

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
    /** Scrub PHI from JSON request bodies sent through this adapter. */
    scrubPhi: z.boolean().default(false),
  })
  .strict();

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
    for (const [name, model] of Object.entries(cfg.models)) {
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
export type WebhookConfig = z.infer<typeof webhookSchema>;
