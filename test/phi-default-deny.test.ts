import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect, detectIdentifier } from '../lib/phi';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';
import { specBody } from './support/spec-arbitrary';

// No planted identifier reaches the upstream, by any field, route or spelling: request bodies are generated from
// OpenAI's request schemas (every property, at any depth, plus fields no schema names and keys of the client's
// own), identifiers are planted in random strings and keys, and the bodies go through the real proxy to a
// recording upstream under the policies `redact` and `block`. A failure prints fast-check's seed and the body.

const RUNS = Number(process.env.PHI_PROPERTY_RUNS ?? 300);

/** Identifiers, each with the part that must never be seen upstream. */
const CANDIDATES: { value: string; secret: string }[] = [
  { value: 'Maria Gonzalez', secret: 'Gonzalez' },
  { value: 'Jonathan Whitfield', secret: 'Whitfield' },
  { value: 'maria.gonzalez@example.com', secret: 'maria.gonzalez@' },
  { value: '123-45-6789', secret: '123-45-6789' },
  { value: '(617) 555-0134', secret: '555-0134' },
  { value: '03/04/1961', secret: '03/04/1961' },
  { value: 'MRN 48291137', secret: '48291137' },
];
/** How a value is planted: as a whole string, in a sentence, written as one identifier. */
const FORMS: ((v: string) => string)[] = [
  (v) => v,
  (v) => `Patient ${v} was seen today.`,
  (v) => `Follow up with ${v}; call back tomorrow.`,
];
const identifierForm = (v: string) => v.replace(/[^\p{L}\p{N}]+/gu, '_').replace(/^_|_$/g, '');

// Only values the engine finds in every form are planted: this test proves the walk reaches every field, the
// engine's recall is measured elsewhere (npm run eval:phi).
const planted: { text: string; secret: string }[] = [];
const plantedKeys: { text: string; secret: string }[] = [];
for (const c of CANDIDATES) {
  const texts = FORMS.map((f) => f(c.value));
  if (texts.every((t) => detect(t).some((e) => t.slice(e.start, e.end).includes(c.secret))))
    for (const t of texts) planted.push({ text: t, secret: c.secret });
  const id = identifierForm(c.value);
  if (detectIdentifier(id).length > 0 && id.includes(identifierForm(c.secret)))
    plantedKeys.push({ text: id, secret: identifierForm(c.secret) });
}
const SECRETS = [...new Set([...planted, ...plantedKeys].map((p) => p.secret))];

const FILLER = ['Summarize the note.', 'ok', 'auto', 'reasoning', 'Use bullet points.', 'x', 'en'];
const WORDS = ['notes', 'context', 'extra', 'ward', 'team', 'detail', 'tags'];
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FILLER) },
  { weight: 2, arbitrary: fc.constantFrom(...planted.map((p) => p.text)) },
  { weight: 1, arbitrary: fc.constantFrom(...plantedKeys.map((p) => p.text)) },
);
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 1, arbitrary: fc.constantFrom(...plantedKeys.map((p) => p.text)) },
  { weight: 1, arbitrary: fc.constantFrom(...planted.filter((p) => p.text.length < 30).map((p) => p.text)) },
);

const MODEL = 'gpt-4o-mini-2024-07-18';
const ROUTES: {
  name: string;
  path: string;
  schema: string;
  model: string;
  fix?(b: Record<string, unknown>): void;
}[] = [
  {
    name: 'chat completions',
    path: '/api/public/oai/v1/chat/completions',
    schema: 'CreateChatCompletionRequest',
    model: MODEL,
  },
  {
    name: 'Responses',
    path: '/api/public/oai/v1/responses',
    schema: 'CreateResponse',
    model: MODEL,
    // Continuing upstream state is test/stateful.test.ts's: here every turn stands alone.
    fix: (b) => {
      for (const k of ['previous_response_id', 'conversation', 'background', 'store']) delete b[k];
      if (Array.isArray(b.input))
        b.input = b.input.filter(
          (i) =>
            !(typeof i === 'object' && i !== null && (i as { type?: unknown }).type === 'item_reference'),
        );
    },
  },
  {
    name: 'completions',
    path: '/api/public/oai/v1/completions',
    schema: 'CreateCompletionRequest',
    model: MODEL,
  },
  {
    name: 'embeddings',
    path: '/api/public/oai/v1/embeddings',
    schema: 'CreateEmbeddingRequest',
    model: 'text-embedding-3-small',
  },
  {
    name: 'images',
    path: '/api/public/oai/v1/images/generations',
    schema: 'CreateImageRequest',
    model: 'dall-e-3',
    fix: (b) => (b.n = 1),
  },
  { name: 'speech', path: '/api/public/oai/v1/audio/speech', schema: 'CreateSpeechRequest', model: 'tts-1' },
];

let h: Harness;
const apps: Record<'redact' | 'block', string> = {} as never;

beforeAll(async () => {
  h = await startHarness();
  for (const policy of ['redact', 'block'] as const) {
    const s = await seedApp({
      models: [MODEL, 'text-embedding-3-small', 'dall-e-3', 'tts-1', 'whisper-1'],
      phiPolicy: policy,
      allowImages: true,
      allowAudio: true,
      allowedAdapters: ['openai-phi'],
    });
    apps[policy] = s.key!;
  }
});
afterAll(async () => h?.close());

/** What the upstream received since the last reset, with every planted secret it contains. */
function upstreamLeaks(): string[] {
  const seen = h.upstream.received.map((r) => r.raw + ' ' + r.path).join('\n');
  const decoded = (() => {
    try {
      return decodeURIComponent(seen.replace(/\+/g, ' '));
    } catch {
      return seen;
    }
  })();
  return SECRETS.filter((s) => seen.includes(s) || decoded.includes(s));
}

const containsPlant = (body: unknown): boolean => {
  const t = JSON.stringify(body);
  return SECRETS.some((s) => t.includes(s) || t.includes(JSON.stringify(s).slice(1, -1)));
};

async function post(path: string, key: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(`${h.base}${path}`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const answer = await res.text();
  return { status: res.status, answer };
}

describe.each(['redact', 'block'] as const)(
  'policy %s: generated requests from the specification',
  (policy) => {
    it('planted identifiers were found in every form before the run', () => {
      expect(planted.length).toBeGreaterThanOrEqual(12);
      expect(plantedKeys.length).toBeGreaterThanOrEqual(3);
    });

    it.each(ROUTES)('$name: no planted value reaches the upstream', async (route) => {
      let forwarded = 0;
      let withPlant = 0;
      await fc.assert(
        fc.asyncProperty(specBody(route.schema, { text, key, depth: 3 }), async (generated) => {
          const body = { ...generated, model: route.model, stream: false };
          route.fix?.(body);
          h.upstream.reset();
          const { status, answer } = await post(route.path, apps[policy], body);
          const planted = containsPlant(body);
          if (planted) withPlant++;
          if (h.upstream.received.length > 0) forwarded++;
          expect(upstreamLeaks(), `status ${status}: ${answer.slice(0, 200)}`).toEqual([]);
          if (policy === 'block' && planted) expect(status, answer.slice(0, 300)).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: RUNS },
      );
      // The run says something only if most bodies carried a plant and many were forwarded.
      expect(withPlant).toBeGreaterThan(RUNS * 0.6);
      if (policy === 'redact') expect(forwarded).toBeGreaterThan(RUNS * 0.3);
    });

    it('transcriptions: no planted value in any form field or the file name', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom('prompt', 'language', 'note', 'chunking_strategy', ...WORDS), text, {
            maxKeys: 4,
          }),
          fc.constantFrom(...plantedKeys.map((p) => p.text)),
          async (fields, fileName) => {
            const form = new FormData();
            for (const [k, v] of Object.entries(fields)) form.set(k, v);
            form.set('model', 'whisper-1');
            form.set('file', new Blob([new Uint8Array(64)], { type: 'audio/wav' }), `${fileName}.wav`);
            h.upstream.reset();
            const res = await fetch(`${h.base}/api/public/oai/v1/audio/transcriptions`, {
              method: 'POST',
              headers: { 'api-key': apps[policy] },
              body: form,
            });
            await res.text();
            expect(upstreamLeaks()).toEqual([]);
          },
        ),
        { numRuns: Math.ceil(RUNS / 3) },
      );
    });

    it('adapters: no planted value in the path, the query or a body of any content type', async () => {
      const json = fc.dictionary(
        key,
        fc.oneof(text, fc.array(text, { maxLength: 2 }), fc.dictionary(key, text)),
        {
          maxKeys: 4,
        },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/octet-stream',
            'application/x-www-form-urlencoded',
          ),
          json,
          fc.array(fc.tuple(key, text), { maxLength: 2 }),
          fc.option(fc.constantFrom(...plantedKeys.map((p) => p.text))),
          async (type, doc, query, segment) => {
            const body =
              type === 'application/x-www-form-urlencoded'
                ? new URLSearchParams(Object.entries(doc).map(([k, v]) => [k, JSON.stringify(v)])).toString()
                : type === 'text/plain'
                  ? Object.values(doc)
                      .map((v) => JSON.stringify(v))
                      .join('\n')
                  : JSON.stringify(doc);
            const qs = new URLSearchParams(query).toString();
            const path = `/api/public/http/openai-phi/files/${encodeURIComponent(segment ?? 'list')}${qs ? `?${qs}` : ''}`;
            h.upstream.reset();
            const { status, answer } = await post(path, apps[policy], body, type);
            expect(upstreamLeaks(), `status ${status}: ${answer.slice(0, 200)}`).toEqual([]);
          },
        ),
        { numRuns: RUNS },
      );
    });
  },
);
