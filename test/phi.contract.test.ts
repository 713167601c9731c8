import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { AzureOpenAI } from 'openai';
import { AzureChatOpenAI } from '@langchain/openai';
import { startHarness, type Harness } from './support/portico';
import { seedApp, usageFor } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
const PROMPT =
  'Patient John Doe (MRN 4829301, DOB 03/14/1952) called from 617-555-0199 about his results; email john.doe@example.com, SSN 123-45-6789. Seen by Dr. Alice Smith on Nov 3rd.';
const VALUES = [
  'John Doe',
  '4829301',
  '03/14/1952',
  '617-555-0199',
  'john.doe@example.com',
  '123-45-6789',
  'Alice Smith',
  'Nov 3rd',
];
const CLEAN =
  'What is the usual starting dose of metformin for a 54 year old with type 2 diabetes and an eGFR of 45?';

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
  new AzureOpenAI({
    endpoint: `${h.base}/api/public/oai`,
    apiKey: keys[policy].key,
    apiVersion: '2025-01-01-preview',
    deployment: MODEL,
    maxRetries: 0,
  });
const openai = (policy: keyof typeof keys) =>
  new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: keys[policy].key, maxRetries: 0 });

/** Nothing the upstream received contains a PHI value from the prompt. */
function expectUpstreamSawNoPhi() {
  expect(h.upstream.received.length).toBeGreaterThan(0);
  for (const r of h.upstream.received) for (const v of VALUES) expect(r.raw).not.toContain(v);
}

describe('policy scrub: tokens out, original values back', () => {
  it('chat completion, with the entity count in a header', async () => {
    const { data, response } = await azure('scrub')
      .chat.completions.create({
        model: MODEL,
        messages: [
          { role: 'system', content: 'You are a clinical assistant.' },
          { role: 'user', content: PROMPT },
        ],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(PROMPT);
    expectUpstreamSawNoPhi();
    expect(h.upstream.received[0]!.raw).toMatch(/\[NAME_1\]/);
    expect(Number(response.headers.get('x-portico-phi-entities'))).toBeGreaterThanOrEqual(VALUES.length);
  });

  it('streamed chat, restored chunk by chunk', async () => {
    const stream = await azure('scrub').chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: PROMPT }],
    });
    const deltas: string[] = [];
    for await (const c of stream) if (c.choices[0]?.delta.content) deltas.push(c.choices[0].delta.content);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(PROMPT);
    for (const d of deltas) expect(d).not.toMatch(/\[(NAME|MRN|DATE|PHONE|EMAIL|SSN)_\d+\]/);
    expectUpstreamSawNoPhi();
  });

  it('tool-call arguments, plain and streamed, restored inside the JSON', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'file_note',
          parameters: { type: 'object', properties: { note: { type: 'string' } } },
        },
      },
    ];
    const res = await azure('scrub').chat.completions.create({
      model: MODEL,
      tools,
      messages: [{ role: 'user', content: PROMPT }],
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ note: PROMPT });
    const stream = await azure('scrub').chat.completions.create({
      model: MODEL,
      tools,
      stream: true,
      messages: [{ role: 'user', content: PROMPT }],
    });
    let args = '';
    for await (const c of stream) args += c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    expect(JSON.parse(args)).toEqual({ note: PROMPT });
    expectUpstreamSawNoPhi();
  });

  it('Responses API, plain and streamed', async () => {
    const r = await openai('scrub').responses.create({
      model: MODEL,
      instructions: 'Summarise for Dr. Alice Smith.',
      input: PROMPT,
    });
    expect(r.output_text).toBe(PROMPT);
    const stream = await openai('scrub').responses.create({
      model: MODEL,
      input: [{ role: 'user', content: PROMPT }],
      stream: true,
    });
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
    for await (const c of await azure('scrub').completions.create({
      model: MODEL,
      prompt: PROMPT,
      stream: true,
    }))
      streamed += c.choices[0]?.text ?? '';
    expect(streamed).toBe(PROMPT);
    expect(h.upstream.received.map((r) => r.path.split('?')[0])).toEqual([
      '/v1/completions',
      '/v1/completions',
    ]);
    expectUpstreamSawNoPhi();
  });

  it('embeddings input is scrubbed', async () => {
    await openai('scrub').embeddings.create({ model: 'text-embedding-3-small', input: [PROMPT, CLEAN] });
    expectUpstreamSawNoPhi();
  });

  it('LangChain streaming gets the original values back', async () => {
    const model = new AzureChatOpenAI({
      azureOpenAIEndpoint: `${h.base}/api/public/oai`,
      azureOpenAIApiKey: keys.scrub.key,
      azureOpenAIApiDeploymentName: MODEL,
      azureOpenAIApiVersion: '2025-01-01-preview',
      maxRetries: 0,
    });
    let text = '';
    for await (const c of await model.stream(PROMPT)) text += String(c.content);
    expect(text).toBe(PROMPT);
    expectUpstreamSawNoPhi();
  });

  it('a PHI-free clinical question reaches the upstream byte for byte', async () => {
    const { response } = await azure('scrub')
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: CLEAN }] })
      .withResponse();
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
    const res = await azure('redact').chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: PROMPT }],
    });
    const content = res.choices[0]!.message.content!;
    expect(content).toMatch(/\[NAME_1\]/);
    for (const v of VALUES) expect(content).not.toContain(v);
    expectUpstreamSawNoPhi();
  });

  it('block: 400 naming the types found, nothing sent upstream', async () => {
    const err = (await azure('block')
      .chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('phi_detected');
    expect(err.message).toMatch(/EMAIL.*NAME.*SSN/);
    for (const v of VALUES) expect(err.message).not.toContain(v);
    expect(h.upstream.received).toHaveLength(0);
    const ok = await azure('block').chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: CLEAN }],
    });
    expect(ok.choices[0]!.message.content).toBe(CLEAN);
  });
});

describe('every field that goes upstream', () => {
  // PHI only outside the message text: the end user, metadata, a tool's and a parameter's description,
  // the output schema, predicted content.
  const side = {
    user: 'a.b@example.org',
    metadata: { patient_name: 'Dana Kowalczyk', ward: 'MRN 4829301' },
    tools: [
      {
        type: 'function' as const,
        function: {
          name: 'file_note',
          description: 'Files a note for John Doe in the chart.',
          parameters: {
            type: 'object',
            properties: { note: { type: 'string', description: 'Note about Dr. Alice Smith, 617-555-0199' } },
          },
        },
      },
    ],
    response_format: {
      type: 'json_schema' as const,
      json_schema: {
        name: 'summary',
        description: 'Summary for john.doe@example.com',
        schema: { type: 'object', properties: { s: { type: 'string' } } },
      },
    },
    prediction: { type: 'content' as const, content: 'SSN 123-45-6789' },
  };
  const SIDE_VALUES = [
    'a.b@example.org',
    'Dana Kowalczyk',
    '4829301',
    'John Doe',
    'Alice Smith',
    '617-555-0199',
    'john.doe@example.com',
    '123-45-6789',
  ];

  it('redact: none of it reaches the upstream, and the structure stays', async () => {
    await openai('redact').chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: CLEAN }],
      ...side,
    });
    expect(h.upstream.received).toHaveLength(1);
    const raw = h.upstream.received[0]!.raw;
    for (const v of SIDE_VALUES) expect(raw).not.toContain(v);
    const sent = JSON.parse(raw) as {
      tools: { function: { name: string } }[];
      metadata: Record<string, string>;
      user: string;
    };
    expect(sent.tools[0]!.function.name).toBe('file_note');
    expect(Object.keys(sent.metadata)).toEqual(['patient_name', 'ward']);
    expect(sent.metadata.patient_name).toMatch(/^\[NAME_\d+\]$/);
    expect(sent.user).toMatch(/^\[EMAIL_\d+\]$/);
  });

  it('block: refused, nothing sent', async () => {
    const err = (await openai('block')
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: CLEAN }],
        user: side.user,
        tools: side.tools,
      })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('phi_detected');
    expect(h.upstream.received).toHaveLength(0);
  });

  it('Responses: instructions, items of every type and the output format are scrubbed', async () => {
    await openai('redact').responses.create({
      model: MODEL,
      instructions: 'Answer for Dr. Alice Smith.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: CLEAN }] },
        { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{"patient":"John Doe"}' },
        { type: 'function_call_output', call_id: 'c1', output: 'Phone 617-555-0199' },
      ],
      metadata: { contact: 'john.doe@example.com' },
      text: {
        format: {
          type: 'json_schema',
          name: 'out',
          description: 'For SSN 123-45-6789',
          schema: { type: 'object', properties: {} },
        },
      },
    });
    const raw = h.upstream.received[0]!.raw;
    for (const v of ['Alice Smith', 'John Doe', '617-555-0199', 'john.doe@example.com', '123-45-6789'])
      expect(raw).not.toContain(v);
    expect(raw).toContain('"name":"lookup"');
  });

  it('images, audio and files are refused unless the app was enabled for them', async () => {
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
    const err = (await openai('scrub')
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: [{ type: 'text', text: CLEAN }, image] }],
      })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.code).toBe('images_not_allowed');
    expect(err.param).toBe('messages[0].content[1]');
    const audio = (await openai('scrub')
      .responses.create({
        model: MODEL,
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_file', filename: 'labs.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
            ],
          },
        ],
      })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(audio).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(h.upstream.received).toHaveLength(0);
    const media = await seedApp({ models: [MODEL], phiPolicy: 'redact', allowImages: true });
    const ok = await new OpenAI({
      baseURL: `${h.base}/api/public/oai/v1`,
      apiKey: media.key!,
      maxRetries: 0,
    }).chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: CLEAN }, image] }],
    });
    expect(ok.choices[0]).toBeDefined();
    expect(h.upstream.received).toHaveLength(1);
  });
});
