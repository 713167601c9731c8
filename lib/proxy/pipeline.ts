import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig, Model } from '../config';
import type { KeyCache } from '../keys/cache';
import type { KeyPrincipal } from '../keys/principal';
import type { UsageRecorder } from '../usage/recorder';
import { authenticate, authorizeApp, presentedKey, refuseBrowser } from './auth';
import { errors, ProxyError } from './errors';
import { BASE_HEADERS, bodyBytes, collect, readJsonObject, sendError, sendJson, sendRaw } from './http';
import { sendUpstream, timedOut, UpstreamFailure, type UpstreamResponse } from './providers';
import { errors as undiciErrors } from 'undici';
import type { OaiRoute, Operation } from './routes';
import { formatSse, SseParser, type SseEvent } from './sse';
import { applyPhiPolicy, checkMediaParts, phiBlocked, restoreJson, streamRestorer } from './phi-step';
import type { PhiOffload } from '../phi/offload';
import type { StreamRestorer } from '../phi';
import { mapUpstreamError } from './upstream-errors';
import { validateBody } from './validate';
import { log } from '../log';
import { metrics } from '../metrics';
import { hasLimits, type Limiter, type LimitCheck } from '../limits';
import type { KeyGuard } from './guard';

export interface ProxyDeps {
  config(): GatewayConfig;
  keys: KeyCache;
  usage: UsageRecorder;
  limiter: Limiter;
  guard: KeyGuard;
  maxBodyBytes: number;
  /** Worker threads for the PHI scan of large requests (none: every scan runs inline). */
  phiOffload?: PhiOffload;
}

type Op = Exclude<Operation, 'models'>;

/** What one request is metered as; recorded once, when the exchange ends however it ends. */
export class Meter {
  readonly requestId = randomUUID();
  readonly started = performance.now();
  readonly at = new Date();
  principal?: KeyPrincipal;
  model = '';
  /** The operation, for usage and metrics: chat, embeddings, images, http, phi/deidentify, … */
  op: string;
  status = 0;
  streamed = false;
  promptTokens = 0;
  completionTokens = 0;
  inputPerMillion = 0;
  outputPerMillion = 0;
  upstreamMs: number | null = null;
  errorCode: string | null = null;
  phiCounts: Record<string, number> | null = null;
  reservation: LimitCheck['reservation'];
  /** Images and audio: what they bill by, and its cost (added to the token cost). */
  units: number | null = null;
  unit: string | null = null;
  unitCostUsd = 0;
  private done = false;

  constructor(
    op: string,
    readonly route: string,
  ) {
    this.op = op;
  }

  fail(e: ProxyError) {
    this.status = e.status;
    this.errorCode = e.code;
  }

  get costUsd(): number {
    return (this.promptTokens * this.inputPerMillion + this.completionTokens * this.outputPerMillion) / 1e6 + this.unitCostUsd;
  }

  record(deps: Pick<ProxyDeps, 'usage' | 'limiter'>) {
    if (this.done || !this.principal) return;
    this.done = true;
    deps.limiter.settle(this.reservation, { tokens: this.promptTokens + this.completionTokens, costUsd: this.costUsd });
    const latencyMs = performance.now() - this.started;
    const m = metrics();
    const app = this.principal.app.name;
    const model = this.model || '-';
    m.requests.inc({ app, model, operation: this.op, status: String(this.status) });
    m.latency.observe({ operation: this.op, streamed: this.streamed ? 'yes' : 'no' }, latencyMs / 1000);
    if (this.promptTokens) m.tokens.inc({ app, model, direction: 'in' }, this.promptTokens);
    if (this.completionTokens) m.tokens.inc({ app, model, direction: 'out' }, this.completionTokens);
    if (this.costUsd) m.cost.inc({ app, model }, this.costUsd);
    if (this.phiCounts) for (const [type, n] of Object.entries(this.phiCounts)) m.phi.inc({ type }, n);
    if (this.errorCode?.startsWith('upstream_')) m.upstreamErrors.inc({ kind: this.errorCode });
    deps.usage.record({
      requestId: this.requestId,
      createdAt: this.at,
      appId: this.principal.app.id,
      keyId: this.principal.keyId,
      model: this.model || '-',
      operation: this.op,
      route: this.route,
      status: this.status,
      streamed: this.streamed,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      costUsd: this.costUsd,
      latencyMs: Math.round(latencyMs),
      upstreamLatencyMs: this.upstreamMs,
      errorCode: this.errorCode,
      phiCounts: this.phiCounts,
      units: this.units,
      unit: this.unit,
    });
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Token counts from an upstream `usage` object (chat/completions/embeddings or Responses API shape). */
export function readUsage(u: unknown): { prompt: number; completion: number } | null {
  if (!isObj(u)) return null;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
  if ('input_tokens' in u || 'output_tokens' in u) return { prompt: n(u.input_tokens), completion: n(u.output_tokens) };
  return { prompt: n(u.prompt_tokens), completion: n(u.completion_tokens) };
}

const USAGE_KEY = Buffer.from('"usage"');

/**
 * The top-level `usage` of a JSON answer without parsing the whole answer: OpenAI-shaped answers end
 * with it. A key inside a string cannot match (its quotes would be escaped).
 */
export function usageFromJsonTail(buf: Buffer): { prompt: number; completion: number } | null {
  const at = buf.lastIndexOf(USAGE_KEY);
  if (at < 0) return null;
  let i = at + USAGE_KEY.length;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09 || buf[i] === 0x3a)) i++;
  if (buf[i] !== 0x7b) return null;
  let depth = 0;
  let inString = false;
  for (let j = i; j < buf.length; j++) {
    const c = buf[j];
    if (inString) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        return readUsage(JSON.parse(buf.toString('utf8', i, j + 1)));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Step 1 (second half): the model a request names, if this app may use it. */
/**
 * The client's api-version when it is a dated Azure version; "v1", "preview" and the like (sent by the
 * v1-shaped clients) are not valid on deployment URLs, where the provider's configured version applies.
 */
export function datedApiVersion(v: string | null): string | undefined {
  return v && /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(v) ? v : undefined;
}

export function resolveModel(cfg: GatewayConfig, p: KeyPrincipal, name: string): Model {
  const model = cfg.models.get(name);
  if (!model || !p.app.allowedModels.includes(name)) throw errors.modelNotFound(name, p.app.allowedModels.filter((m) => cfg.models.has(m)));
  return model;
}

function listModels(res: ServerResponse, cfg: GatewayConfig, p: KeyPrincipal, headers: Record<string, string>) {
  const created = Math.floor(Date.now() / 1000);
  const data = p.app.allowedModels
    .filter((m) => cfg.models.has(m))
    .map((id) => ({ id, object: 'model', created, owned_by: 'portico' }));
  sendJson(res, 200, { object: 'list', data }, headers);
}

const DEFAULT_OUTPUT_ESTIMATE = 512;

/** Step 4: the app's per-minute limits and monthly budgets, reserved before the upstream call. */
export async function applyLimits(limiter: Limiter, p: KeyPrincipal, model: Model, body: Json, meter: Meter, headers: Record<string, string>) {
  const limits = { rpm: p.app.rpmLimit, tpm: p.app.tpmLimit, monthlyTokens: p.app.monthlyTokenBudget, monthlyCostUsd: p.app.monthlyCostBudgetUsd };
  if (!hasLimits(limits)) return;
  // A conservative estimate (prompt ≈ 4 characters a token, the requested maximum output) is reserved so
  // that concurrent requests cannot all slip under a budget; the actual usage replaces it afterwards.
  const input = Math.ceil(bodyBytes(body) / 4);
  const maxOut = [body.max_tokens, body.max_completion_tokens, body.max_output_tokens].find((v) => typeof v === 'number');
  const output = meter.op === 'embeddings' ? 0 : typeof maxOut === 'number' ? maxOut : DEFAULT_OUTPUT_ESTIMATE;
  const estimate = { tokens: input + output, costUsd: (input * model.inputPerMillion + output * model.outputPerMillion) / 1e6 };
  const check = await limiter.check(p.app.id, limits, estimate);
  Object.assign(headers, check.headers);
  metrics().limiter.inc({ decision: check.ok ? 'allowed' : check.reason! });
  if (!check.ok) throw errors.limited(check.reason!, limits, check.retryAfterS);
  meter.reservation = check.reservation;
}

/** How a route family differs from the OpenAI / Azure routes (the CompliantChatGPT-compatible one, say). */
export interface RouteVariant {
  /** Header carrying the Portico key (instead of `api-key` / Bearer). */
  keyHeader: string;
  /** Fills documented defaults in the body before validation. */
  defaults?(body: Json, cfg: GatewayConfig): void;
  /** The caller's own upstream credential, when its app may bring one. */
  credential?(req: IncomingMessage, p: KeyPrincipal, headers: Record<string, string>, model: Model): string | undefined;
  /** Adds fields to a successful JSON answer (after PHI restore). */
  decorate?(json: Json): void;
  /** Maps Portico's errors to the statuses this route family documents. */
  mapError?(e: ProxyError): ProxyError;
  streaming: boolean;
}

/** What an upstream call that failed before any answer means for the client: 504, 499 or 502 (other errors as they are). */
export function upstreamFailureError(err: unknown, model: string): unknown {
  if (!(err instanceof UpstreamFailure)) return err;
  if (err.kind === 'timeout') return errors.upstreamTimeout(model);
  if (err.kind === 'aborted') return errors.clientClosed();
  return errors.upstreamUnavailable(model);
}

/** Step 6: the upstream call; a connection that fails before any answer is retried once per fallback model. */
async function forward(op: Op, model: Model, cfg: GatewayConfig, body: Json, apiVersion: string | undefined, credentialOverride: string | undefined, abort: AbortController): Promise<UpstreamResponse> {
  const candidates = [model, ...model.fallbacks.map((f) => cfg.models.get(f)).filter((m): m is Model => !!m)];
  for (let i = 0; ; i++) {
    const m = candidates[i]!;
    try {
      // A caller's own credential only ever goes to the model it named, never to a fallback's provider.
      return await sendUpstream({ op, model: m, body, apiVersion, credentialOverride: i === 0 ? credentialOverride : undefined, abort });
    } catch (err) {
      if (!(err instanceof UpstreamFailure) || err.kind !== 'connect') throw upstreamFailureError(err, model.name);
      metrics().upstreamErrors.inc({ kind: `connect:${m.provider.name}` });
      if (i + 1 >= candidates.length || (credentialOverride && i === 0)) throw errors.upstreamUnavailable(model.name);
      log().warn({ model: model.name, from: m.provider.name, to: candidates[i + 1]!.provider.name }, 'upstream unreachable; trying the fallback');
    }
  }
}

export interface Exchange {
  meter: Meter;
  /** Headers every answer of this exchange carries (request id, rate limits, PHI count). */
  headers: Record<string, string>;
  /** Aborted when the client goes away (and by an upstream's total timeout). */
  abort: AbortController;
}

/**
 * One proxied exchange, whatever the route: the request id, the abort when the client leaves, errors in
 * OpenAI's shape (after the route family's own mapping), and exactly one usage record at the end.
 */
export async function runExchange(
  req: IncomingMessage,
  res: ServerResponse,
  deps: Pick<ProxyDeps, 'usage' | 'limiter'>,
  meter: Meter,
  handler: (x: Exchange) => Promise<void> | void,
  mapError?: (e: ProxyError) => ProxyError,
): Promise<void> {
  const x: Exchange = { meter, headers: { 'x-request-id': meter.requestId }, abort: new AbortController() };
  res.once('close', () => {
    if (!res.writableFinished) {
      x.abort.abort();
      if (meter.status === 0) meter.fail(errors.clientClosed());
    }
    // After the route's own close handlers (a cut stream estimates its tokens there) have run.
    queueMicrotask(() => meter.record(deps));
  });
  try {
    await handler(x);
    if (meter.status === 0) meter.status = res.statusCode;
  } catch (err) {
    const proxied = toProxyError(err, meter.requestId);
    const e = mapError ? mapError(proxied) : proxied;
    meter.fail(e);
    if (!meter.principal || e.status === 403) metrics().authFailures.inc({ code: e.code });
    req.resume();
    if (e.status !== 499) sendError(res, e, x.headers);
    else if (!res.headersSent) res.destroy();
  } finally {
    // Metered as soon as the answer is written; a client that left early is metered on 'close'.
    if (res.writableEnded) meter.record(deps);
  }
}

/** Handles every OpenAI / Azure OpenAI compatible route: the request pipeline of DESIGN.md. */
export async function handleOai(req: IncomingMessage, res: ServerResponse, route: OaiRoute, url: URL, deps: ProxyDeps, variant?: RouteVariant): Promise<void> {
  const meter = new Meter(route.op, `${route.style}:${route.op}`);
  await runExchange(req, res, deps, meter, async ({ headers, abort }) => {
    refuseBrowser(req);
    const expected = route.op === 'models' ? 'GET' : 'POST';
    if (req.method !== expected && !(route.op === 'models' && req.method === 'HEAD')) throw errors.methodNotAllowed(req.method ?? '?', expected);
    const principal = await authenticate(deps, req, variant ? headerValue(req, variant.keyHeader) : presentedKey(req));
    meter.principal = principal;
    authorizeApp(principal);
    const cfg = deps.config();
    if (route.op === 'models') {
      if (route.modelId !== undefined) {
        // Only the app's own models exist for it: another model is a 404, as an unknown one is.
        resolveModel(cfg, principal, route.modelId);
        meter.status = 200;
        return sendJson(res, 200, { id: route.modelId, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'portico' }, headers);
      }
      meter.status = 200;
      return listModels(res, cfg, principal, headers);
    }
    const op = route.op as Op; // media routes go to lib/proxy/media.ts
    const body = await readJsonObject(req, deps.maxBodyBytes);
    variant?.defaults?.(body, cfg);
    validateBody(op, body, route.deployment);
    checkMediaParts(op, body, principal.app);
    if (variant && !variant.streaming && body.stream === true) throw errors.badRequest('Streaming is not available on this endpoint; use the OpenAI-compatible routes under /api/public/oai for streamed answers.', 'stream');
    const name = route.deployment ?? (typeof body.model === 'string' ? body.model : undefined);
    if (!name) throw errors.badRequest('Name the model: set "model" in the body (or use a deployment URL).', 'model');
    // Recorded (in usage and metric labels) only once it names a configured model: client text never becomes a label.
    const model = resolveModel(cfg, principal, name);
    meter.model = name;
    meter.inputPerMillion = model.inputPerMillion;
    meter.outputPerMillion = model.outputPerMillion;

    await applyLimits(deps.limiter, principal, model, body, meter, headers);

    const stream = body.stream === true;
    meter.streamed = stream;
    const clientWantsUsage = isObj(body.stream_options) && body.stream_options.include_usage === true;
    // The body is Portico's own parse of the request: it is rewritten in place for the upstream.
    const outgoing: Json = body;
    if (stream && (op === 'chat' || op === 'completions')) {
      // Ask for the usage chunk so that streamed answers are metered; hidden from clients that did not ask.
      outgoing.stream_options = { ...(isObj(body.stream_options) ? body.stream_options : {}), include_usage: true };
    }

    const phi = await applyPhiPolicy(principal.app.phiPolicy, op, outgoing, meter.requestId, deps.phiOffload, bodyBytes(body));
    if (phi.total > 0) meter.phiCounts = phi.counts as Record<string, number>;
    if (phi.blocked) throw phiBlocked(phi.counts);
    headers['x-portico-phi-entities'] = String(phi.total);

    const apiVersion = datedApiVersion(url.searchParams.get('api-version'));
    const credential = variant?.credential?.(req, principal, headers, model);
    const t0 = performance.now();
    const upstream = await forward(op, model, cfg, outgoing, apiVersion, credential, abort);
    meter.upstreamMs = Math.round(performance.now() - t0);
    metrics().upstreamLatency.observe({ provider: model.provider.name }, meter.upstreamMs / 1000);
    if (upstream.status < 200 || upstream.status >= 300) throw await mapUpstreamError(upstream, name, !!credential);

    const contentType = String(upstream.headers['content-type'] ?? '');
    if (stream && contentType.includes('text/event-stream')) {
      await pipeSse(res, upstream, { op, requestBytes: bodyBytes(body), clientWantsUsage, meter, headers, signal: abort.signal, restorer: streamRestorer(op, phi.session) });
      return;
    }
    let raw: Buffer;
    try {
      raw = await collect(upstream.body, MAX_UPSTREAM_BODY, () => errors.upstreamError(name, upstream.status));
    } catch (err) {
      if (err instanceof ProxyError) throw err;
      // The answer stalled after its headers: the total or body timeout, or the client leaving.
      if (timedOut(abort.signal) || err instanceof undiciErrors.BodyTimeoutError) throw errors.upstreamTimeout(name);
      if (abort.signal.aborted) throw errors.clientClosed();
      throw errors.upstreamUnavailable(name);
    }
    meter.status = 200;
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
  }, variant?.mapError);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function toProxyError(err: unknown, requestId: string): ProxyError {
  if (err instanceof ProxyError) return err;
  log().error({ requestId, err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'unhandled proxy error');
  return errors.internal();
}

const MAX_UPSTREAM_BODY = 256 * 1024 * 1024;

interface PipeOptions {
  op: Op;
  requestBytes: number;
  restorer?: StreamRestorer;
  clientWantsUsage: boolean;
  meter: Meter;
  headers: Record<string, string>;
  signal: AbortSignal;
}

const HAS_USAGE = /"usage"\s*:\s*\{/;

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
      if (!restorer && !HAS_USAGE.test(ev.data)) {
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
      const usageHolder = o.op === 'responses' && isObj(obj.response) ? obj.response : obj;
      const usage = readUsage(usageHolder.usage);
      if (usage) {
        sawUsage = true;
        o.meter.promptTokens = usage.prompt;
        o.meter.completionTokens = usage.completion;
        if (o.op !== 'responses' && !o.clientWantsUsage) {
          // The usage chunk Portico asked for: a client that did not ask must not see it.
          if (Array.isArray(obj.choices) && obj.choices.length === 0) continue;
          delete obj.usage;
        }
      }
      out += restorer ? emit(ev, restorer.transform(obj)) : formatSse({ event: ev.event, data: JSON.stringify(obj) });
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
        const e = timedOut(o.signal) ? errors.upstreamTimeout(o.meter.model) : errors.upstreamUnavailable(o.meter.model);
        o.meter.fail(e);
        log().warn({ requestId: o.meter.requestId, err: timedOut(o.signal) ? 'total timeout' : err.message }, 'upstream stream failed');
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
