import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './support/cli';
import { ADAPTER_TOKEN, startHarness, UPSTREAM_KEY, type Harness } from './support/portico';
import { seedApp } from './support/seed';

const ROOT = path.resolve(import.meta.dirname, '..');
let h: Harness;
let key: string;
let byoKey: string;
let limitedKey: string;
let noAdapterKey: string;

beforeAll(async () => {
  h = await startHarness();
  const models = [
    'gpt-4o-mini-2024-07-18',
    'gpt-4o-2024-05-13',
    'text-embedding-3-small',
    'azure-gpt-4o',
    'dall-e-3',
    'tts-1',
    'whisper-1',
  ];
  key = (
    await seedApp({ models, allowedAdapters: ['openai', 'openai-phi'], allowImages: true, allowAudio: true })
  ).key!;
  byoKey = (await seedApp({ models, allowByoKey: true })).key!;
  limitedKey = (await seedApp({ models, rpmLimit: 1 })).key!;
  noAdapterKey = (await seedApp({ models })).key!;
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

describe('POST /v1/chat/completions (CompliantChatGPT compatible)', () => {
  /** Their Python `requests` sample, as a Node fetch: unchanged but for the URL and the keys. */
  const sample = (
    gatewayKey: string | undefined,
    openaiKey: string | undefined,
    data: unknown = {
      model: 'gpt-4o-2024-05-13',
      messages: [
        { role: 'system', content: 'You are a helpful medical assistant.' },
        {
          role: 'user',
          content: 'Patient John Doe has complained about recurring headaches for the past two weeks. ',
        },
      ],
    },
  ) =>
    fetch(`${h.base}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        ...(gatewayKey ? { 'x-compliantchatgpt-key': gatewayKey } : {}),
        ...(openaiKey ? { 'x-openai-key': openaiKey } : {}),
        'Content-Type': 'application/json',
      },
      body: typeof data === 'string' ? data : JSON.stringify(data),
    });

  it('answers with the chat completion plus `content`, PHI substituted upstream and restored', async () => {
    const res = await sample(key, 'sk-their-own-openai-key-000000');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { content: string; choices: { message: { content: string } }[] };
    expect(body.content).toBe(
      'Patient John Doe has complained about recurring headaches for the past two weeks. ',
    );
    expect(body.choices[0]!.message.content).toBe(body.content);
    const sent = h.upstream.received[0]!;
    expect(sent.raw).not.toContain('John Doe');
    expect(sent.body).toMatchObject({ model: 'gpt-4o', temperature: 0.7, n: 1 });
    // This app may not bring its own key: the gateway's credential is used and the header says so.
    expect(sent.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(res.headers.get('x-portico-openai-key')).toBe('ignored');
  });

  it('applies the documented defaults: model "gpt-3.5-turbo" maps to the configured default', async () => {
    const res = await sample(key, undefined, {
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 20,
    });
    expect(res.status).toBe(200);
    expect(h.upstream.received[0]!.body).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.7,
      n: 1,
      max_tokens: 20,
    });
    const explicit = await sample(key, undefined, {
      model: 'gpt-3.5-turbo',
      messages: [{ role: 'user', content: 'hello' }],
      temperature: 0.2,
    });
    expect(explicit.status).toBe(200);
    expect(h.upstream.received[1]!.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2 });
  });

  it('uses x-openai-key as the upstream credential for apps allowed to bring their own, and says 400 when it is refused', async () => {
    const own = 'sk-caller-owned-key-1234567890';
    const ok = await sample(byoKey, own);
    expect(ok.status).toBe(200);
    expect(h.upstream.received[0]!.headers.authorization).toBe(`Bearer ${own}`);
    h.upstream.queue({
      kind: 'status',
      status: 401,
      body: {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    });
    const refused = await sample(byoKey, own);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_openai_key');
    const malformed = await sample(byoKey, 'not a key');
    expect(malformed.status).toBe(400);
  });

  it('400 invalid body, 401 missing or invalid gateway key, 429 quota, 500 server error', async () => {
    expect((await sample(key, undefined, '{"messages": ')).status).toBe(400);
    expect((await sample(key, undefined, { messages: 'hi' })).status).toBe(400);
    expect(
      (await sample(key, undefined, { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }))
        .status,
    ).toBe(400);
    const missing = await sample(undefined, undefined);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(
      /x-compliantchatgpt-key/,
    );
    expect((await sample('ptc_' + 'y'.repeat(43), undefined)).status).toBe(401);
    expect((await sample(limitedKey, undefined)).status).toBe(200);
    const quota = await sample(limitedKey, undefined);
    expect(quota.status).toBe(429);
    expect(quota.headers.get('retry-after')).toMatch(/^\d+$/);
    h.upstream.queue({ kind: 'status', status: 503 });
    const down = await sample(key, undefined);
    expect(down.status).toBe(500);
    const body = (await down.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/upstream/i);
  });
});

describe('HTTP adapters: /api/public/http/{adapter}/{path}', () => {
  const call = (p: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`${h.base}/api/public/http/${p}`, {
      ...init,
      headers: { 'api-key': init.key ?? key, ...(init.headers as Record<string, string> | undefined) },
    });

  it('proxies /v1/models with the adapter’s credentials injected from the environment, not the caller’s key', async () => {
    const res = await call('openai/v1/models?limit=5');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string }).object).toBe('list');
    const got = h.upstream.received[0]!;
    expect(got.path).toBe('/v1/models?limit=5');
    expect(got.headers.authorization).toBe(`Bearer ${ADAPTER_TOKEN}`);
    expect(got.headers['openai-organization']).toBe('org-test');
    expect(got.headers['api-key']).toBeUndefined();
    expect(JSON.stringify(got.headers)).not.toContain(key);
  });

  it('never forwards Portico’s own headers, and a client header named like a configured one in another case is dropped', async () => {
    const res = await call('openai/v1/models', {
      headers: {
        'x-openai-key': 'sk-client-own-openai-key',
        'x-compliantchatgpt-key': 'ccg-client-key',
        'x-portico-client-ip': '203.0.113.9',
        'OpenAI-Organization': 'org-chosen-by-the-client',
        AUTHORIZATION: 'Bearer client-token',
        'x-request-id': 'kept',
      },
    });
    expect(res.status).toBe(200);
    const got = h.upstream.received[0]!.headers;
    expect(got['x-openai-key']).toBeUndefined();
    expect(got['x-compliantchatgpt-key']).toBeUndefined();
    expect(got['x-portico-client-ip']).toBeUndefined();
    expect(got['openai-organization']).toBe('org-test');
    expect(got.authorization).toBe(`Bearer ${ADAPTER_TOKEN}`);
    expect(got['x-request-id']).toBe('kept');
  });

  it('streams a POST body through and the answer back', async () => {
    const res = await call('openai/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'through the adapter' }],
      }),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    ).toBe('through the adapter');
  });

  it('scrubs PHI from JSON bodies when the adapter says so, and restores the answer', async () => {
    const content = 'Patient John Doe, SSN 123-45-6789, asks about aspirin.';
    const res = await call('openai-phi/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    ).toBe(content);
    expect(h.upstream.received[0]!.raw).not.toContain('John Doe');
    expect(h.upstream.received[0]!.raw).not.toContain('123-45-6789');
    expect(Number(res.headers.get('x-portico-phi-entities'))).toBeGreaterThanOrEqual(2);
  });

  it('refuses apps without the adapter (403) and unknown adapters (404)', async () => {
    expect((await call('openai/v1/models', { key: noAdapterKey })).status).toBe(403);
    expect((await call('nope/v1/models')).status).toBe(404);
    expect((await call('openai/v1/models', { key: 'ptc_' + 'z'.repeat(43) })).status).toBe(401);
  });

  it.each([
    ['openai/../secret', 400],
    ['openai/v1/%2e%2e/%2e%2e/etc', 400],
    ['openai/v1%2Fmodels', 400],
    ['openai/v1%5Cmodels', 400],
    ['openai//evil.example/x', 400],
    ['openai/@evil.example/x', 400],
    ['openai/http:%2F%2Fevil.example', 400],
    ['openai/./v1/models', 400],
  ])('cannot leave the adapter’s base URL: %s', async (p, status) => {
    // Raw paths, as an attacker would send them (fetch would normalise some).
    const { hostname, port } = new URL(h.base);
    const res = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const r = request(
          { hostname, port, path: `/api/public/http/${p}`, headers: { 'api-key': key } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        r.on('error', reject);
        r.end();
      }, reject);
    });
    expect(res).toBe(status);
    expect(h.upstream.received).toHaveLength(0);
  });

  it('times out at the adapter’s timeout with 504', async () => {
    h.upstream.queue({ kind: 'delay', ms: 3_000 });
    const t0 = Date.now();
    const res = await call('openai/v1/models');
    expect(res.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(2_900);
  });

  it('the CLI calls it: npm run cli -- call /api/public/http/openai/v1/models --key KEY', async () => {
    const r = await cli(['call', '/api/public/http/openai/v1/models', '--key', key, '--url', h.base]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ object: 'list' });
    const bad = await cli([
      'call',
      '/api/public/http/openai/v1/models',
      '--key',
      'ptc_' + 'q'.repeat(43),
      '--url',
      h.base,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/HTTP 401/);
  });

  it('the CLI adds an adapter to the YAML, keeping its comments, and prints the diff', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'portico-adapter-')), 'portico.config.yaml');
    copyFileSync(path.join(ROOT, 'portico.config.example.yaml'), file);
    const before = readFileSync(file, 'utf8');
    const r = await cli([
      'adapter',
      'add',
      '-f',
      file,
      '--name',
      'openai2',
      '--base-url',
      'https://api.openai.com',
      '-H',
      'Authorization: Bearer ${{ OPENAI_API_TOKEN }}',
      '-H',
      'OpenAI-Organization: ${{ OPENAI_ORG_ID }}',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+  openai2:$/m);
    expect(r.stdout).toMatch(/^\+      Authorization: Bearer \$\{\{ OPENAI_API_TOKEN \}\}$/m);
    expect(r.stderr).toMatch(/Set OPENAI_API_TOKEN, OPENAI_ORG_ID/);
    const after = readFileSync(file, 'utf8');
    // Every original line is still there, comments and alignment included.
    for (const line of before.split('\n')) expect(after).toContain(line);
    const again = await cli([
      'adapter',
      'add',
      '-f',
      file,
      '--name',
      'openai2',
      '--base-url',
      'https://api.openai.com',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has an adapter "openai2"/);
    writeFileSync(file, 'not: [valid');
    expect(
      (await cli(['adapter', 'add', '-f', file, '--name', 'x', '--base-url', 'https://x.example'])).code,
    ).toBe(1);
  });
});

describe('OpenAPI document at /api/openapi.json', () => {
  let doc: OpenAPIV3_1.Document;
  beforeAll(async () => {
    const res = await fetch(`${h.base}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as OpenAPIV3_1.Document;
  });

  it('is a valid OpenAPI 3.1 document covering every public endpoint', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths ?? {});
    for (const p of [
      '/api/public/oai/openai/deployments/{deployment}/chat/completions',
      '/api/public/oai/v1/chat/completions',
      '/api/public/oai/v1/models',
      '/api/public/oai/openai/v1/responses',
      '/v1/chat/completions',
      '/api/public/http/{adapter}/{path}',
      '/api/public/v1/phi/deidentify',
      '/api/public/v1/usage',
      '/api/public/v1/whoami',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('every documented endpoint answers as documented', async () => {
    for (const [p, item] of Object.entries(doc.paths ?? {})) {
      for (const method of ['get', 'post'] as const) {
        const op = item?.[method] as OpenAPIV3_1.OperationObject | undefined;
        // Pass-through answers are the upstream's own (checked in the adapter tests above).
        // Multipart uploads are exercised in clients.test.ts.
        if (
          !op ||
          (p.startsWith('/api/public/http/') && method !== 'get') ||
          p.endsWith('/audio/transcriptions')
        )
          continue;
        const media = p.includes('/images/')
          ? 'dall-e-3'
          : p.includes('/audio/')
            ? 'tts-1'
            : 'gpt-4o-mini-2024-07-18';
        const url = p
          .replace('{deployment}', media)
          .replace('{model}', media)
          .replace('{adapter}', 'openai')
          .replace('{path}', 'v1/models');
        const json = (op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content[
          'application/json'
        ];
        const example =
          (json?.schema as { example?: unknown; $ref?: string } | undefined)?.example ??
          resolveExample(doc, json?.schema);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'api-key': key,
          'x-compliantchatgpt-key': key,
        };
        const init: RequestInit = {
          method: method.toUpperCase(),
          headers,
          body: method === 'post' ? JSON.stringify(example ?? {}) : undefined,
        };
        const res = await fetch(`${h.base}${url}`, init);
        const documented = Object.keys(op.responses ?? {});
        expect(documented, `${method} ${p} answered ${res.status}`).toContain(String(res.status));
        expect(res.status, `${method} ${p}`).toBe(200);
        const unauth = await fetch(`${h.base}${url}`, {
          ...init,
          headers: { 'content-type': 'application/json' },
        });
        if (op.security?.length) {
          expect(unauth.status, `${method} ${p} without a key`).toBe(401);
          const { error } = (await unauth.json()) as { error: Record<string, unknown> };
          expect(error).toEqual(
            expect.objectContaining({
              message: expect.any(String),
              type: expect.any(String),
              code: expect.any(String),
              param: null,
            }),
          );
          // The documented 401 examples include what a keyless call really gets.
          expect(exampleErrors(op, '401').map((e) => e.code)).toContain(error.code);
        } else await unauth.arrayBuffer();
      }
    }
  });

  it('error examples are what each status really answers, and Authorize says which scheme to fill', () => {
    const chat = doc.paths?.['/api/public/oai/v1/chat/completions']?.post as OpenAPIV3_1.OperationObject;
    const codes = (status: string) => exampleErrors(chat, status).map((e) => e.code);
    expect(codes('401')).toEqual(['missing_api_key', 'invalid_api_key', 'invalid_api_key']);
    expect(codes('403')).toEqual(['app_not_approved', 'browser_requests_refused']);
    expect(codes('404')).toEqual(['model_not_found']);
    expect(codes('429')).toEqual(['rate_limit_exceeded', 'budget_exceeded']);
    expect(codes('400')).toEqual(['invalid_request', 'phi_detected']);
    expect(codes('502')).toEqual(['upstream_unavailable']);
    const schemes = doc.components?.securitySchemes as Record<string, { description: string }>;
    expect(schemes.apiKey!.description).toMatch(/^Use this one/);
    expect(schemes.bearer!.description).toMatch(/either this or apiKey/);
    expect(schemes.compatKey!.description).toMatch(/Only for POST \/v1\/chat\/completions/);
  });

  it('the reference page at /api is served by Portico itself, no CDN', async () => {
    const res = await fetch(`${h.base}/api`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/api/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${h.base}/api/docs/swagger-ui-bundle.js`)).status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });
});

/** The error bodies a response documents as examples for one status. */
function exampleErrors(op: OpenAPIV3_1.OperationObject, status: string): { code: string }[] {
  const res = op.responses?.[status] as OpenAPIV3_1.ResponseObject | undefined;
  const examples = res?.content?.['application/json']?.examples ?? {};
  return Object.values(examples).map((e) => (e as { value: { error: { code: string } } }).value.error);
}

function resolveExample(doc: OpenAPIV3_1.Document, schema: unknown): unknown {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (!ref) return undefined;
  const name = ref.split('/').at(-1)!;
  return (doc.components?.schemas?.[name] as { example?: unknown } | undefined)?.example;
}

describe('browser refusal on every public route', () => {
  it.each([
    '/api/public/oai/v1/models',
    '/v1/chat/completions',
    '/api/public/http/openai/v1/models',
    '/api/public/v1/whoami',
    '/api/public/v1/phi/deidentify',
  ])('%s', async (p) => {
    const res = await fetch(`${h.base}${p}`, {
      method: p.includes('chat') || p.includes('phi') ? 'POST' : 'GET',
      headers: {
        'api-key': key,
        'x-compliantchatgpt-key': key,
        origin: 'https://intranet.example',
        'content-type': 'application/json',
      },
      body:
        p.includes('chat') || p.includes('phi')
          ? '{"text":"x","messages":[{"role":"user","content":"x"}]}'
          : undefined,
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('browser_requests_refused');
    const pre = await fetch(`${h.base}${p}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://intranet.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(403);
  });
});
