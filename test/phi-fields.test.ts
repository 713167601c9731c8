import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/portico';
import { seedApp, usageFor } from './support/seed';

// What the default-deny walk means for clients, through the real proxy and SDK: media in any part, item or tool
// follows the app's media setting (and is metered as what it is), every event of a stream comes back restored,
// and the scan is bounded: linear on any input, a clear 413 past what one request may ask to scan.

const MODEL = 'gpt-4o-mini-2024-07-18';
const MAX_CHARS = 600_000;
let h: Harness;
let text: { key: string; appId: string };
let media: { key: string; appId: string };
let redact: { key: string; appId: string };

beforeAll(async () => {
  h = await startHarness({ phiWorkers: { threads: 1, minChars: 32_768, maxChars: MAX_CHARS } });
  const seed = async (o: Parameters<typeof seedApp>[0]) => {
    const s = await seedApp(o);
    return { key: s.key!, appId: s.app.id };
  };
  text = await seed({ models: [MODEL], phiPolicy: 'scrub' });
  media = await seed({ models: [MODEL], phiPolicy: 'scrub', allowImages: true });
  redact = await seed({ models: [MODEL], phiPolicy: 'redact' });
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

const client = (key: string) =>
  new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: key, maxRetries: 0 });

describe('media in any part, item or tool', () => {
  const refused: [string, Record<string, unknown>][] = [
    [
      'a computer-use screenshot',
      {
        input: [
          {
            type: 'computer_call_output',
            call_id: 'call_1',
            output: { type: 'computer_screenshot', image_url: 'data:image/png;base64,AAAA' },
          },
        ],
      },
    ],
    ['the image tool', { input: 'Draw the ward.', tools: [{ type: 'image_generation' }] }],
    [
      'code interpreter',
      { input: 'Plot it.', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] },
    ],
    [
      'a file part',
      { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-abc123def456' }] }] },
    ],
    [
      'an image in a field no one names',
      { input: 'x', attachment: `data:image/jpeg;base64,${'A'.repeat(400)}` },
    ],
  ];
  it.each(refused)(
    '%s is refused for an app without images (403), before anything is sent',
    async (_, body) => {
      const res = await fetch(`${h.base}/api/public/oai/v1/responses`, {
        method: 'POST',
        headers: { 'api-key': text.key, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, ...body }),
      });
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe('images_not_allowed');
      expect(h.upstream.received).toHaveLength(0);
    },
  );

  it('the image tool, for an app with images, is metered as images', async () => {
    const r = await client(media.key).responses.create({
      model: MODEL,
      input: 'Draw a diagram of the heart.',
      tools: [{ type: 'image_generation' }],
    });
    expect(r.output.some((o) => o.type === 'image_generation_call')).toBe(true);
    await expect
      .poll(async () => (await usageFor(media.appId))[0])
      .toMatchObject({ unit: 'images', units: 1 });
  });
});

describe('every event of a stream is restored', () => {
  it('Responses: created and in_progress carry the instructions and metadata as the client sent them', async () => {
    const stream = await client(text.key).responses.create({
      model: MODEL,
      input: 'Summarize the chart.',
      instructions: 'You assist Dr. Alan Brooks with Maria Gonzalez, born 03/04/1961.',
      metadata: { patient: 'Maria Gonzalez' },
      stream: true,
    });
    const seen: Record<string, unknown>[] = [];
    for await (const e of stream) seen.push(e as unknown as Record<string, unknown>);
    const sent = h.upstream.received[0]!.raw;
    expect(sent).not.toContain('Gonzalez');
    const created = seen.find((e) => e.type === 'response.created') as { response: Record<string, unknown> };
    const progress = seen.find((e) => e.type === 'response.in_progress') as {
      response: Record<string, unknown>;
    };
    for (const e of [created, progress]) {
      expect(e.response.instructions).toBe(
        'You assist Dr. Alan Brooks with Maria Gonzalez, born 03/04/1961.',
      );
      expect(e.response.metadata).toEqual({ patient: 'Maria Gonzalez' });
    }
    expect(JSON.stringify(seen)).not.toMatch(/\[(NAME|DATE)_\d+\]/);
  });
});

describe('bounded scanning', () => {
  it('a JSON dump of 20,000 keys after a word is scanned in linear time and answered', async () => {
    const obj: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) obj[`k${i}`] = i;
    const content = `Note: ${JSON.stringify(obj, null, 2)}`;
    expect(content.length).toBeGreaterThan(350_000);
    const res = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': redact.key, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
  });

  it('more text than one request may ask to scan is a 413 naming the limit, and nothing is sent', async () => {
    const res = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': redact.key, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'a '.repeat(MAX_CHARS) }] }),
    });
    expect(res.status).toBe(413);
    const { error } = await res.json();
    expect(error.code).toBe('request_too_large');
    expect(error.message).toContain(String(MAX_CHARS));
    expect(h.upstream.received).toHaveLength(0);
  });
});
