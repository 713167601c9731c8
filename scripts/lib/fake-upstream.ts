/**
 * A local stand-in for the upstream LLM (OpenAI / Azure OpenAI shaped), for tests and benchmarks: it
 * answers like the echo provider, records what it received, and misbehaves on demand.
 */
import http from 'node:http';
import busboy from 'busboy';
import type { AddressInfo } from 'node:net';
import { echoAnswer } from '../../lib/echo';
import { createStatefulFake } from './fake-stateful';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | null;
  raw: string;
}

export type Behaviour =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'stream-reset'; afterChunks: number }
  | { kind: 'slow-stream'; chunkDelayMs: number }
  | { kind: 'no-usage' }
  /** Fails this fraction of requests with a 500 (soak traffic). */
  | { kind: 'flaky'; rate: number };

export interface FakeUpstream {
  url: string;
  port: number;
  received: Received[];
  /** Behaviours applied to the next requests, one each, in order. */
  queue(...b: Behaviour[]): void;
  /** Applied to every request until cleared. */
  always(b: Behaviour | null): void;
  /** Resolves when a request's connection closes before the answer ended (client gone). */
  aborted: number;
  reset(): void;
  close(): Promise<void>;
}

const OPS: [
  RegExp,
  'chat' | 'completions' | 'embeddings' | 'responses' | 'images' | 'transcriptions' | 'speech',
][] = [
  [/\/images\/generations$/, 'images'],
  [/\/audio\/transcriptions$/, 'transcriptions'],
  [/\/audio\/speech$/, 'speech'],
  [/\/chat\/completions$/, 'chat'],
  [/\/completions$/, 'completions'],
  [/\/embeddings$/, 'embeddings'],
  [/\/responses$/, 'responses'],
];

/** A multipart upload as the echo reads it: the fields, and the file's name and size. */
function multipart(headers: http.IncomingHttpHeaders, raw: Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const out: Record<string, unknown> = {};
    const bb = busboy({ headers });
    bb.on('field', (k, v) => (out[k] = v));
    bb.on('file', (name, stream, info) => {
      let size = 0;
      stream.on('data', (d: Buffer) => (size += d.length));
      stream.on('end', () => (out[name] = { name: info.filename, size }));
    });
    bb.on('close', () => resolve(out));
    bb.on('error', () => resolve(out));
    bb.end(raw);
  });
}

export async function startFakeUpstream(
  opts: { record?: boolean; port?: number } = {},
): Promise<FakeUpstream> {
  const record = opts.record ?? true;
  const pending: Behaviour[] = [];
  let standing: Behaviour | null = null;
  const state = { aborted: 0 };
  const received: Received[] = [];
  const stateful = createStatefulFake();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | null = null;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    } catch {
      body = /multipart\/form-data/.test(String(req.headers['content-type']))
        ? await multipart(req.headers, Buffer.concat(chunks))
        : null;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    if (record)
      received.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, raw });
    res.once('close', () => {
      if (!res.writableFinished) state.aborted++;
    });
    let b = pending.shift() ?? standing;
    if (b?.kind === 'flaky') b = Math.random() < b.rate ? { kind: 'status', status: 500 } : null;

    if (b?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (b?.kind === 'status') {
      const text = JSON.stringify(
        b.body ?? {
          error: { message: `fake upstream status ${b.status}`, type: 'server_error', code: null },
        },
      );
      res.writeHead(b.status, { 'content-type': 'application/json', ...(b.headers ?? {}) }).end(text);
      return;
    }
    if (b?.kind === 'delay') await new Promise((r) => setTimeout(r, b.ms));
    // Responses by id, conversations, files and batches: answered from what earlier requests left.
    if (await stateful.handle(req, res, path, Buffer.concat(chunks), body)) return;
    // Pass-through tests: the body back as it came, with its content type, and the query it came with.
    if (/\/echo$/.test(path)) {
      res
        .writeHead(200, {
          'content-type': String(req.headers['content-type'] ?? 'application/octet-stream'),
          'x-echo-url': req.url ?? '',
        })
        .end(Buffer.concat(chunks));
      return;
    }
    if (req.method === 'GET' && /\/models$/.test(path)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'fake' }],
        }),
      );
      return;
    }
    const op = OPS.find(([re]) => re.test(path))?.[1];
    if (!op || !body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { message: `no route ${path}`, type: 'invalid_request_error', code: 'not_found' },
        }),
      );
      return;
    }
    const answer = echoAnswer({ op, body });
    if (answer.bytes) {
      res
        .writeHead(200, { 'content-type': answer.contentType ?? 'application/octet-stream' })
        .end(answer.bytes);
      return;
    }
    if (answer.json !== undefined) {
      const json = b?.kind === 'no-usage' ? { ...(answer.json as object), usage: undefined } : answer.json;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    for (const chunk of answer.sse ?? []) {
      if (res.destroyed) return;
      if (b?.kind === 'no-usage' && chunk.includes('"usage"')) continue;
      if (b?.kind === 'stream-reset' && n === b.afterChunks) {
        // Let what was written reach the client first: the break happens mid-stream, not before it.
        await new Promise((r) => setTimeout(r, 30));
        req.socket.destroy();
        return;
      }
      res.write(chunk);
      n++;
      if (b?.kind === 'slow-stream') await new Promise((r) => setTimeout(r, b.chunkDelayMs));
    }
    res.end();
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake upstream failed: ${(err as Error).message}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    queue: (...b) => pending.push(...b),
    always: (b) => {
      standing = b;
    },
    get aborted() {
      return state.aborted;
    },
    reset: () => {
      received.length = 0;
      pending.length = 0;
      standing = null;
      state.aborted = 0;
      stateful.reset();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
