import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AzureOpenAI } from 'openai';
import { PhiSession, scrubRequestBody } from '../lib/phi';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

// Large requests are scanned for PHI on a worker thread (so that one long chart does not stall the event
// loop for everyone): the result must be exactly what the inline scan gives, through every route that scrubs.
const MODEL = 'gpt-4o-mini-2024-07-18';
const MIN_CHARS = 20_000;
const NOTE =
  'Pt Maria Gonzalez (MRN 00912345, DOB 7/22/1948) seen by Dr. Alan Brooks at Mercy General on 11/3. ' +
  'Daughter Ana Gonzalez at 413-555-0142. HPI: 78F with CHF (EF 35%), AFib on warfarin 5 mg daily, INR 2.4. ' +
  'Labs: Na 134, K 4.1, Cr 1.3, BNP 820. Plan: diurese with IV furosemide 40 mg BID, repeat BMP in AM. ';
const VALUES = ['Maria Gonzalez', '00912345', '7/22/1948', 'Alan Brooks', '413-555-0142'];
const big = NOTE.repeat(Math.ceil((MIN_CHARS * 1.5) / NOTE.length));

let h: Harness;
let key: string;
let blockKey: string;

async function offloaded(): Promise<number> {
  const text = await (await fetch(`${h.base}/metrics`)).text();
  return Number(/^portico_phi_offloaded_total (\d+)/m.exec(text)?.[1] ?? 0);
}

beforeAll(async () => {
  h = await startHarness({ phiWorkers: { threads: 1, minChars: MIN_CHARS } });
  key = (await seedApp({ models: [MODEL], phiPolicy: 'scrub', allowedAdapters: ['openai-phi'] })).key!;
  blockKey = (await seedApp({ models: [MODEL], phiPolicy: 'block' })).key!;
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

describe('PHI scan of large requests on a worker thread', () => {
  it('chat: the upstream gets exactly the inline scrub, the client the original text; small requests stay inline', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are a clinical assistant.' },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          {
            id: 'c1',
            type: 'function' as const,
            function: {
              name: 'lookup',
              arguments: JSON.stringify({ patient_name: 'Maria Gonzalez', mrn: '00912345' }),
            },
          },
        ],
      },
      { role: 'tool' as const, tool_call_id: 'c1', content: 'Found Maria Gonzalez, 413-555-0142.' },
      { role: 'user' as const, content: big },
    ];
    const expected = { messages: structuredClone(messages) as unknown };
    scrubRequestBody('chat', expected as Record<string, unknown>, new PhiSession());

    const before = await offloaded();
    const client = new AzureOpenAI({
      endpoint: `${h.base}/api/public/oai`,
      apiKey: key,
      apiVersion: '2025-01-01-preview',
      deployment: MODEL,
      maxRetries: 0,
    });
    const res = await client.chat.completions.create({ model: MODEL, messages });
    expect(res.choices[0]!.message.content).toBe(big);
    expect(await offloaded()).toBe(before + 1);
    const sent = h.upstream.received[0]!;
    expect(sent.body!.messages).toEqual((expected as { messages: unknown }).messages);
    for (const v of VALUES) expect(sent.raw).not.toContain(v);

    let streamed = '';
    for await (const c of await client.chat.completions.create({ model: MODEL, messages, stream: true }))
      streamed += c.choices[0]?.delta?.content ?? '';
    expect(streamed).toBe(big);
    expect(await offloaded()).toBe(before + 2);

    const small = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: NOTE }],
    });
    expect(small.choices[0]!.message.content).toBe(NOTE);
    expect(await offloaded()).toBe(before + 2);
  });

  it('block policy: a large request with PHI is refused, naming the types, and nothing is sent', async () => {
    const before = await offloaded();
    const res = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': blockKey, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: big }] }),
    });
    expect(res.status).toBe(400);
    const err = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('phi_detected');
    expect(err.message).toMatch(/DATE.*MRN.*NAME.*PHONE/);
    expect(h.upstream.received).toHaveLength(0);
    expect(await offloaded()).toBe(before + 1);
  });

  it('deidentify: the same tokens and offsets as the inline engine', async () => {
    const texts = [big, 'Maria Gonzalez called back.'];
    const session = new PhiSession();
    const expected = texts.map((t) => session.scrub(t));
    const before = await offloaded();
    const res = await fetch(`${h.base}/api/public/v1/phi/deidentify`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ texts }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { text: string }[] };
    expect(body.results.map((r) => r.text)).toEqual(expected);
    expect(await offloaded()).toBe(before + 1);
  });

  it('HTTP adapter with PHI scrubbing: a large JSON body is scrubbed and the answer restored', async () => {
    const before = await offloaded();
    const sent = { model: 'm', messages: [{ role: 'user', content: big }] };
    const session = new PhiSession();
    const expected = { model: 'm', messages: [{ role: 'user', content: session.scrub(big) }] };
    const res = await fetch(`${h.base}/api/public/http/openai-phi/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    ).toBe(big);
    for (const v of VALUES) expect(h.upstream.received[0]!.raw).not.toContain(v);
    // Every string of the JSON is scrubbed in one session, as the inline engine does it.
    expect(h.upstream.received[0]!.body).toEqual(expected);
    expect(await offloaded()).toBe(before + 1);
  });
});
