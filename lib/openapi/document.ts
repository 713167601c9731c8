import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import type {
  ZodOpenApiOperationObject,
  ZodOpenApiPathsObject,
  ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { deidentifyRequest, deidentifyResponse, usageQuery } from '../proxy/own-api';
import { requestSchemas } from '../proxy/validate';
import { imageRequest, speechRequest } from '../proxy/media';
import { errors } from '../proxy/errors';
import { phiBlocked } from '../proxy/phi-step';
import { gatewayConfig, type Endpoint, type GatewayConfig } from '../config';

/**
 * The OpenAPI 3.1 document of every public endpoint, built from the zod schemas the handlers validate
 * with, so it cannot drift from them. Served at /api/openapi.json and rendered at /api.
 */
const errorBody = z
  .object({
    error: z.object({
      message: z.string().meta({ description: 'What went wrong and what to change' }),
      type: z.string().meta({ example: 'invalid_request_error' }),
      param: z.string().nullable(),
      code: z.string().meta({ description: 'A stable code to branch on, e.g. `invalid_api_key`' }),
    }),
  })
  .meta({ id: 'Error', description: "OpenAI's error shape, so that the SDKs raise the right exception" });

const ERRORS: Record<string, string> = {
  '400': 'The body is not valid JSON, misses a required field, or (policy `block`) contains PHI',
  '401': 'No key, or an unknown, revoked or expired key',
  '403':
    'The app is not approved (or suspended), may not use this resource, or the request came from a browser',
  '404': 'No such model / deployment for this app (`model_not_found`)',
  '413': 'The body is larger than the configured limit',
  '429': 'A rate limit or budget is reached (`Retry-After` says when to retry)',
  '500': 'Portico failed (PHI engine failure included): nothing was sent upstream',
  '502': 'The upstream failed or could not be reached',
  '504': 'The upstream did not answer in time',
};

const MODEL = 'gpt-4o-mini-2024-07-18';
const limits = { rpm: 60, tpm: 100_000, monthlyTokens: 5_000_000, monthlyCostUsd: 200 };
/** What each status really answers with: built by the same functions the handlers throw with. */
const EXAMPLES: Record<string, [string, { error: object }][]> = {
  '400': [
    ['Invalid body', errors.badRequest('"messages" is required.', 'messages').body()],
    ['PHI refused (policy block)', phiBlocked({ NAME: 1, MRN: 1 }).body()],
  ],
  '401': [
    ['No key', errors.missingKey().body()],
    ['Unknown key', errors.invalidKey().body()],
    ['Revoked key', errors.revokedKey().body()],
  ],
  '403': [
    ['App not approved', errors.appNotApproved('suspended').body()],
    ['From a browser', errors.browserRefused().body()],
  ],
  '404': [['Model not allowed', errors.modelNotFound('gpt-5', [MODEL]).body()]],
  '413': [['Too large', errors.tooLarge(4_194_304).body()]],
  '429': [
    ['Rate limit', errors.limited('rpm', limits, 12).body()],
    ['Monthly budget', errors.limited('monthly_cost', limits, 86_400).body()],
  ],
  '500': [['Portico failed', errors.internal().body()]],
  '502': [['Upstream unreachable', errors.upstreamUnavailable(MODEL).body()]],
  '504': [['Upstream too slow', errors.upstreamTimeout(MODEL).body()]],
};

function errorResponses(codes: string[]): ZodOpenApiResponsesObject {
  return Object.fromEntries(
    codes.map((c) => [
      c,
      {
        description: ERRORS[c]!,
        content: {
          'application/json': {
            schema: errorBody,
            examples: Object.fromEntries(
              (EXAMPLES[c] ?? []).map(([summary, value], i) => [`e${i}`, { summary, value }]),
            ),
          },
        },
      },
    ]),
  );
}

const openAiObject = (id: string, description: string) =>
  z.looseObject({ id: z.string(), object: z.string() }).meta({ id, description });
const chatCompletion = openAiObject(
  'ChatCompletion',
  "OpenAI's chat completion object (or, with `stream: true`, an SSE stream of `chat.completion.chunk` events), PHI restored",
);
const completion = openAiObject('Completion', "OpenAI's legacy text completion object");
const embeddingList = z
  .looseObject({
    object: z.literal('list'),
    data: z.array(z.looseObject({ embedding: z.union([z.array(z.number()), z.string()]) })),
  })
  .meta({ id: 'EmbeddingList' });
const response = openAiObject(
  'Response',
  'A Responses API object (or an SSE stream of `response.*` events), PHI restored',
);
const modelList = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
    ),
  })
  .meta({ id: 'ModelList' });

const chatRequest = requestSchemas.chat.meta({
  id: 'ChatCompletionRequest',
  description:
    "OpenAI's chat completion request; fields Portico does not act on pass through untouched (tools, response_format, stream_options, …)",
  example: { model: 'gpt-4o-mini-2024-07-18', messages: [{ role: 'user', content: 'Tell me a joke' }] },
});
const completionRequest = requestSchemas.completions.meta({
  id: 'CompletionRequest',
  example: { model: 'gpt-4o-mini-2024-07-18', prompt: 'Say hello' },
});
const embeddingRequest = requestSchemas.embeddings.meta({
  id: 'EmbeddingRequest',
  example: { model: 'text-embedding-3-small', input: 'aspirin' },
});
const responsesRequest = requestSchemas.responses.meta({
  id: 'ResponseRequest',
  example: { model: 'gpt-4o-mini-2024-07-18', input: 'Tell me a joke' },
});

const apiVersion = z
  .string()
  .optional()
  .meta({ description: 'Azure api-version (forwarded to Azure upstreams)', example: '2025-01-01-preview' });
const deployment = z.string().meta({
  description: 'The deployment: a model name configured in Portico and approved for your app',
  example: 'gpt-4o-mini-2024-07-18',
});
const rateHeaders = {
  'x-request-id': z
    .string()
    .meta({ description: 'Give this to the administrators when something goes wrong' }),
  'x-portico-phi-entities': z
    .string()
    .meta({ description: 'How many PHI entities were replaced in the request' }),
  'x-ratelimit-remaining-requests': z
    .string()
    .optional()
    .meta({ description: 'When the app has a per-minute request limit' }),
};

const ops = {
  chat: { summary: 'Chat completion', request: chatRequest, response: chatCompletion },
  completions: { summary: 'Legacy text completion', request: completionRequest, response: completion },
  embeddings: {
    summary: 'Embeddings (input scrubbed of PHI)',
    request: embeddingRequest,
    response: embeddingList,
  },
  responses: { summary: 'Responses API', request: responsesRequest, response: response },
} as const;

function proxyOp(
  op: keyof typeof ops,
  tag: string,
  params?: ZodOpenApiOperationObject['requestParams'],
): ZodOpenApiOperationObject {
  const o = ops[op];
  return {
    tags: [tag],
    summary: o.summary,
    security: [{ apiKey: [] }, { bearer: [] }],
    requestParams: params,
    requestBody: { required: true, content: { 'application/json': { schema: o.request } } },
    responses: {
      '200': {
        description: `${o.summary}, with PHI restored per the app's policy`,
        headers: z.object(rateHeaders),
        content: {
          'application/json': { schema: o.response },
          ...(op === 'embeddings'
            ? {}
            : {
                'text/event-stream': {
                  schema: z.string().meta({ description: 'Server-sent events when `stream: true`' }),
                },
              }),
        },
      },
      ...errorResponses(['400', '401', '403', '404', '413', '429', '500', '502', '504']),
    },
  };
}

const modelsOp = (tag: string): ZodOpenApiOperationObject => ({
  tags: [tag],
  summary: "The models this key's app may use",
  security: [{ apiKey: [] }, { bearer: [] }],
  responses: {
    '200': { description: 'Model list', content: { 'application/json': { schema: modelList } } },
    ...errorResponses(['401', '403']),
  },
});

const AZ = 'Azure OpenAI compatible';
const OA = 'OpenAI compatible';
const AZV1 = 'Azure OpenAI v1 API';

const usageObject = {
  type: 'object',
  properties: {
    prompt_tokens: { type: 'integer' },
    completion_tokens: { type: 'integer' },
    total_tokens: { type: 'integer' },
  },
} as const;

/** A custom endpoint of the config file, documented from its own schemas, description and example. */
function endpointOp(e: Endpoint): ZodOpenApiOperationObject {
  const text = !e.output;
  return {
    operationId: `endpoint_${e.name.replace(/-/g, '_')}`,
    tags: ['Custom endpoints'],
    summary: e.description.length > 120 ? `${e.description.slice(0, 117)}…` : e.description,
    description: [
      e.description,
      `Runs the model \`${e.model}\` with the platform team's prompt; the body below fills it.`,
      text
        ? 'Answers with text in `output`. Add `?stream=true` (or `Accept: text/event-stream`) for server-sent events: `delta` events with `{"text": …}` as it is written, then one `done` event with the finish reason and usage (or one `error` event).'
        : 'Answers with JSON in `output` that matches the schema below: asked of the model as structured output and checked before it is returned (an answer that does not match is a 502 `invalid_model_output`).',
      'PHI in the body is replaced before it reaches the model and restored in the answer, under the app’s PHI policy or the endpoint’s when it is stricter. The app needs this endpoint granted at review (403 `endpoint_not_allowed` otherwise).',
    ].join('\n\n'),
    security: [{ apiKey: [] }, { bearer: [] }],
    ...(text
      ? {
          requestParams: {
            query: z.object({
              stream: z
                .enum(['true', 'false'])
                .optional()
                .meta({ description: 'true: answer as server-sent events' }),
            }),
          },
        }
      : {}),
    requestBody: {
      required: true,
      content: { 'application/json': { schema: e.input, example: e.example } },
    },
    responses: {
      '200': {
        description: text ? 'The answer as text' : 'The answer, checked against the output schema',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['id', 'endpoint', 'model', 'output', 'usage'],
              properties: {
                id: { type: 'string', description: 'The request id (also in x-request-id)' },
                endpoint: { type: 'string', const: e.name },
                model: { type: 'string' },
                output: e.output ?? { type: 'string' },
                finish_reason: { type: ['string', 'null'] },
                usage: usageObject,
              },
            },
          },
          ...(text
            ? {
                'text/event-stream': {
                  schema: { type: 'string', description: 'With ?stream=true: delta events, then done' },
                },
              }
            : {}),
        },
      },
      ...errorResponses(['400', '401', '403', '404', '413', '429', '500', '502', '504']),
    },
  };
}

/** The model APIs: Azure's deployment paths, then OpenAI's and Azure's v1 shapes. */
function modelPaths(p: ZodOpenApiPathsObject): void {
  const depParams = { path: z.object({ deployment }), query: z.object({ 'api-version': apiVersion }) };
  p['/api/public/oai/openai/deployments/{deployment}/chat/completions'] = {
    post: { ...proxyOp('chat', AZ, depParams), operationId: 'azureChat' },
  };
  p['/api/public/oai/openai/deployments/{deployment}/completions'] = {
    post: { ...proxyOp('completions', AZ, depParams), operationId: 'azureCompletions' },
  };
  p['/api/public/oai/openai/deployments/{deployment}/embeddings'] = {
    post: { ...proxyOp('embeddings', AZ, depParams), operationId: 'azureEmbeddings' },
  };
  p['/api/public/oai/openai/deployments/{deployment}/responses'] = {
    post: { ...proxyOp('responses', AZ, depParams), operationId: 'azureResponses' },
  };
  for (const [prefix, tag, id] of [
    ['/api/public/oai/v1', OA, 'openai'],
    ['/api/public/oai/openai/v1', AZV1, 'azureV1'],
  ] as const) {
    const q = tag === AZV1 ? { query: z.object({ 'api-version': apiVersion }) } : undefined;
    p[`${prefix}/chat/completions`] = { post: { ...proxyOp('chat', tag, q), operationId: `${id}Chat` } };
    p[`${prefix}/completions`] = {
      post: { ...proxyOp('completions', tag, q), operationId: `${id}Completions` },
    };
    p[`${prefix}/embeddings`] = {
      post: { ...proxyOp('embeddings', tag, q), operationId: `${id}Embeddings` },
    };
    p[`${prefix}/responses`] = { post: { ...proxyOp('responses', tag, q), operationId: `${id}Responses` } };
    p[`${prefix}/models`] = { get: { ...modelsOp(tag), operationId: `${id}Models` } };
    p[`${prefix}/models/{model}`] = {
      get: {
        tags: [tag],
        summary: "One of this key's app's models (404 for any other)",
        security: [{ apiKey: [] }, { bearer: [] }],
        requestParams: { path: z.object({ model: z.string().meta({ example: 'gpt-4o-mini-2024-07-18' }) }) },
        responses: {
          '200': {
            description: 'The model',
            content: {
              'application/json': {
                schema: z.object({
                  id: z.string(),
                  object: z.literal('model'),
                  created: z.number(),
                  owned_by: z.string(),
                }),
              },
            },
          },
          ...errorResponses(['401', '403', '404']),
        },
        operationId: `${id}Model`,
      },
    };
  }
}

/** Images and audio, on the OpenAI and Azure v1 shapes (each enabled per app by a reviewer). */
function mediaPaths(p: ZodOpenApiPathsObject): void {
  const mediaOps = {
    images: {
      path: 'images/generations',
      summary: 'Generate images (enabled per app by a reviewer)',
      schema: imageRequest.meta({
        id: 'ImageRequest',
        example: { model: 'dall-e-3', prompt: 'A labelled diagram of the heart', n: 1 },
      }),
      json: true,
    },
    speech: {
      path: 'audio/speech',
      summary: 'Text to speech (enabled per app by a reviewer)',
      schema: speechRequest.meta({
        id: 'SpeechRequest',
        example: { model: 'tts-1', voice: 'alloy', input: 'Take one tablet twice a day.' },
      }),
      json: true,
    },
    transcriptions: {
      path: 'audio/transcriptions',
      summary: 'Transcribe audio, multipart (enabled per app by a reviewer)',
      schema: z
        .object({
          file: z.string().meta({ format: 'binary' }),
          model: z.string().optional(),
          prompt: z.string().optional(),
        })
        .meta({ id: 'TranscriptionRequest' }),
      json: false,
    },
  } as const;
  for (const [op, m] of Object.entries(mediaOps)) {
    const operation = (
      tag: string,
      params?: ZodOpenApiOperationObject['requestParams'],
    ): ZodOpenApiOperationObject => ({
      tags: [tag],
      summary: m.summary,
      description:
        'Disabled for an app until a reviewer enables it: PHI inside an image or audio cannot be scrubbed (text prompts still are, per policy). Metered by images, audio seconds or characters.',
      security: [{ apiKey: [] }, { bearer: [] }],
      requestParams: params,
      requestBody: {
        required: true,
        content: { [m.json ? 'application/json' : 'multipart/form-data']: { schema: m.schema } },
      },
      responses: {
        '200': { description: op === 'speech' ? 'Audio bytes' : 'The result' },
        ...errorResponses(['400', '401', '403', '404', '413', '429', '500', '502', '504']),
      },
    });
    p[`/api/public/oai/openai/deployments/{deployment}/${m.path}`] = {
      post: {
        ...operation(AZ, { path: z.object({ deployment }), query: z.object({ 'api-version': apiVersion }) }),
        operationId: `azure_${op}`,
      },
    };
    p[`/api/public/oai/v1/${m.path}`] = { post: { ...operation(OA), operationId: `openai_${op}` } };
    p[`/api/public/oai/openai/v1/${m.path}`] = { post: { ...operation(AZV1), operationId: `azureV1_${op}` } };
  }
}

/** The CompliantChatGPT-compatible chat, and the HTTP adapters' pass-through. */
function compatAndAdapterPaths(p: ZodOpenApiPathsObject): void {
  p['/v1/chat/completions'] = {
    post: {
      operationId: 'compatChat',
      tags: ['PHI-safe chat (CompliantChatGPT compatible)'],
      summary: 'Chat completion with PHI substitution; answer adds a top-level `content`',
      description:
        'Defaults: `model` "gpt-3.5-turbo" (mapped to a configured model), `temperature` 0.7, `n` 1. Errors: 400 invalid body or invalid OpenAI key, 401 missing or invalid gateway key, 429 quota, 500 server error.',
      security: [{ compatKey: [] }],
      requestParams: {
        header: z.object({
          'x-openai-key': z.string().optional().meta({
            description:
              "Your own OpenAI key, used instead of the gateway's credentials when your app may bring its own; never stored or logged",
          }),
        }),
      },
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: requestSchemas.chat.meta({
              id: 'CompatChatRequest',
              example: {
                model: 'gpt-4o-2024-05-13',
                messages: [
                  { role: 'system', content: 'You are a helpful medical assistant.' },
                  {
                    role: 'user',
                    content:
                      'Patient John Doe has complained about recurring headaches for the past two weeks.',
                  },
                ],
              },
            }),
          },
        },
      },
      responses: {
        '200': {
          description: 'The chat completion plus `content`, the first choice’s text',
          content: {
            'application/json': {
              schema: z.looseObject({ content: z.string().nullable(), choices: z.array(z.unknown()) }),
            },
          },
        },
        ...errorResponses(['400', '401', '429', '500']),
      },
    },
  };
  p['/api/public/http/{adapter}/{path}'] = Object.fromEntries(
    (['get', 'post', 'put', 'patch', 'delete'] as const).map((m) => [
      m,
      {
        operationId: `adapter_${m}`,
        tags: ['HTTP adapters'],
        summary: `${m.toUpperCase()} through a configured HTTP adapter`,
        description:
          "Streams the request to the adapter's base URL + path with its credentials injected, and the answer back. The app must be allowed the adapter.",
        security: [{ apiKey: [] }, { bearer: [] }],
        requestParams: {
          path: z.object({
            adapter: z.string().meta({ example: 'openai' }),
            path: z
              .string()
              .meta({ example: 'v1/models', description: 'The upstream path (may contain slashes)' }),
          }),
        },
        responses: {
          '200': { description: "The upstream's answer, as it came" },
          ...errorResponses(['400', '401', '403', '404', '413', '429', '502', '504']),
        },
      } satisfies ZodOpenApiOperationObject,
    ]),
  );
}

/** Portico's own API: whoami, usage, de-identify. */
function ownApiPaths(p: ZodOpenApiPathsObject): void {
  p['/api/public/v1/whoami'] = {
    get: {
      operationId: 'whoami',
      tags: ['Portico'],
      summary: "The calling key, its app, and the app's models and custom endpoints",
      security: [{ apiKey: [] }, { bearer: [] }],
      responses: {
        '200': {
          description: 'Who you are',
          content: {
            'application/json': {
              schema: z.object({
                app: z.object({
                  id: z.string(),
                  name: z.string(),
                  status: z.string(),
                  phiPolicy: z.string(),
                }),
                key: z.object({ id: z.string(), name: z.string(), expiresAt: z.string().nullable() }),
                models: z.array(z.string()),
                endpoints: z
                  .array(
                    z.object({
                      name: z.string(),
                      description: z.string(),
                      url: z.string(),
                      output: z.enum(['json', 'text']),
                    }),
                  )
                  .meta({ description: 'The custom endpoints granted to the app' }),
              }),
            },
          },
        },
        ...errorResponses(['401', '403']),
      },
    },
  };
  p['/api/public/v1/usage'] = {
    get: {
      operationId: 'usage',
      tags: ['Portico'],
      summary: "The calling app's usage and what is left of its budgets",
      security: [{ apiKey: [] }, { bearer: [] }],
      requestParams: { query: usageQuery },
      responses: {
        '200': {
          description: 'Usage totals, by day, by model and by key; limits and remaining budget',
          content: {
            'application/json': {
              schema: z.looseObject({
                totals: z.looseObject({ requests: z.number() }),
                budget: z.looseObject({ month: z.string() }),
              }),
            },
          },
        },
        ...errorResponses(['400', '401', '403']),
      },
    },
  };
  p['/api/public/v1/phi/deidentify'] = {
    post: {
      operationId: 'deidentify',
      tags: ['Portico'],
      summary: 'Replace PHI in text with typed tokens',
      description:
        'Returns the tokenized text and each entity’s type and offsets, never the values. The same value gets the same token across all texts of one request.',
      security: [{ apiKey: [] }, { bearer: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: deidentifyRequest.meta({ example: { text: 'Call Maria Gonzalez at 413-555-0142.' } }),
          },
        },
      },
      responses: {
        '200': {
          description: 'Tokenized texts',
          content: { 'application/json': { schema: deidentifyResponse } },
        },
        ...errorResponses(['400', '401', '403', '413', '500']),
      },
    },
  };
}

/** Health, readiness and metrics, for the operator. */
function operationsPaths(p: ZodOpenApiPathsObject): void {
  p['/healthz'] = {
    get: {
      operationId: 'healthz',
      tags: ['Operations'],
      summary: 'Liveness',
      responses: { '200': { description: 'The process is up' } },
    },
  };
  p['/readyz'] = {
    get: {
      operationId: 'readyz',
      tags: ['Operations'],
      summary: 'Readiness: database reachable, migrations applied',
      responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
    },
  };
  p['/metrics'] = {
    get: {
      operationId: 'metrics',
      tags: ['Operations'],
      summary: 'Prometheus metrics (bearer token when PORTICO_METRICS_TOKEN is set)',
      responses: { '200': { description: 'Prometheus text format' } },
    },
  };
}

function paths(cfg: GatewayConfig): ZodOpenApiPathsObject {
  const p: ZodOpenApiPathsObject = {};
  modelPaths(p);
  mediaPaths(p);
  compatAndAdapterPaths(p);
  ownApiPaths(p);
  for (const e of cfg.endpoints.values()) p[`/api/public/v1/endpoints/${e.name}`] = { post: endpointOp(e) };
  operationsPaths(p);
  return p;
}

const documents = new WeakMap<GatewayConfig, ReturnType<typeof createDocument>>();

/** The document for a config (its custom endpoints are part of it), built once per config. */
export function openApiDocument(cfg: GatewayConfig = gatewayConfig()): ReturnType<typeof createDocument> {
  const cached = documents.get(cfg);
  if (cached) return cached;
  const doc = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Portico public API',
      version: '1.0.0',
      description:
        'OpenAI- and Azure-OpenAI-compatible proxy with PHI protection, plus Portico’s own endpoints. Authenticate with your app’s key in the `api-key` header (or `Authorization: Bearer`); in “Authorize”, paste it under **apiKey** (and under **compatKey** to try the PHI-safe chat endpoint). The API is for backend services: browser requests are refused.',
    },
    servers: [{ url: '/', description: 'This Portico' }],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'api-key',
          description:
            'Use this one: paste your Portico app key (ptc_…). It works on every endpoint but the PHI-safe chat one.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The same key sent as `Authorization: Bearer` (how the OpenAI SDKs send it). Fill either this or apiKey, not both.',
        },
        compatKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-compliantchatgpt-key',
          description: 'Only for POST /v1/chat/completions (the PHI-safe chat API): the same app key.',
        },
      },
    },
    paths: paths(cfg),
  });
  documents.set(cfg, doc);
  return doc;
}
