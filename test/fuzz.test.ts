import net from 'node:net';
import fc from 'fast-check';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/portico';
import { seedApp } from './support/seed';

let h: Harness;
let key: string;
let doc: OpenAPIV3_1.Document;
const saved = { ...process.env };

beforeAll(async () => {
  // Short slow-client timeouts for this server, so the test does not wait the production ones.
  process.env.PORTICO_HEADERS_TIMEOUT_MS = '1500';
  process.env.PORTICO_REQUEST_TIMEOUT_MS = '3000';
  h = await startHarness({ maxBodyBytes: 1024 * 1024 });
  process.env = saved;
  const models = [
    'gpt-4o-mini-2024-07-18',
    'gpt-4o-2024-05-13',
    'text-embedding-3-small',
    'dall-e-3',
    'tts-1',
    'whisper-1',
  ];
  key = (
    await seedApp({
      models,
      allowedAdapters: ['openai'],
      allowImages: true,
      allowAudio: true,
      phiPolicy: 'scrub',
    })
  ).key!;
  doc = (await (await fetch(`${h.base}/api/openapi.json`)).json()) as OpenAPIV3_1.Document;
});
afterAll(async () => h?.close());

const ERROR_SHAPE = {
  error: {
    message: expect.any(String),
    type: expect.any(String),
    code: expect.any(String),
    param: expect.toSatisfy((p: unknown) => p === null || typeof p === 'string'),
  },
};

function example(schema: unknown): Record<string, unknown> {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  const s = ref ? doc.components?.schemas?.[ref.split('/').at(-1)!] : schema;
  return ((s as { example?: Record<string, unknown> } | undefined)?.example ?? {}) as Record<string, unknown>;
}

/** Bodies a careless or hostile client sends: wrong types, missing and extra fields, deep nesting, junk. */
const bodyFor = (ex: Record<string, unknown>) =>
  fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record({
        drop: fc.subarray(Object.keys(ex)),
        set: fc.dictionary(
          fc.constantFrom(...Object.keys(ex), 'stream', 'n', 'tools', 'input', 'messages', 'extra'),
          fc.jsonValue(),
        ),
      })
      .map(({ drop, set }) => {
        const b: Record<string, unknown> = { ...ex, ...set };
        for (const k of drop) delete b[k];
        return JSON.stringify(b);
      }),
    fc
      .record({
        content: fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc.array(fc.jsonValue(), { maxLength: 5 }),
          fc.jsonValue(),
        ),
        role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool'), fc.jsonValue()),
      })
      .map((m) => JSON.stringify({ ...ex, messages: [m], input: [m], prompt: m.content, text: m.content })),
    // Built as text: nesting this deep overflows JSON.stringify, which is the point.
    fc
      .integer({ min: 100, max: 20_000 })
      .map(
        (d) =>
          `{"model":${JSON.stringify(ex.model ?? 'gpt-4o-mini-2024-07-18')},"messages":[{"role":"user","content":${'['.repeat(d)}${']'.repeat(d)}}],"input":${'['.repeat(d)}${']'.repeat(d)},"prompt":"x","text":"x"}`,
      ),
    fc.string({ maxLength: 200 }),
  );

describe('fuzzing every public endpoint from the OpenAPI document', () => {
  it('no 5xx and every error in the documented shape, for generated bodies', async () => {
    const targets: { path: string; schema: unknown }[] = [];
    for (const [p, item] of Object.entries(doc.paths ?? {})) {
      const op = item?.post as OpenAPIV3_1.OperationObject | undefined;
      const json = (op?.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content[
        'application/json'
      ];
      if (json)
        targets.push({
          path: p.replace(
            '{deployment}',
            p.includes('/images/') ? 'dall-e-3' : p.includes('/audio/') ? 'tts-1' : 'gpt-4o-mini-2024-07-18',
          ),
          schema: json.schema,
        });
    }
    expect(targets.length).toBeGreaterThan(15);
    for (const t of targets) {
      await fc.assert(
        fc.asyncProperty(bodyFor(example(t.schema)), async (body) => {
          const res = await fetch(`${h.base}${t.path}`, {
            method: 'POST',
            headers: { 'api-key': key, 'x-compliantchatgpt-key': key, 'content-type': 'application/json' },
            body,
          });
          const text = await res.text();
          expect(res.status, `${t.path} ${body.slice(0, 200)} → ${text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) expect(JSON.parse(text)).toMatchObject(ERROR_SHAPE);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('malformed request targets and query strings: a 4xx in the documented shape, never a crash', async () => {
    for (const target of [
      '//',
      '//[',
      '/%',
      '/api/public/v1/usage?from=2026-02-30',
      '/api/public/v1/usage?from=2026-13-01&to=2026-01-01',
      '/api/public/http/%00/x',
      '/api/public/oai/openai/deployments/%00/chat/completions',
      'http://evil.example:99999/x',
      '/api/public/v1/usage?from=1900-01-01&to=2100-01-01',
    ]) {
      const out = await rawRequest(
        `GET ${target} HTTP/1.1\r\nHost: x\r\napi-key: ${key}\r\nConnection: close\r\n\r\n`,
        3_000,
      );
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1]);
      expect(status, `${target} → ${out.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(status, `${target} → ${out.slice(0, 200)}`).toBeLessThan(500);
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), async (from, to) => {
        const res = await fetch(
          `${h.base}/api/public/v1/usage?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
          { headers: { 'api-key': key } },
        );
        expect(res.status).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: 50 },
    );
    expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
  });

  it('invalid UTF-8, bodies over the limit (413), oversized headers (431), then still healthy', async () => {
    const bad = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject(ERROR_SHAPE);
    const huge = await fetch(`${h.base}/api/public/oai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini-2024-07-18',
        messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }],
      }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject(ERROR_SHAPE);
    const chunked = await fetch(`${h.base}/api/public/v1/phi/deidentify`, {
      method: 'POST',
      headers: { 'api-key': key, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const headers = await rawRequest(
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(headers).toMatch(/^HTTP\/1\.1 431/);
    expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
  });

  it('slow clients are cut off by the header and request timeouts; the server stays healthy', async () => {
    const t0 = Date.now();
    const slowHeaders = await rawRequest(
      'POST /api/public/oai/v1/chat/completions HTTP/1.1\r\nHost: x\r\n',
      10_000,
    );
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(slowHeaders === '' || /^HTTP\/1\.1 408/.test(slowHeaders)).toBe(true);
    const t1 = Date.now();
    const slowBody = await rawRequest(
      `POST /api/public/oai/v1/chat/completions HTTP/1.1\r\nHost: x\r\napi-key: ${key}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`,
      12_000,
    );
    expect(Date.now() - t1).toBeLessThan(10_000);
    expect(slowBody === '' || /^HTTP\/1\.1 (408|400)/.test(slowBody)).toBe(true);
    expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
  });
});

/** Writes raw bytes and returns whatever the server answers before it closes (or the wait ends). */
function rawRequest(payload: string, waitMs = 5_000): Promise<string> {
  const { hostname, port } = new URL(h.base);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname);
    let out = '';
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, waitMs);
    sock.on('data', (d) => (out += d.toString()));
    sock.on('close', done);
    sock.on('error', done);
    sock.write(payload);
  });
}
