import {
  createStreamRestorer,
  detect,
  detectInRequestBody,
  mediaParts,
  PhiSession,
  requestTexts,
  restoreResponseBody,
  scrubRequestBody,
  type PhiCounts,
  type StreamRestorer,
} from '../phi';
import type { PhiOffload } from '../phi/offload';
import type { PhiPolicy } from '../generated/prisma/enums';
import { log } from '../log';
import { ProxyError } from './errors';
import type { Operation } from './routes';

type TextOp = Exclude<Operation, 'models'>;

/** What the scrub step decided for one request; the token map lives here and dies with the request. */
export interface PhiState {
  counts: PhiCounts;
  total: number;
  /** Set when the answer must get the original values back (policy `scrub` and something was replaced). */
  session?: PhiSession;
  /** Policy `block` found PHI: the request must be refused (see phiBlocked). */
  blocked?: boolean;
}

export function phiBlocked(counts: PhiCounts, param: string | null = 'messages'): ProxyError {
  const types = Object.keys(counts).sort().join(', ');
  return new ProxyError(
    400,
    'phi_detected',
    `This app's policy blocks requests that contain PHI, and this one contains: ${types}. Remove those identifiers and retry.`,
    { param },
  );
}

const phiEngineFailed = () =>
  new ProxyError(
    500,
    'phi_engine_error',
    'Portico could not check this request for PHI, so it was not sent. Retry; if it persists, give the x-request-id to the administrators.',
  );

export const sumCounts = (c: PhiCounts) => Object.values(c).reduce((s, n) => s + (n ?? 0), 0);

/**
 * Applies the app's PHI policy to the outgoing body (mutated in place). `block` refuses a request
 * that contains PHI, naming the types; `scrub` and `redact` tokenize; `off` passes. If detection fails the
 * request fails: PHI never leaves because of an error. A large body (`size` bytes, at least the offload's
 * threshold) is scanned on a worker thread, so that the event loop keeps serving everyone else meanwhile.
 */
export async function applyPhiPolicy(
  policy: PhiPolicy,
  op: TextOp,
  body: Record<string, unknown>,
  requestId: string,
  offload?: PhiOffload,
  size = 0,
): Promise<PhiState> {
  if (policy === 'off') return { counts: {}, total: 0 };
  try {
    const find =
      offload && size >= offload.minChars ? await offload.finderFor(requestTexts(op, body)) : detect;
    if (policy === 'block') {
      const counts = detectInRequestBody(op, body, find);
      const total = sumCounts(counts);
      return { counts, total, blocked: total > 0 };
    }
    const session = new PhiSession();
    scrubRequestBody(op, body, session, find);
    const counts = session.counts();
    return {
      counts,
      total: session.total(),
      session: policy === 'scrub' && session.hasTokens() ? session : undefined,
    };
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    log().error(
      { requestId, err: err instanceof Error ? err.name : 'unknown' },
      'PHI engine failed; request refused',
    );
    throw phiEngineFailed();
  }
}

/**
 * Images, audio and files inside a chat or Responses request carry PHI the engine cannot read: they pass only
 * for an app a reviewer enabled for them (images and files with images, audio with audio).
 */
export function checkMediaParts(
  op: TextOp,
  body: Record<string, unknown>,
  app: { allowImages: boolean; allowAudio: boolean },
): void {
  if (op !== 'chat' && op !== 'responses') return;
  for (const part of mediaParts(op, body)) {
    const allowed = part.kind === 'audio' ? app.allowAudio : app.allowImages;
    if (allowed) continue;
    const what = part.kind === 'audio' ? 'Audio' : part.kind === 'image' ? 'Images' : 'Files';
    throw new ProxyError(
      403,
      part.kind === 'audio' ? 'audio_not_allowed' : 'images_not_allowed',
      `${what} are disabled for this app: Portico cannot remove PHI from inside ${part.kind === 'audio' ? 'audio' : part.kind === 'image' ? 'an image' : 'a file'}, so only an app a reviewer enabled for ${part.kind === 'audio' ? 'audio' : 'images and files'} may send one. Send text, or ask a reviewer.`,
      { param: part.param },
    );
  }
}

export function restoreJson(op: TextOp, json: unknown, session: PhiSession): void {
  restoreResponseBody(op, json, session);
}

export function streamRestorer(op: TextOp, session: PhiSession | undefined): StreamRestorer | undefined {
  if (!session || op === 'embeddings') return undefined;
  return createStreamRestorer(op, session);
}

/** Every string value of an arbitrary JSON document, rewritten in place (pass-through adapters). */
export function mapJsonStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = mapJsonStrings(value[i], fn);
    return value;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = mapJsonStrings(o[k], fn);
  }
  return value;
}
