import type { Readable } from 'node:stream';
import { collect } from './http';
import type { UpstreamResponse } from './providers';
import { errors, ProxyError } from './errors';

async function readSome(body: Readable, limit = 64 * 1024): Promise<string> {
  try {
    return (await collect(body, limit, () => new Error('upstream error body too large'))).toString('utf8');
  } catch {
    return '';
  }
}

function upstreamMessage(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === 'object' && typeof j.error?.message === 'string') return j.error.message;
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

/**
 * Maps an upstream error answer to Portico's: the caller's own mistakes (400, 404, 413, 422) keep their
 * status and the upstream's message; throttling keeps 429 with Retry-After; our credentials being refused
 * and upstream failures become 502, without leaking upstream details.
 */
export async function mapUpstreamError(
  up: UpstreamResponse,
  model: string,
  callerCredential = false,
): Promise<ProxyError> {
  const text = await readSome(up.body);
  const msg = upstreamMessage(text);
  const s = up.status;
  if (s === 429) {
    const ra = up.headers['retry-after'];
    const retryAfter = typeof ra === 'string' && /^\d+$/.test(ra) ? ra : '1';
    return errors.upstreamRateLimited(model, retryAfter);
  }
  if ((s === 401 || s === 403) && callerCredential) {
    return errors.invalidOpenAiKey(true);
  }
  if (s === 401 || s === 403) return errors.upstreamAuth(model);
  if (s === 400 || s === 404 || s === 409 || s === 413 || s === 415 || s === 422) {
    return errors.upstreamRejected(model, s, msg);
  }
  // 5xx: tell the client when to retry (the upstream's own hint when it gave one).
  const ra = up.headers['retry-after'];
  const e = errors.upstreamError(model, s);
  e.opts.headers = { 'retry-after': typeof ra === 'string' && /^\d+$/.test(ra) ? ra : '2' };
  return e;
}
