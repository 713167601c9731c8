import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObj, type Json } from '../json';
import { errors as undiciErrors } from 'undici';
import type { GatewayConfig, Model, Target } from '../config';
import type { KeyPrincipal } from '../keys/principal';
import { log } from '../log';
import { metrics } from '../metrics';
import type { StreamRestorer } from '../phi';
import { errors, ProxyError } from './errors';
import {
  applyLimits,
  datedApiVersion,
  resolveModel,
  upstreamFailureError,
  withApiKey,
  type ApiContext,
  type Meter,
  type ProxyDeps,
} from './exchange';
import { BASE_HEADERS, bodyBytes, collect, readJsonObject, sendJson, sendRaw } from './http';
import { checkMediaParts, restoreJson, scanOutgoing, streamRestorer } from './phi-step';
import { sendUpstream, timedOut, UpstreamFailure, type UpstreamResponse } from './providers';
import { quotaSpentMs, retryAfterMs, router } from './router';
import type { OaiRoute, Operation } from './routes';
import { formatSse, SseParser, type SseEvent } from './sse';
import { mapUpstreamError } from './upstream-errors';
import { HAS_USAGE, readUsage, streamedUsage, usageFromJsonTail } from './usage-events';
import { validateBody } from './validate';
import type { Span } from '@opentelemetry/api';
import { attemptSpan, endSpan, requestSpan } from '../tracing';

type Op = Exclude<Operation, 'models'>;

function listModels(
  res: ServerResponse,
  cfg: GatewayConfig,
  p: KeyPrincipal,
  headers: Record<string, string>,
) {
  const created = Math.floor(Date.now() / 1000);
  const data = p.app.allowedModels
    .filter((m) => cfg.models.has(m))
    .map((id) => ({ id, object: 'model', created, owned_by: 'portico' }));
  sendJson(res, 200, { object: 'list', data }, headers);
}

/** How a route family differs from the OpenAI / Azure routes (the CompliantChatGPT-compatible one, say). */
export interface RouteVariant {
  /** Header carrying the Portico key (instead of `api-key` / Bearer). */
  keyHeader: string;
  /** Fills documented defaults in the body before validation. */
  defaults?(body: Json, cfg: GatewayConfig): void;
  /** The caller's own upstream credential, when its app may bring one. */
  credential?(
    req: IncomingMessage,
    p: KeyPrincipal,
    headers: Record<string, string>,
    model: Model,
  ): string | undefined;
  /** Adds fields to a successful JSON answer (after PHI restore). */
  decorate?(json: Json): void;
  /** Maps Portico's errors to the statuses this route family documents. */
  mapError?(e: ProxyError): ProxyError;
  streaming: boolean;
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
  op: Op,
  model: Model,
  cfg: GatewayConfig,
  body: Json,
  apiVersion: string | undefined,
  credentialOverride: string | undefined,
  abort: AbortController,
  headers: Record<string, string>,
  span?: Span,
): Promise<{ response: UpstreamResponse; target: Target; group: Model }> {
  const r = router();
  const groups = [model, ...model.fallbacks.map((f) => cfg.models.get(f)).filter((m): m is Model => !!m)];
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

/** Handles every OpenAI / Azure OpenAI compatible route: inside `withApiKey`: validate, model, limits, PHI, upstream, meter. */
export function handleOai(
  req: IncomingMessage,
  res: ServerResponse,
  route: OaiRoute,
  url: URL,
  deps: ProxyDeps,
  variant?: RouteVariant,
): Promise<void> {
  const models = route.op === 'models';
  return withApiKey(
    {
      op: route.op,
      route: `${route.style}:${route.op}`,
      methods: models ? ['GET', 'HEAD'] : ['POST'],
      key: variant ? (r) => headerValue(r, variant.keyHeader) : undefined,
      mapError: variant?.mapError,
    },
    (rq, rs, ctx) => (models ? answerModels(rs, route, ctx) : exchange(rq, rs, route, url, ctx, variant)),
  )(req, res, deps);
}

/** GET …/models and …/models/{id}: only the app's own models exist for it (any other is a 404, as an unknown one). */
function answerModels(
  res: ServerResponse,
  route: OaiRoute,
  { principal, config, meter, headers }: ApiContext,
): void {
  meter.status = 200;
  if (route.modelId === undefined) return listModels(res, config, principal, headers);
  resolveModel(config, principal, route.modelId);
  sendJson(
    res,
    200,
    { id: route.modelId, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'portico' },
    headers,
  );
}

/** Chat, completions, embeddings and responses: steps 1 and 4 to 8 of the pipeline (2 and 3 are the wrapper's). */
async function exchange(
  req: IncomingMessage,
  res: ServerResponse,
  route: OaiRoute,
  url: URL,
  ctx: ApiContext,
  variant?: RouteVariant,
): Promise<void> {
  const { principal, config: cfg, deps, meter, headers, abort } = ctx;
  const op = route.op as Op; // media routes go to lib/proxy/media.ts
  const body = await readJsonObject(req, deps.maxBodyBytes);
  variant?.defaults?.(body, cfg);
  validateBody(op, body, route.deployment);
  checkMediaParts(op, body, principal.app);
  if (variant && !variant.streaming && body.stream === true)
    throw errors.badRequest(
      'Streaming is not available on this endpoint; use the OpenAI-compatible routes under /api/public/oai for streamed answers.',
      'stream',
    );
  const name = route.deployment ?? (typeof body.model === 'string' ? body.model : undefined);
  if (!name)
    throw errors.badRequest('Name the model: set "model" in the body (or use a deployment URL).', 'model');
  // Recorded (in usage and metric labels) only once it names a configured model: client text never becomes a label.
  const model = resolveModel(cfg, principal, name);
  meter.model = name;
  meter.span = requestSpan(op, name);
  meter.inputPerMillion = model.inputPerMillion;
  meter.outputPerMillion = model.outputPerMillion;

  await applyLimits(ctx, model, body);

  const stream = body.stream === true;
  meter.streamed = stream;
  const clientWantsUsage = isObj(body.stream_options) && body.stream_options.include_usage === true;
  // The body is Portico's own parse of the request: it is rewritten in place for the upstream.
  const outgoing: Json = body;
  if (stream && (op === 'chat' || op === 'completions')) {
    // Ask for the usage chunk so that streamed answers are metered; hidden from clients that did not ask.
    outgoing.stream_options = {
      ...(isObj(body.stream_options) ? body.stream_options : {}),
      include_usage: true,
    };
  }

  const phi = await scanOutgoing(ctx, op, outgoing);

  const apiVersion = datedApiVersion(url.searchParams.get('api-version'));
  const credential = variant?.credential?.(req, principal, headers, model);
  const upstream = await forwardMetered(op, model, outgoing, apiVersion, credential, ctx);
  if (upstream.status < 200 || upstream.status >= 300)
    throw await mapUpstreamError(upstream, name, !!credential);

  const contentType = String(upstream.headers['content-type'] ?? '');
  if (stream && contentType.includes('text/event-stream')) {
    await pipeSse(res, upstream, {
      op,
      model,
      requestBytes: bodyBytes(body),
      clientWantsUsage,
      meter,
      headers,
      signal: abort.signal,
      restorer: streamRestorer(op, phi.session),
    });
    return;
  }
  const raw = await readAnswer(upstream, name, abort);
  meter.status = 200;
  if (op === 'responses' && raw.includes(IMAGE_CALL)) meterImages(meter, model, countImageCalls(raw));
  if (!phi.session && !variant?.decorate) {
    // Nothing changes the answer: send the upstream's bytes as they came, reading only its usage.
    const usage = usageFromJsonTail(raw);
    if (usage) {
      meter.promptTokens = usage.prompt;
      meter.completionTokens = usage.completion;
    }
    return sendRaw(res, 200, raw, 'application/json', headers);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw errors.upstreamError(name, upstream.status);
  }
  const usage = isObj(json) ? readUsage(json.usage) : null;
  if (usage) {
    meter.promptTokens = usage.prompt;
    meter.completionTokens = usage.completion;
  }
  if (phi.session) restoreJson(op, json, phi.session);
  if (variant?.decorate && isObj(json)) variant.decorate(json);
  sendJson(res, 200, json, headers);
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

function meterImages(meter: Meter, model: Model, n: number): void {
  if (n <= 0) return;
  meter.units = (meter.units ?? 0) + n;
  meter.unit = 'images';
  meter.unitCostUsd += n * model.perImage;
}

/** forward(), metered: the deployment that answered, its latency (usage and metrics) and its tokens for the router. */
export async function forwardMetered(
  op: Op,
  model: Model,
  body: Json,
  apiVersion: string | undefined,
  credential: string | undefined,
  { config, abort, headers, meter }: ApiContext,
): Promise<UpstreamResponse> {
  const t0 = performance.now();
  const { response, target, group } = await forward(
    op,
    model,
    config,
    body,
    apiVersion,
    credential,
    abort,
    headers,
    meter.span,
  );
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

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

const MAX_UPSTREAM_BODY = 256 * 1024 * 1024;

interface PipeOptions {
  op: Op;
  /** The model's prices, for images its tools make. */
  model: Model;
  requestBytes: number;
  restorer?: StreamRestorer;
  clientWantsUsage: boolean;
  meter: Meter;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** Passes an SSE answer through event by event, with back-pressure; reads usage on the way. */
async function pipeSse(res: ServerResponse, upstream: UpstreamResponse, o: PipeOptions): Promise<void> {
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
  const emit = (ev: SseEvent, objs: Record<string, unknown>[]) => {
    let out = '';
    for (const obj of objs) {
      const name = ev.event !== undefined && typeof obj.type === 'string' ? obj.type : ev.event;
      out += formatSse({ event: name, data: JSON.stringify(obj) });
    }
    return out;
  };
  const flushRestorer = () => (restorer ? emit({ data: '' }, restorer.flush()) : '');
  let sawUsage = false;
  let dataChars = 0;
  let chunks = 0;
  const handle = (events: SseEvent[]): string => {
    let out = '';
    for (const ev of events) {
      if (ev.comment !== undefined && ev.data === '') {
        out += formatSse(ev);
        continue;
      }
      dataChars += ev.data.length;
      chunks++;
      if (ev.data === '[DONE]') {
        out += flushRestorer() + formatSse(ev);
        continue;
      }
      if (!restorer && !HAS_USAGE.test(ev.data) && !ev.data.includes(IMAGE_CALL)) {
        out += formatSse(ev);
        continue;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(ev.data);
      } catch {
        out += formatSse(ev);
        continue;
      }
      if (!isObj(obj)) {
        out += formatSse(ev);
        continue;
      }
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
      out += restorer
        ? emit(ev, restorer.transform(obj))
        : formatSse({ event: ev.event, data: JSON.stringify(obj) });
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
  await new Promise<void>((resolve) => {
    let writing = false;
    const finish = () => {
      body.off('data', onData);
      estimateIfUnknown();
      resolve();
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
      const rest = handle(parser.push(decoder.decode())) + handle(parser.end()) + flushRestorer();
      if (!res.destroyed) res.end(rest);
      finish();
    });
    body.once('error', (err: Error) => {
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
        if (!res.destroyed) res.end(formatSse({ data: JSON.stringify(e.body()) }));
      }
      finish();
    });
    res.once('close', () => {
      if (!res.writableFinished) {
        body.destroy();
        finish();
      }
    });
  });
}
