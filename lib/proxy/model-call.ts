import type { ServerResponse } from 'node:http';
import { errors as undiciErrors } from 'undici';
import type { Model, Target } from '../config';
import type { PhiPolicy } from '../generated/prisma/enums';
import { isObj, type Json } from '../json';
import { log } from '../log';
import { metrics } from '../metrics';
import type { PhiSession, StreamRestorer } from '../phi';
import { attemptSpan, endSpan } from '../tracing';
import { errors, ProxyError } from './errors';
import { applyLimits, upstreamFailureError, type ApiContext, type CallMeter } from './api-call';
import { BASE_HEADERS, collect } from './http';
import { restoreJson, scanOutgoing, type PhiState } from './phi-step';
import { sendUpstream, timedOut, UpstreamFailure, type UpstreamResponse } from './providers';
import { quotaSpentMs, retryAfterMs, router } from './router';
import type { Operation } from './routes';
import { formatSse, SseParser, type SseEvent } from './sse';
import { mapUpstreamError } from './upstream-errors';
import { HAS_USAGE, readUsage, streamedUsage, usageFromJsonTail } from './usage-events';

// The model call, whatever the route (OpenAI and Azure routes, the CompliantChatGPT route, custom endpoints): the
// app's limits, the PHI policy on the outgoing body, the upstream call over the model's deployments, then one JSON
// read or one SSE pump that restores and meters. Upstream failures get their meaning for the client here.

type Op = Exclude<Operation, 'models'>;

/** What goes upstream: the operation, the model (its deployments and fallbacks), the body, and how. */
export interface UpstreamCall {
  op: Op;
  model: Model;
  /** The outgoing body: Portico's own parse of the request, rewritten in place (tokens, the upstream's model). */
  body: Json;
  apiVersion?: string;
  /** The caller's own upstream credential (apps allowed to bring one). */
  credential?: string;
}

/** One model call: what is sent, to which model, under which policy and token map. */
export interface ModelCallOptions extends UpstreamCall {
  /** The name the client used for the model (in errors). */
  name: string;
  /** A stricter policy than the app's (a custom endpoint's). */
  policy?: PhiPolicy;
  /** The field a `block` refusal names. */
  phiParam?: string | null;
  /** A chain's token map to continue (stateful calls); a new one otherwise. */
  session?: PhiSession;
  /** Ids of the app's own upstream objects the request refers to: never scanned. */
  keep?: ReadonlySet<string>;
  /** Runs after the scan, before anything is sent (a chain keeps its grown map first). */
  afterScan?(phi: PhiState): Promise<void>;
}

/** A model call that reached its upstream and got a 2xx answer, with what the scan decided. */
export interface StartedCall {
  phi: PhiState;
  upstream: UpstreamResponse;
  /** The upstream answers with a stream. */
  streamed: boolean;
}

/** Limits, PHI and the upstream call; throws the error the client gets when any of them refuses or fails. */
export async function startModelCall(ctx: ApiContext, o: ModelCallOptions): Promise<StartedCall> {
  await applyLimits(ctx, o.model, o.body);
  const phi = await scanOutgoing(ctx, o.op, o.body, {
    policy: o.policy,
    param: o.phiParam,
    session: o.session,
    keep: o.keep,
  });
  await o.afterScan?.(phi);
  const upstream = await forwardMetered(o, ctx);
  if (upstream.status < 200 || upstream.status >= 300)
    throw await mapUpstreamError(upstream, o.name, !!o.credential);
  const streamed = String(upstream.headers['content-type'] ?? '').includes('text/event-stream');
  return { phi, upstream, streamed };
}

/**
 * The JSON answer of a started call: metered (tokens, images the Responses image tool made) and restored with
 * the call's token map. `json` is undefined when nothing needs it parsed: `raw` then goes to the client as it came.
 */
export async function readJsonAnswer(
  ctx: ApiContext,
  o: ModelCallOptions,
  call: StartedCall,
  parse = false,
): Promise<{ raw: Buffer; json?: unknown }> {
  const { meter, abort } = ctx;
  const raw = await readAnswer(call.upstream, o.name, abort);
  meter.status = 200;
  if (o.op === 'responses' && raw.includes(IMAGE_CALL)) meterImages(meter, o.model, countImageCalls(raw));
  if (!call.phi.session && !parse) {
    const usage = usageFromJsonTail(raw);
    if (usage) {
      meter.promptTokens = usage.prompt;
      meter.completionTokens = usage.completion;
    }
    return { raw };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw errors.upstreamError(o.name, call.upstream.status);
  }
  const usage = isObj(json) ? readUsage(json.usage) : null;
  if (usage) {
    meter.promptTokens = usage.prompt;
    meter.completionTokens = usage.completion;
  }
  if (call.phi.session) restoreJson(o.op, json, call.phi.session);
  return { raw, json };
}

/** The most upstream attempts one request makes (deployments of its model, then fallback models). */
const MAX_ATTEMPTS = 4;

/**
 * The upstream call. A model's deployments (its targets, in the router's order) are tried in turn while one
 * cannot be reached, or answers 429 or 5xx, before anything reached the client; the chat, completion, embedding
 * and Responses calls sent here have no side effect a second attempt would repeat (images and speech go through
 * lib/proxy/media.ts, one attempt). Fallback models are tried only when no deployment could be reached at all.
 * The deployment that answered is named in x-portico-upstream.
 */
async function forward(
  o: UpstreamCall,
  { config, abort, headers, meter }: ApiContext,
): Promise<{ response: UpstreamResponse; target: Target; group: Model }> {
  const { op, model, body, apiVersion, credential: credentialOverride } = o;
  const span = meter.span;
  const r = router();
  const groups = [model, ...model.fallbacks.map((f) => config.models.get(f)).filter((m): m is Model => !!m)];
  const attempts = groups.flatMap((g, gi) => r.order(g).map((t) => ({ g, t, fallback: gi > 0 })));
  // A caller's own credential only ever goes to the model it named, once.
  const budget = credentialOverride ? 1 : Math.min(attempts.length, MAX_ATTEMPTS);
  const m = metrics();
  for (let i = 0; ; i++) {
    const { g, t } = attempts[i]!;
    const next = i + 1 < budget ? attempts[i + 1] : undefined;
    const view =
      t === g.targets[0]
        ? g
        : { ...g, provider: t.provider, upstreamModel: t.upstreamModel, deployment: t.deployment };
    r.start(g, t);
    const t0 = performance.now();
    const attempt =
      span &&
      attemptSpan(span, {
        op,
        model: g.name,
        target: t.name,
        system: t.provider.type === 'azure' ? 'az.ai.openai' : 'openai',
        address: t.provider.baseUrl ? new URL(t.provider.baseUrl).hostname : 'echo',
        attempt: i + 1,
      });
    let response: UpstreamResponse;
    try {
      response = await sendUpstream({ op, model: view, body, apiVersion, credentialOverride, abort });
    } catch (err) {
      const kind = err instanceof UpstreamFailure ? err.kind : 'connect';
      endSpan(attempt, 0, kind);
      if (kind === 'aborted') r.finish(g, t, { ok: true, latencyMs: performance.now() - t0 });
      else r.finish(g, t, { ok: false, kind });
      m.upstreamAttempts.inc({ model: model.name, target: t.name, outcome: kind });
      if (kind !== 'connect') throw upstreamFailureError(err, model.name);
      m.upstreamErrors.inc({ kind: `connect:${t.provider.name}` });
      if (!next) throw errors.upstreamUnavailable(model.name);
      log().warn(
        { model: model.name, from: t.name, to: next.t.name },
        'upstream unreachable; trying the next',
      );
      continue;
    }
    const failed = response.status === 429 || response.status >= 500;
    endSpan(attempt, response.status);
    r.finish(
      g,
      t,
      failed
        ? {
            ok: false,
            kind: 'status',
            status: response.status,
            retryAfterMs: response.status === 429 ? retryAfterMs(response.headers) : undefined,
          }
        : { ok: true, latencyMs: performance.now() - t0 },
    );
    m.upstreamAttempts.inc({
      model: model.name,
      target: t.name,
      outcome: failed ? String(response.status) : 'ok',
    });
    // Another deployment of the same model may take it; a fallback model only when this one was unreachable.
    if (failed && next && !next.fallback) {
      response.body.on('error', () => {}); // the destroy below aborts it: nothing to report
      response.body.destroy();
      log().warn(
        { model: model.name, from: t.name, to: next.t.name, status: response.status },
        'upstream refused; trying the next deployment',
      );
      continue;
    }
    if (!failed && g.targets.length > 1) {
      const spent = quotaSpentMs(response.headers);
      if (spent !== undefined) r.rest(g, t, spent);
    }
    headers['x-portico-upstream'] = t.name;
    return { response, target: t, group: g };
  }
}

/** Images made by the Responses API's image tool: metered as images, at the model's image price. */
const IMAGE_CALL = '"image_generation_call"';

function countImageCalls(raw: Buffer): number {
  try {
    const json: unknown = JSON.parse(raw.toString('utf8'));
    const output = isObj(json) && Array.isArray(json.output) ? json.output : [];
    return output.filter((o) => isObj(o) && o.type === 'image_generation_call').length;
  } catch {
    return 0;
  }
}

function meterImages(meter: CallMeter, model: Model, n: number): void {
  if (n <= 0) return;
  meter.units = (meter.units ?? 0) + n;
  meter.unit = 'images';
  meter.unitCostUsd += n * model.perImage;
}

/** forward(), metered: the deployment that answered, its latency (usage and metrics) and its tokens for the router. */
export async function forwardMetered(o: UpstreamCall, ctx: ApiContext): Promise<UpstreamResponse> {
  const { meter } = ctx;
  const t0 = performance.now();
  const { response, target, group } = await forward(o, ctx);
  meter.upstreamMs = Math.round(performance.now() - t0);
  meter.upstream = target.name;
  if (target.tpm !== null) meter.onTokens = (n) => router().addTokens(group, target, n);
  metrics().upstreamLatency.observe(
    { provider: target.provider.name, model: group.name, target: target.name },
    meter.upstreamMs / 1000,
  );
  return response;
}

/** The whole of an upstream's answer, or the error a client gets when it stalls or breaks after its headers. */
export async function readAnswer(
  upstream: UpstreamResponse,
  name: string,
  abort: AbortController,
): Promise<Buffer> {
  try {
    return await collect(upstream.body, MAX_UPSTREAM_BODY, () => errors.upstreamError(name, upstream.status));
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    // The answer stalled after its headers: the total or body timeout, or the client leaving.
    if (timedOut(abort.signal) || err instanceof undiciErrors.BodyTimeoutError)
      throw errors.upstreamTimeout(name);
    if (abort.signal.aborted) throw errors.clientClosed();
    throw errors.upstreamUnavailable(name);
  }
}

const MAX_UPSTREAM_BODY = 256 * 1024 * 1024;

/**
 * How a stream reaches the client. By default each upstream event goes on as it came (restored): OpenAI's own
 * format. A route of Portico's own (a custom endpoint) writes its own events from the restored ones.
 */
export interface SseMapper {
  /** The client's events for these restored upstream events (`ev` is the upstream event they came in). */
  events(ev: SseEvent, objs: Json[]): string;
  /** Written last when the stream ended well. */
  end?(): string;
  /** Written last when the upstream failed midway. */
  error?(e: ProxyError): string;
}

const OPENAI_EVENTS: SseMapper = {
  events(ev, objs) {
    let out = '';
    for (const obj of objs) {
      const name = ev.event !== undefined && typeof obj.type === 'string' ? obj.type : ev.event;
      out += formatSse({ event: name, data: JSON.stringify(obj) });
    }
    return out;
  },
  error: (e) => formatSse({ data: JSON.stringify(e.body()) }),
};

interface PumpOptions {
  op: Op;
  /** The model's prices, for images its tools make. */
  model: Model;
  requestBytes: number;
  restorer?: StreamRestorer;
  clientWantsUsage: boolean;
  meter: CallMeter;
  headers: Record<string, string>;
  signal: AbortSignal;
  map?: SseMapper;
  /** Sees every parsed upstream event before it is restored (the ids a stored response's events carry). */
  observe?(event: Json): void;
  /**
   * Runs when the upstream stream ended well, before its end reaches the client: what must hold once the client has
   * the whole answer (a stored response recorded as the app's, so that retrieving it at once finds it).
   */
  beforeEnd?(): Promise<void>;
}

/** Passes an SSE answer through event by event, with back-pressure; reads usage on the way. */
export async function pumpSse(
  res: ServerResponse,
  upstream: UpstreamResponse,
  o: PumpOptions,
): Promise<void> {
  const map = o.map ?? OPENAI_EVENTS;
  res.writeHead(200, {
    ...BASE_HEADERS,
    ...o.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  o.meter.status = 200;
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const restorer = o.restorer;
  // A mapper of Portico's own sees every event parsed; OpenAI's format passes the ones nothing needs untouched.
  const parseAll = o.map !== undefined || o.observe !== undefined;
  const emit = (ev: SseEvent, objs: Json[]) => map.events(ev, objs);
  const flushRestorer = () => (restorer ? emit({ data: '' }, restorer.flush()) : '');
  let sawUsage = false;
  let dataChars = 0;
  let chunks = 0;
  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (ev.comment !== undefined && ev.data === '') {
        if (!o.map) out += formatSse(ev);
        continue;
      }
      dataChars += ev.data.length;
      chunks++;
      if (ev.data === '[DONE]') {
        out += flushRestorer() + (o.map ? '' : formatSse(ev));
        continue;
      }
      if (!restorer && !parseAll && !HAS_USAGE.test(ev.data) && !ev.data.includes(IMAGE_CALL)) {
        out += formatSse(ev);
        continue;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(ev.data);
      } catch {
        if (!o.map) out += formatSse(ev);
        continue;
      }
      if (!isObj(obj)) {
        if (!o.map) out += formatSse(ev);
        continue;
      }
      o.observe?.(obj);
      if (
        obj.type === 'response.output_item.done' &&
        isObj(obj.item) &&
        obj.item.type === 'image_generation_call'
      )
        meterImages(o.meter, o.model, 1);
      const { usage, drop } = streamedUsage(o.op, obj, o.clientWantsUsage);
      if (usage) {
        sawUsage = true;
        o.meter.promptTokens = usage.prompt;
        o.meter.completionTokens = usage.completion;
      }
      if (drop) continue;
      out += emit(ev, restorer ? restorer.transform(obj) : [obj]);
    }
    return out;
  };
  const body = upstream.body;
  // A stream that ends without its usage (cut short, or an upstream that ignores stream_options) is still
  // billed: estimated from the request size and the streamed text (about 4 characters a token, less JSON).
  const estimateIfUnknown = () => {
    if (sawUsage) return;
    o.meter.promptTokens = Math.ceil(o.requestBytes / 4);
    o.meter.completionTokens = Math.max(0, Math.ceil((dataChars - chunks * 120) / 4));
  };
  // The tail to write when the upstream ended well; nothing when it failed or the client left (already handled).
  const tail = await new Promise<string | undefined>((resolve) => {
    let writing = false;
    const finish = (rest?: string) => {
      body.off('data', onData);
      estimateIfUnknown();
      resolve(rest);
    };
    const onData = (chunk: Buffer) => {
      if (o.signal.aborted) return timedOut(o.signal) ? undefined : finish();
      const out = handle(parser.push(decoder.decode(chunk, { stream: true })));
      // Back-pressure: stop reading the upstream until the client has taken what we wrote.
      if (out && !res.write(out) && !writing) {
        writing = true;
        body.pause();
        res.once('drain', () => {
          writing = false;
          body.resume();
        });
      }
    };
    body.on('data', onData);
    body.once('end', () => {
      finish(handle(parser.push(decoder.decode())) + handle(parser.end()) + flushRestorer());
    });
    body.once('error', (err: Error) => {
      // Its tokens estimated before the end is written: the end is when the call is metered.
      finish();
      if (!o.signal.aborted || timedOut(o.signal)) {
        // The upstream dropped or ran past its total timeout mid-stream: end with an OpenAI-style error
        // event, never a hang.
        const e = timedOut(o.signal)
          ? errors.upstreamTimeout(o.meter.model)
          : errors.upstreamUnavailable(o.meter.model);
        o.meter.fail(e);
        log().warn(
          { requestId: o.meter.requestId, err: timedOut(o.signal) ? 'total timeout' : err.message },
          'upstream stream failed',
        );
        if (!res.destroyed) res.end(map.error?.(e) ?? '');
      }
    });
    res.once('close', () => {
      if (!res.writableFinished) {
        body.destroy();
        finish();
      }
    });
  });
  if (tail === undefined) return;
  try {
    await o.beforeEnd?.();
  } finally {
    if (!res.destroyed) res.end(tail + (map.end?.() ?? ''));
  }
}
