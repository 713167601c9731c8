// The openai-node helpers that rebuild an answer from the whole event sequence, through Portico and the test
// upstream (which streams every event a real one sends): responses.stream(), chat.completions.stream(), and
// models.retrieve() on the OpenAI and Azure v1 routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
let h: Harness;
let client: OpenAI;
let azureV1: OpenAI;
beforeAll(async () => {
  h = await startHarness();
  const key = (await seedApp({ models: [MODEL] })).key!;
  client = new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: key, maxRetries: 0 });
  azureV1 = new OpenAI({ baseURL: `${h.base}/api/public/oai/openai/v1`, apiKey: key, maxRetries: 0 });
});
afterAll(async () => h?.close());

describe('openai-node stream helpers through Portico', () => {
  it('responses.stream(): text deltas and the final response, PHI restored', async () => {
    const prompt = 'Summarize the visit of Dr. Alice Smith with John Doe on 3/14/2024.';
    const stream = client.responses.stream({ model: MODEL, input: prompt });
    let text = '';
    stream.on('response.output_text.delta', (e) => (text += e.delta));
    const final = await stream.finalResponse();
    expect(text).toBe(prompt);
    expect(final.output_text).toBe(prompt);
    expect(final.status).toBe('completed');
    expect(h.upstream.received.at(-1)?.raw).not.toContain('John Doe');
  });

  it('responses.stream() with a tool: the function call and its arguments', async () => {
    const stream = client.responses.stream({
      model: MODEL,
      input: 'Call the tool for Maria Lopez.',
      tools: [
        {
          type: 'function',
          name: 'lookup',
          strict: false,
          parameters: { type: 'object', properties: { who: { type: 'string' } } },
        },
      ],
    });
    const final = await stream.finalResponse();
    const call = final.output.find((o) => o.type === 'function_call');
    expect(call?.type === 'function_call' && JSON.parse(call.arguments)).toEqual({
      who: 'Call the tool for Maria Lopez.',
    });
  });

  it('chat.completions.stream(): content deltas, the final completion and the usage asked for', async () => {
    const prompt = 'Patient Jane Roe, MRN 4829301, asks about her labs.';
    const stream = client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: prompt }],
      stream_options: { include_usage: true },
    });
    let text = '';
    stream.on('content', (delta) => (text += delta));
    const final = await stream.finalChatCompletion();
    expect(text).toBe(prompt);
    expect(final.choices[0]?.message.content).toBe(prompt);
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
  });
});

describe('models.retrieve()', () => {
  it("answers for the app's models on the OpenAI and Azure v1 routes, 404 for any other", async () => {
    expect((await client.models.retrieve(MODEL)).id).toBe(MODEL);
    expect((await azureV1.models.retrieve(MODEL)).id).toBe(MODEL);
    const err = await client.models.retrieve('gpt-4o-2024-05-13').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
