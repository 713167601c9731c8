import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { errors, ProxyError } from './errors';

/** Headers on every public answer. */
export const BASE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** The slowest a request body may arrive (bytes a second, 0: any) once `graceMs` have passed; set by the server. */
const bodyRate = { minRate: 0, graceMs: 10_000 };
export function setBodyRateFloor(floor: { minRate: number; graceMs?: number }): void {
  bodyRate.minRate = floor.minRate;
  bodyRate.graceMs = floor.graceMs ?? 10_000;
}

/**
 * Collects a stream into one Buffer, failing with `tooBig()` past `limit` bytes, and with 408 when, after a
 * grace period, fewer than `minRate` bytes a second have arrived (events, not async iteration: cheaper per chunk).
 */
export function collect(
  stream: Readable,
  limit: number,
  tooBig: () => Error,
  { minRate, graceMs } = { minRate: 0, graceMs: 0 },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const started = Date.now();
    const timer =
      minRate > 0
        ? setInterval(
            () => {
              const seconds = (Date.now() - started - graceMs) / 1000;
              if (seconds > 0 && size < minRate * seconds) fail(errors.bodyTooSlow(minRate));
            },
            Math.min(1_000, Math.max(50, graceMs / 4)),
          ).unref()
        : undefined;
    const fail = (err: Error) => {
      clearInterval(timer);
      stream.off('data', onData);
      stream.resume();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooBig());
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => {
      clearInterval(timer);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    stream.once('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    stream.once('aborted', () => {
      clearInterval(timer);
      reject(errors.clientClosed());
    });
  });
}

/**
 * Streams an upstream body to the client with back-pressure. Resolves once it has ended (the answer is then
 * ended too), or with the error that cut it short (the client's connection is then closed).
 */
export function pipeBody(src: Readable, res: ServerResponse): Promise<Error | undefined> {
  return new Promise((resolve) => {
    src.on('data', (chunk: Buffer) => {
      if (!res.write(chunk)) {
        src.pause();
        res.once('drain', () => src.resume());
      }
    });
    src.once('end', () => {
      res.end();
      resolve(undefined);
    });
    src.once('error', (err: Error) => {
      res.destroy();
      resolve(err);
    });
  });
}

/** Reads the whole request body, refusing more than `limit` bytes with 413 (before reading it, when declared). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw errors.tooLarge(limit);
  }
  return collect(req, limit, () => errors.tooLarge(limit), bodyRate);
}

export async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '');
  const raw = await readBody(req, limit);
  if (type && !/json/i.test(type)) {
    throw errors.badRequest(
      `Send the body as JSON with Content-Type: application/json (got ${type.slice(0, 60)}).`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw errors.badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw errors.badRequest('The request body must be a JSON object.');
  }
  assertDepth(parsed, MAX_JSON_DEPTH);
  BODY_BYTES.set(parsed, raw.length);
  return parsed as Record<string, unknown>;
}

const BODY_BYTES = new WeakMap<object, number>();
/** The size of the request body a parsed object came from (for token estimates without re-serialising). */
export function bodyBytes(body: object): number {
  return BODY_BYTES.get(body) ?? JSON.stringify(body).length;
}

/** No real request nests this deep; refusing it keeps every later step (and its recursion) safe. */
export const MAX_JSON_DEPTH = 64;

/** Throws 400 when a parsed JSON value nests deeper than `limit` (checked without recursion). */
export function assertDepth(value: unknown, limit: number): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > limit) throw errors.badRequest(`The request body nests deeper than ${limit} levels.`);
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  body: Buffer,
  contentType: string,
  headers: Record<string, string | number> = {},
): void {
  res.writeHead(status, {
    ...BASE_HEADERS,
    ...headers,
    'content-type': contentType,
    'content-length': body.length,
  });
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  err: ProxyError,
  headers: Record<string, string | number> = {},
): void {
  sendJson(res, err.status, err.body(), { ...headers, ...(err.opts.headers ?? {}) });
}
