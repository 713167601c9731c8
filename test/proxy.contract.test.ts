import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { AzureOpenAI } from 'openai';
import { AzureChatOpenAI } from '@langchain/openai';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { startHarness, UPSTREAM_KEY, type Harness } from './support/portico';
import { seedApp, usageFor } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
const API_VERSION = '2025-01-01-preview';

let h: Harness;
let key: string;
let appId: string;

beforeAll(async () => {
  h = await startHarness();
  const s = await seedApp({ models: [MODEL, 'azure-gpt-4o', 'text-embedding-3-small'], phiPolicy: 'off' });
  key = s.key!;
  appId = s.app.id;
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

/** The guide's client: AzureOpenAI with the endpoint, api version and deployment. */
const azure = (apiKey = key, deployment = MODEL) =>
  new AzureOpenAI({
    endpoint: `${h.base}/api/public/oai`,
    apiKey,
    apiVersion: API_VERSION,
    deployment,
    maxRetries: 0,
  });
const openai = (apiKey = key) =>
  new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey, maxRetries: 0 });

describe('AzureOpenAI (openai npm SDK) against the Azure-style routes', () => {
  it('answers a chat completion, with upstream credentials injected and the upstream model name', async () => {
    const res = await azure().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Tell me a joke' }],
    });
    expect(res.choices[0]?.message.content).toBe('Tell me a joke');
    expect(res.usage?.total_tokens).toBeGreaterThan(0);
    const got = h.upstream.received.at(-1)!;
    expect(got.path).toBe('/v1/chat/completions');
    expect(got.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(got.headers['api-key']).toBeUndefined();
    expect(got.body?.model).toBe('gpt-4o-mini');
  });

  it('runs the guide’s Node sample unchanged but for URL and key (baseURL …/openai, model in create)', async () => {
    const client = new AzureOpenAI({
      baseURL: `${h.base}/api/public/oai` + '/openai',
      apiKey: key,
      apiVersion: API_VERSION,
      maxRetries: 0,
    });
    const response = await client.chat.completions.create({
      messages: [{ role: 'user', content: 'Tell me a joke' }],
      model: MODEL,
    });
    expect(response.choices[0]?.message.content).toBe('Tell me a joke');
  });

  it('streams chunk by chunk and hides the usage chunk Portico asked for', async () => {
    const stream = await azure().chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'Count slowly to twenty, please' }],
    });
    const deltas: string[] = [];
    let sawUsage = false;
    for await (const chunk of stream) {
      if (chunk.usage) sawUsage = true;
      const d = chunk.choices[0]?.delta.content;
      if (d) deltas.push(d);
    }
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe('Count slowly to twenty, please');
    expect(sawUsage).toBe(false);
    expect(h.upstream.received.at(-1)!.body?.stream_options).toEqual({ include_usage: true });
  });

  it('passes the usage chunk to a client that asked for it, and meters the stream', async () => {
    const stream = await azure().chat.completions.create({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'metered stream' }],
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    await h.portico.usage.flush();
    const events = await usageFor(appId);
    const last = events.filter((e) => e.streamed).at(-1)!;
    expect(last.completionTokens).toBe(usage!.completion_tokens);
    expect(last.costUsd).toBeCloseTo(
      (usage!.prompt_tokens * 0.15 + usage!.completion_tokens * 0.6) / 1e6,
      12,
    );
  });

  it('returns tool calls, plain and streamed, and passes unknown fields through', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const res = await azure().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Paris' }],
      tools,
      response_format: { type: 'text' },
      seed: 7,
    });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    const sent = h.upstream.received.at(-1)!.body!;
    expect(sent.tools).toEqual(tools);
    expect(sent.response_format).toEqual({ type: 'text' });
    expect(sent.seed).toBe(7);

    const stream = await azure().chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'Rome' }],
      tools,
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      const tc = chunk.choices[0]?.delta.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      if (tc?.function?.arguments) args += tc.function.arguments;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Rome' });
  });

  it('forwards the client api-version to an Azure upstream with its deployment and api-key', async () => {
    const res = await azure(key, 'azure-gpt-4o').chat.completions.create({
      model: 'azure-gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.choices[0]?.message.content).toBe('hi');
    const got = h.upstream.received.at(-1)!;
    expect(got.path).toBe(`/openai/deployments/prod-gpt-4o/chat/completions?api-version=${API_VERSION}`);
    expect(got.headers['api-key']).toBe(UPSTREAM_KEY);
  });

  it('creates embeddings (the SDK asks for base64 and decodes it)', async () => {
    const res = await azure(key, 'text-embedding-3-small').embeddings.create({
      model: 'text-embedding-3-small',
      input: ['alpha', 'beta'],
    });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]!.embedding.length).toBeGreaterThan(8);
    expect(res.data[0]!.embedding).not.toEqual(res.data[1]!.embedding);
  });
});

describe('OpenAI client with a base URL', () => {
  it('chat, responses and embeddings', async () => {
    const chat = await openai().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(chat.choices[0]?.message.content).toBe('hello there');
    const r = await openai().responses.create({ model: MODEL, input: 'responses api' });
    expect(r.output_text).toBe('responses api');
    const e = await openai().embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(e.data).toHaveLength(1);
  });

  it('lists only the models this app was approved for', async () => {
    const narrow = await seedApp({ models: ['text-embedding-3-small'] });
    const list = await openai(narrow.key).models.list();
    expect(list.data.map((m) => m.id)).toEqual(['text-embedding-3-small']);
  });
});

describe('errors reach the SDK as the right exception, in OpenAI’s shape', () => {
  it('401 for a missing, unknown or revoked key', async () => {
    await expect(
      azure('ptc_' + 'x'.repeat(43)).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    const res = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatchObject({
      code: 'missing_api_key',
      type: 'authentication_error',
      param: null,
    });
  });

  it('403 for an app that is not approved', async () => {
    const pending = await seedApp({ models: [MODEL] });
    const { db } = await import('../lib/db');
    await db().app.update({ where: { id: pending.app.id }, data: { status: 'suspended' } });
    const { publishInvalidation } = await import('../lib/events/publish');
    await publishInvalidation({ appId: pending.app.id });
    await expect(
      azure(pending.key).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it('404 model_not_found for a model the app may not use', async () => {
    const narrow = await seedApp({ models: ['text-embedding-3-small'] });
    const err = await azure(narrow.key)
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    await expect(
      openai().chat.completions.create({
        model: 'no-such-model',
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('400 for malformed JSON and missing fields', async () => {
    const post = (body: string) =>
      fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'api-key': key },
      });
    const bad = await post('{"model":');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/not valid JSON/);
    const missing = await post(JSON.stringify({ model: MODEL }));
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.param).toBe('messages');
    await expect(openai().chat.completions.create({ model: MODEL, messages: [] })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it('429 from the upstream passes on with Retry-After', async () => {
    h.upstream.queue({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const err = (await azure()
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get('retry-after')).toBe('7');
  });

  it('502 for upstream 5xx, refused credentials and dropped connections; 504 for a timeout; never a stack trace', async () => {
    h.upstream.queue({ kind: 'status', status: 503 });
    await expect(
      azure().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 502, code: 'upstream_error' });
    h.upstream.queue({ kind: 'status', status: 401 });
    await expect(
      azure().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    h.upstream.queue({ kind: 'reset' });
    await expect(
      azure().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 502, code: 'upstream_unavailable' });
    h.upstream.queue({ kind: 'delay', ms: 4_000 });
    const t0 = Date.now();
    const err = (await azure(key, 'azure-gpt-4o')
      .chat.completions.create({ model: 'azure-gpt-4o', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as { status: number; message: string };
    expect(err.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(3_900);
    expect(err.message).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a browser (Origin header or CORS preflight) with 403 and a reason', async () => {
    const res = await fetch(`${h.base}/api/public/oai/v1/models`, {
      headers: { 'api-key': key, origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/backend/);
    const pre = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('LangChain AzureChatOpenAI', () => {
  const model = () =>
    new AzureChatOpenAI({
      azureOpenAIEndpoint: `${h.base}/api/public/oai`,
      azureOpenAIApiKey: key,
      azureOpenAIApiDeploymentName: MODEL,
      azureOpenAIApiVersion: API_VERSION,
      maxRetries: 0,
    });

  it('invokes the guide’s translation sample', async () => {
    const res = await model().invoke([
      new SystemMessage('Translate the following from English into Italian'),
      new HumanMessage('hi!'),
    ]);
    expect(res.content).toBe('hi!');
    expect(h.upstream.received.at(-1)!.path).toBe('/v1/chat/completions');
  });

  it('streams and calls tools', async () => {
    let text = '';
    for await (const chunk of await model().stream('stream through langchain')) text += String(chunk.content);
    expect(text).toBe('stream through langchain');
    const withTools = model().bindTools([
      { name: 'lookup', description: 'look a term up', schema: z.object({ term: z.string() }) },
    ]);
    const res = await withTools.invoke('aspirin');
    expect(res.tool_calls?.[0]).toMatchObject({ name: 'lookup', args: { term: 'aspirin' } });
  });
});

describe('metering and lifecycle', () => {
  it('records one usage event per request, failed or not, without content', async () => {
    const s = await seedApp({ models: [MODEL] });
    await azure(s.key).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'one' }],
    });
    h.upstream.queue({ kind: 'status', status: 500 });
    await azure(s.key)
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'two' }] })
      .catch(() => {});
    const stream = await azure(s.key).chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'three' }],
    });
    for await (const _ of stream) void _;
    await h.portico.usage.flush();
    const events = await usageFor(s.app.id);
    expect(events.map((e) => [e.status, e.streamed])).toEqual([
      [200, false],
      [502, false],
      [200, true],
    ]);
    expect(events[0]!.promptTokens).toBeGreaterThan(0);
    expect(JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(
      /"(one|two|three)"/,
    );
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    h.upstream.queue({ kind: 'slow-stream', chunkDelayMs: 100 });
    const ac = new AbortController();
    const stream = await azure().chat.completions.create(
      {
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: 'a long answer that streams slowly to the client' }],
      },
      { signal: ac.signal },
    );
    let n = 0;
    await (async () => {
      for await (const _ of stream) if (++n === 2) ac.abort();
    })().catch(() => {});
    expect(n).toBe(2);
    await expect.poll(() => h.upstream.aborted, { timeout: 3_000 }).toBe(1);
  });

  it('refuses a revoked key at once on this instance', async () => {
    const s = await seedApp({ models: [MODEL] });
    await azure(s.key).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'ok' }] });
    const { revokeKey } = await import('../lib/keys/manage');
    const { SYSTEM } = await import('../lib/audit');
    await revokeKey({ keyId: s.keyId!, actor: SYSTEM });
    await expect(
      azure(s.key).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 401 });
  });
});
