import {
  createStreamRestorer,
  detectInRequestBody,
  appFinder,
  mediaParts,
  PhiSession,
  requestTexts,
  restoreResponseBody,
  scrubRequestBody,
  type PhiCounts,
  type PhiOperation,
  type StreamRestorer,
} from '../phi';
import { ScanTooLarge, type PhiOffload } from '../phi/offload';
import type { PhiPolicy } from '../generated/prisma/enums';
import { log } from '../log';
import { errors, ProxyError } from './errors';
import type { ApiContext } from './api-call';

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
  return errors.phiBlocked(Object.keys(counts).sort().join(', '), param);
}

export const sumCounts = (c: PhiCounts) => Object.values(c).reduce((s, n) => s + (n ?? 0), 0);

/** Who asks, for the scan's fair share and its limits. */
export interface PhiScanOptions {
  requestId: string;
  /** The app's id: large scans are shared fairly between apps. */
  app: string;
  offload?: PhiOffload;
  /** A token map to continue (a chain of upstream objects); a new one otherwise. */
  session?: PhiSession;
  /** Ids of upstream objects the app owns that the request refers to: left as they are. */
  keep?: ReadonlySet<string>;
}

/**
 * Applies the app's PHI policy to the outgoing body (mutated in place): every string and key of it, whatever the
 * operation (lib/phi/payloads.ts). `block` refuses a request that contains PHI, naming the types; `scrub` and
 * `redact` tokenize; `off` passes. If detection fails the request fails: PHI never leaves because of an error. A
 * large body is scanned on the worker threads, fairly shared between apps; more text than they take is a 413.
 */
export async function applyPhiPolicy(
  policy: PhiPolicy,
  op: PhiOperation,
  body: Record<string, unknown>,
  o: PhiScanOptions,
): Promise<PhiState> {
  if (policy === 'off') return { counts: {}, total: 0 };
  try {
    const find = o.offload
      ? await o.offload.finderFor(requestTexts(op, body, o.keep), o.app)
      : appFinder(o.app);
    if (policy === 'block') {
      const counts = detectInRequestBody(op, body, find, o.keep);
      const total = sumCounts(counts);
      return { counts, total, blocked: total > 0 };
    }
    const session = o.session ?? new PhiSession();
    const before = session.total();
    scrubRequestBody(op, body, session, find, o.keep);
    const counts = session.counts();
    return {
      counts,
      total: session.total() - before,
      session: policy === 'scrub' && session.hasTokens() ? session : undefined,
    };
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    if (err instanceof ScanTooLarge) throw errors.phiScanTooLarge(err.chars, err.limit);
    log().error(
      { requestId: o.requestId, err: err instanceof Error ? err.name : 'unknown' },
      'PHI engine failed; request refused',
    );
    throw errors.phiEngine();
  }
}

/**
 * The app's policy (or a stricter one) on a body about to go upstream, recorded for the request: the entity counts
 * metered, the count in x-portico-phi-entities, a `block` that found PHI refused (naming `param`).
 */
export async function scanOutgoing(
  ctx: ApiContext,
  op: PhiOperation,
  body: Record<string, unknown>,
  o: { policy?: PhiPolicy; param?: string | null; session?: PhiSession; keep?: ReadonlySet<string> } = {},
): Promise<PhiState> {
  const phi = await applyPhiPolicy(o.policy ?? ctx.principal.app.phiPolicy, op, body, {
    requestId: ctx.meter.requestId,
    app: ctx.principal.app.id,
    offload: ctx.deps.phiOffload,
    session: o.session,
    keep: o.keep,
  });
  if (phi.total > 0) ctx.meter.phiCounts = phi.counts as Record<string, number>;
  if (phi.blocked) throw phiBlocked(phi.counts, o.param === undefined ? 'messages' : o.param);
  ctx.headers['x-portico-phi-entities'] = String(phi.total);
  return phi;
}

/**
 * Images, audio and files carry PHI the engine cannot read: every part, item and tool of a request that carries or
 * makes one passes only for an app a reviewer enabled for it (images and files with images, audio with audio).
 */
export function checkMediaParts(
  op: PhiOperation,
  body: Record<string, unknown>,
  app: { allowImages: boolean; allowAudio: boolean },
): void {
  for (const part of mediaParts(op, body)) {
    const allowed = part.kind === 'audio' ? app.allowAudio : app.allowImages;
    if (allowed) continue;
    throw errors.mediaPartNotAllowed(part.kind, part.param || null);
  }
}

export function restoreJson(op: PhiOperation, json: unknown, session: PhiSession): void {
  restoreResponseBody(op, json, session);
}

export function streamRestorer(
  op: PhiOperation,
  session: PhiSession | undefined,
): StreamRestorer | undefined {
  if (!session || op === 'embeddings') return undefined;
  return createStreamRestorer(op, session);
}
