import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { AzureOpenAI } from 'openai';
import { AzureChatOpenAI } from '@langchain/openai';
import { startHarness, type Harness } from './support/portico';
import { seedApp, usageFor } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
const PROMPT =
  'Patient John Doe (MRN 4829301, DOB 03/14/1952) called from 617-555-0199 about his results; email john.doe@example.com, SSN 123-45-6789. Seen by Dr. Alice Smith on Nov 3rd.';
const VALUES = ['John Doe', '4829301', '03/14/1952', '617-555-0199', 'john.doe@example.com', '123-45-6789', 'Alice Smith', 'Nov 3rd'];
const CLEAN = 'What is the usual starting dose of metformin for a 54 year old with type 2 diabetes and an eGFR of 45?';

let h: Harness;
const keys: Record<'scrub' | 'redact' | 'block', { key: string; appId: string }> = {} as never;

beforeAll(async () => {
  h = await startHarness();
  for (const policy of ['scrub', 'redact', 'block'] as const) {
    const s = await seedApp({ models: [MODEL, 'text-embedding-3-small'], phiPolicy: policy });
    keys[policy] = { key: s.key!, appId: s.app.id };
  }
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

const azure = (policy: keyof typeof keys) =>
  new AzureOpenAI({ endpoint: `${h.base}/api/public/oai`, apiKey: keys[policy].key, apiVersion: '2025-01-01-preview', deployment: MODEL, maxRetries: 0 });
const openai = (policy: keyof typeof keys) => new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: keys[policy].key, maxRetries: 0 });

/** Nothing the upstream received contains a PHI value from the prompt. */
function expectUpstreamSawNoPhi() {
  expect(h.upstream.received.length).toBeGreaterThan(0);
  for (const r of h.upstream.received) for (const v of VALUES) expect(r.raw).not.toContain(v);
}

describe('policy scrub: tokens out, original values back', () => {
  it('chat completion, with the entity count in a header', async () => {
    const { data, response } = await azure('scrub')
      .chat.completions.create({ model: MODEL, messages: [{ role: 'system', content: 'You are a clinical assistant.' }, { role: 'user', content: PROMPT }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(PROMPT);
    expectUpstreamSawNoPhi();
    expect(h.upstream.received[0]!.raw).toMatch(/\[NAME_1\]/);
    expect(Number(response.headers.get('x-portico-phi-entities'))).toBeGreaterThanOrEqual(VALUES.length);
  });

  it('streamed chat, restored chunk by chunk', async () => {
    const stream = await azure('scrub').chat.completions.create({ model: MODEL, stream: true, messages: [{ role: 'user', content: PROMPT }] });
    const deltas: string[] = [];
    for await (const c of stream) if (c.choices[0]?.delta.content) deltas.push(c.choices[0].delta.content);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(PROMPT);
    for (const d of deltas) expect(d).not.toMatch(/\[(NAME|MRN|DATE|PHONE|EMAIL|SSN)_\d+\]/);
    expectUpstreamSawNoPhi();
  });

  it('tool-call arguments, plain and streamed, restored inside the JSON', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'file_note', parameters: { type: 'object', properties: { note: { type: 'string' } } } } }];
    const res = await azure('scrub').chat.completions.create({ model: MODEL, tools, messages: [{ role: 'user', content: PROMPT }] });
    const call = res.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ note: PROMPT });
    const stream = await azure('scrub').chat.completions.create({ model: MODEL, tools, stream: true, messages: [{ role: 'user', content: PROMPT }] });
    let args = '';
    for await (const c of stream) args += c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(JSON.parse(args)).toEqual({ note: PROMPT });
    expectUpstreamSawNoPhi();
  });

  it('Responses API, plain and streamed', async () => {
    const r = await openai('scrub').responses.create({ model: MODEL, instructions: 'Summarise for Dr. Alice Smith.', input: PROMPT });
    expect(r.output_text).toBe(PROMPT);
    const stream = await openai('scrub').responses.create({ model: MODEL, input: [{ role: 'user', content: PROMPT }], stream: true });
    let text = '';
    let done = '';
    for await (const ev of stream) {
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') {
        const item = ev.response.output[0];
        const part = item?.type === 'message' ? item.content[0] : undefined;
        done = part?.type === 'output_text' ? part.text : '';
      }
    }
    expect(text).toBe(PROMPT);
    expect(done).toBe(PROMPT);
    expectUpstreamSawNoPhi();
  });

  it('legacy completions on the Azure deployment route: prompt scrubbed, text restored, plain and streamed', async () => {
    const res = await azure('scrub').completions.create({ model: MODEL, prompt: PROMPT, max_tokens: 200 });
    expect(res.choices[0]!.text).toBe(PROMPT);
    let streamed = '';
    for await (const c of await azure('scrub').completions.create({ model: MODEL, prompt: PROMPT, stream: true })) streamed += c.choices[0]?.text ?? '';
    expect(streamed).toBe(PROMPT);
    expect(h.upstream.received.map((r) => r.path.split('?')[0])).toEqual(['/v1/completions', '/v1/completions']);
    expectUpstreamSawNoPhi();
  });

  it('embeddings input is scrubbed', async () => {
    await openai('scrub').embeddings.create({ model: 'text-embedding-3-small', input: [PROMPT, CLEAN] });
    expectUpstreamSawNoPhi();
  });

  it('LangChain streaming gets the original values back', async () => {
    const model = new AzureChatOpenAI({ azureOpenAIEndpoint: `${h.base}/api/public/oai`, azureOpenAIApiKey: keys.scrub.key, azureOpenAIApiDeploymentName: MODEL, azureOpenAIApiVersion: '2025-01-01-preview', maxRetries: 0 });
    let text = '';
    for await (const c of await model.stream(PROMPT)) text += String(c.content);
    expect(text).toBe(PROMPT);
    expectUpstreamSawNoPhi();
  });

  it('a PHI-free clinical question reaches the upstream byte for byte', async () => {
    const { response } = await azure('scrub').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: CLEAN }] }).withResponse();
    expect((h.upstream.received[0]!.body!.messages as { content: string }[])[0]!.content).toBe(CLEAN);
    expect(response.headers.get('x-portico-phi-entities')).toBe('0');
  });

  it('usage records entity counts by type, never values', async () => {
    await h.portico.usage.flush();
    const events = await usageFor(keys.scrub.appId);
    const withPhi = events.filter((e) => e.phiEntities > 0);
    expect(withPhi.length).toBeGreaterThan(0);
    expect(withPhi[0]!.phiCounts).toMatchObject({ NAME: expect.any(Number), SSN: 1, EMAIL: 1 });
    const dump = JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    for (const v of VALUES) expect(dump).not.toContain(v);
  });
});

describe('policy redact and block', () => {
  it('redact: the upstream and the client both see tokens only', async () => {
    const res = await azure('redact').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] });
    const content = res.choices[0]!.message.content!;
    expect(content).toMatch(/\[NAME_1\]/);
    for (const v of VALUES) expect(content).not.toContain(v);
    expectUpstreamSawNoPhi();
  });

  it('block: 400 naming the types found, nothing sent upstream', async () => {
    const err = (await azure('block').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('phi_detected');
    expect(err.message).toMatch(/EMAIL.*NAME.*SSN/);
    for (const v of VALUES) expect(err.message).not.toContain(v);
    expect(h.upstream.received).toHaveLength(0);
    const ok = await azure('block').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: CLEAN }] });
    expect(ok.choices[0]!.message.content).toBe(CLEAN);
  });
});
