import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import OpenAI, { toFile } from 'openai';
import { generateText, streamText, tool } from 'ai';
import { createAzure } from '@ai-sdk/azure';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';
import { startHarness, type Harness } from './support/portico';
import { seedApp, usageFor } from './support/seed';

const MODEL = 'gpt-4o-mini-2024-07-18';
const PHI = 'Summarise the visit of Maria Gonzalez (MRN 00912345) on 7/22/2024; call her at 413-555-0142.';
const PHI_VALUES = ['Maria Gonzalez', '00912345', '7/22/2024', '413-555-0142'];
let h: Harness;
let key: string;
let mediaKey: string;
let mediaAppId: string;
let plainKey: string;

beforeAll(async () => {
  h = await startHarness();
  key = (await seedApp({ models: [MODEL, 'text-embedding-3-small'] })).key!;
  const media = await seedApp({
    models: [MODEL, 'dall-e-3', 'whisper-1', 'tts-1'],
    allowImages: true,
    allowAudio: true,
  });
  mediaKey = media.key!;
  mediaAppId = media.app.id;
  plainKey = (await seedApp({ models: [MODEL, 'dall-e-3', 'whisper-1', 'tts-1'] })).key!;
});
afterAll(async () => h?.close());
beforeEach(() => h.upstream.reset());

const lastPath = () => h.upstream.received.at(-1)!.path;
const noPhiUpstream = () => {
  for (const r of h.upstream.received) for (const v of PHI_VALUES) expect(r.raw).not.toContain(v);
};

describe('Vercel AI SDK: @ai-sdk/azure', () => {
  const azure = () => createAzure({ baseURL: `${h.base}/api/public/oai/openai`, apiKey: key });

  it('default model (Responses API on the bare /openai/ route)', async () => {
    const { text, usage } = await generateText({
      model: azure()(MODEL),
      prompt: 'responses through the AI SDK',
    });
    expect(text).toBe('responses through the AI SDK');
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(lastPath()).toBe('/v1/responses');
  });

  it('.chat() uses chat completions', async () => {
    const { text } = await generateText({ model: azure().chat(MODEL), prompt: 'chat through the AI SDK' });
    expect(text).toBe('chat through the AI SDK');
    expect(lastPath()).toBe('/v1/chat/completions');
  });

  it('streamText streams deltas, PHI restored', async () => {
    const result = streamText({ model: azure()(MODEL), prompt: PHI });
    const parts: string[] = [];
    for await (const delta of result.textStream) parts.push(delta);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.join('')).toBe(PHI);
    noPhiUpstream();
  });

  it('a tool call (Responses API)', async () => {
    const { toolCalls } = await generateText({
      model: azure()(MODEL),
      prompt: 'ibuprofen',
      tools: { lookup: tool({ description: 'look a drug up', inputSchema: z.object({ drug: z.string() }) }) },
    });
    expect(toolCalls[0]).toMatchObject({ toolName: 'lookup', input: { drug: 'ibuprofen' } });
  });

  it('useDeploymentBasedUrls: /openai/deployments/<d>/responses?api-version=…', async () => {
    const dep = createAzure({
      baseURL: `${h.base}/api/public/oai/openai`,
      apiKey: key,
      useDeploymentBasedUrls: true,
      apiVersion: '2025-04-01-preview',
    });
    const { text } = await generateText({ model: dep(MODEL), prompt: PHI });
    expect(text).toBe(PHI);
    noPhiUpstream();
  });
});

describe('@ai-sdk/openai with a base URL', () => {
  it('responses and chat', async () => {
    const openai = createOpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: key });
    expect((await generateText({ model: openai(MODEL), prompt: 'openai provider' })).text).toBe(
      'openai provider',
    );
    expect((await generateText({ model: openai.chat(MODEL), prompt: 'openai chat' })).text).toBe(
      'openai chat',
    );
  });
});

describe('openai SDK OpenAI client on the Azure v1 base URL', () => {
  const client = () =>
    new OpenAI({ baseURL: `${h.base}/api/public/oai/openai/v1`, apiKey: key, maxRetries: 0 });

  it('chat, responses (PHI round trip, streamed and not), embeddings, models', async () => {
    const c = client();
    expect(
      (await c.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'v1 chat' }] }))
        .choices[0]!.message.content,
    ).toBe('v1 chat');
    expect((await c.responses.create({ model: MODEL, input: PHI })).output_text).toBe(PHI);
    let streamed = '';
    for await (const ev of await c.responses.create({ model: MODEL, input: PHI, stream: true }))
      if (ev.type === 'response.output_text.delta') streamed += ev.delta;
    expect(streamed).toBe(PHI);
    noPhiUpstream();
    expect((await c.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).data).toHaveLength(1);
    expect((await c.models.list()).data.map((m) => m.id).sort()).toEqual([MODEL, 'text-embedding-3-small']);
  });
});

describe('images and audio, under policy', () => {
  const client = (k: string) =>
    new OpenAI({ baseURL: `${h.base}/api/public/oai/v1`, apiKey: k, maxRetries: 0 });
  const audio = () => toFile(Buffer.alloc(48_000, 1), 'note.wav', { type: 'audio/wav' });

  it('an image and a transcription for an app allowed them, metered by images and seconds', async () => {
    const img = await client(mediaKey).images.generate({
      model: 'dall-e-3',
      prompt: 'a diagram of the heart for Maria Gonzalez',
      n: 2,
    });
    expect(img.data).toHaveLength(2);
    expect(h.upstream.received.at(-1)!.raw).not.toContain('Maria Gonzalez');
    const t = await client(mediaKey).audio.transcriptions.create({
      model: 'whisper-1',
      file: await audio(),
      prompt: 'Dictation for patient Maria Gonzalez',
    });
    expect(t.text).toMatch(/48000 bytes of audio/);
    const up = h.upstream.received.at(-1)!;
    expect(up.path).toBe('/v1/audio/transcriptions');
    expect(up.raw).not.toContain('Maria Gonzalez');
    const speech = await client(mediaKey).audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Take one tablet twice a day.',
    });
    const bytes = Buffer.from(await speech.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    await h.portico.usage.flush();
    const events = (await usageFor(mediaAppId)).filter((e) => e.unit);
    expect(events.map((e) => [e.operation, e.unit, e.units])).toEqual([
      ['images', 'images', 2],
      ['transcriptions', 'seconds', 3],
      ['speech', 'characters', 28],
    ]);
    expect(events[0]!.costUsd).toBeCloseTo(0.08, 10);
    expect(events[1]!.costUsd).toBeCloseTo((3 / 60) * 0.006, 10);
    expect(events[2]!.costUsd).toBeCloseTo((28 * 15) / 1e6, 10);
  });

  it('refused with 403 in OpenAI’s shape for an app not allowed them', async () => {
    const img = (await client(plainKey)
      .images.generate({ model: 'dall-e-3', prompt: 'x' })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(img).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(img.code).toBe('images_not_allowed');
    expect(img.message).toMatch(/cannot be scrubbed/);
    const tr = (await client(plainKey)
      .audio.transcriptions.create({ model: 'whisper-1', file: await audio() })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(tr).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(tr.code).toBe('audio_not_allowed');
    expect(h.upstream.received).toHaveLength(0);
  });

  it('an image prompt with PHI is refused (400, types named) for an app whose policy blocks PHI; a clean one passes', async () => {
    const blockKey = (await seedApp({ models: ['dall-e-3'], allowImages: true, phiPolicy: 'block' })).key!;
    const err = (await client(blockKey)
      .images.generate({ model: 'dall-e-3', prompt: 'a get-well card for Maria Gonzalez, MRN 00912345' })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.code).toBe('phi_detected');
    expect(err.message).toMatch(/MRN.*NAME/);
    expect(h.upstream.received).toHaveLength(0);
    expect(
      (await client(blockKey).images.generate({ model: 'dall-e-3', prompt: 'a diagram of the heart' })).data,
    ).toHaveLength(1);
  });

  it('Azure deployment routes for audio, and 413 past the upload limit', async () => {
    const res = await fetch(
      `${h.base}/api/public/oai/openai/deployments/tts-1/audio/speech?api-version=2025-01-01-preview`,
      {
        method: 'POST',
        headers: { 'api-key': mediaKey, 'content-type': 'application/json' },
        body: JSON.stringify({ input: 'hello', voice: 'alloy' }),
      },
    );
    expect(res.status).toBe(200);
    const big = new FormData();
    big.set('model', 'whisper-1');
    big.set('file', new Blob([new Uint8Array(26 * 1024 * 1024)]), 'big.wav');
    const tooBig = await fetch(`${h.base}/api/public/oai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'api-key': mediaKey },
      body: big,
    });
    expect(tooBig.status).toBe(413);
  });

  it('an upload streamed without a length is cut off with 413 once it passes the limit; a malformed one is a 400', async () => {
    const boundary = 'portico-test-boundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
    async function* chunks() {
      yield new TextEncoder().encode(head);
      for (let i = 0; i < 30; i++) yield new Uint8Array(1024 * 1024); // 30 MB, past the 25 MB default
      yield new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    }
    const res = await fetch(`${h.base}/api/public/oai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'api-key': mediaKey, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.toWeb(Readable.from(chunks())),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    expect(h.upstream.received).toHaveLength(0);

    const bad = await fetch(`${h.base}/api/public/oai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'api-key': mediaKey, 'content-type': 'multipart/form-data' },
      body: 'not multipart',
    });
    expect(bad.status).toBe(400);
    const longPrompt = new FormData();
    longPrompt.set('model', 'whisper-1');
    longPrompt.set('prompt', 'x'.repeat(40_000));
    longPrompt.set('file', new Blob([new Uint8Array(1000)]), 'a.wav');
    const tooLong = await fetch(`${h.base}/api/public/oai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'api-key': mediaKey },
      body: longPrompt,
    });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: { param: string } }).error.param).toBe('prompt');
    expect(h.upstream.received).toHaveLength(0);
    const noFile = new FormData();
    noFile.set('model', 'whisper-1');
    const missing = await fetch(`${h.base}/api/public/oai/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { 'api-key': mediaKey },
      body: noFile,
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('file');
  });
});
