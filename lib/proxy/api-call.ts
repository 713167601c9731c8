import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig, Model } from '../config';
import type { KeyCache } from '../keys/cache';
import type { KeyPrincipal } from '../keys/principal';
import { hasLimits, type Limiter, type LimitCheck } from '../limits';
import { log } from '../log';
import { metrics } from '../metrics';
import type { PhiOffload } from '../phi/offload';
import type { UsageRecorder } from '../usage/recorder';
import { authenticate, authorizeApp, presentedKey, refuseBrowser } from './auth';
import { errors, ProxyError } from './errors';
import type { KeyGuard } from './guard';
import { bodyBytes, sendError } from './http';
import { UpstreamFailure } from './providers';
import type { Span } from '@opentelemetry/api';
import { endSpan } from '../tracing';

// One API call, whatever the route: one wrapper (withApiKey) refuses browsers, checks the method, authenticates the
// key and the app, and hands the handler a typed context; runCall maps errors to OpenAI's shape and records exactly
// one usage event.

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

/** What one call is metered as; recorded once, when the call ends however it ends. */
export class CallMeter {
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
  /** The deployment that answered (a model's target), and what to tell the router of its tokens once known. */
  upstream: string | null = null;
  onTokens?: (tokens: number) => void;
  /** The request's trace span (when tracing is on), ended with the final status and token counts. */
  span?: Span;
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
    return (
      (this.promptTokens * this.inputPerMillion + this.completionTokens * this.outputPerMillion) / 1e6 +
      this.unitCostUsd
    );
  }

  record(deps: Pick<ProxyDeps, 'usage' | 'limiter'>) {
    if (this.done || !this.principal) return;
    this.done = true;
    deps.limiter.settle(this.reservation, {
      tokens: this.promptTokens + this.completionTokens,
      costUsd: this.costUsd,
    });
    this.onTokens?.(this.promptTokens + this.completionTokens);
    if (this.span) {
      this.span.setAttributes({
        'gen_ai.usage.input_tokens': this.promptTokens,
        'gen_ai.usage.output_tokens': this.completionTokens,
        ...(this.upstream ? { 'portico.upstream.target': this.upstream } : {}),
      });
      endSpan(this.span, this.status, this.errorCode);
    }
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
      upstream: this.upstream,
    });
  }
}

export interface ApiCall {
  meter: CallMeter;
  /** Headers every answer of this call carries (request id, rate limits, PHI count). */
  headers: Record<string, string>;
  /** Aborted when the client goes away (and by an upstream's total timeout). */
  abort: AbortController;
}

export function toProxyError(err: unknown, requestId: string): ProxyError {
  if (err instanceof ProxyError) return err;
  log().error(
    {
      requestId,
      err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    },
    'unhandled proxy error',
  );
  return errors.internal();
}

/**
 * One API call, whatever the route: the request id, the abort when the client leaves, errors in
 * OpenAI's shape (after the route family's own mapping), and exactly one usage record at the end.
 */
export async function runCall(
  req: IncomingMessage,
  res: ServerResponse,
  deps: Pick<ProxyDeps, 'usage' | 'limiter'>,
  meter: CallMeter,
  handler: (x: ApiCall) => Promise<void> | void,
  mapError?: (e: ProxyError) => ProxyError,
): Promise<void> {
  const x: ApiCall = { meter, headers: { 'x-request-id': meter.requestId }, abort: new AbortController() };
  // An answer's end leaves only once its usage record is in the journal: a process killed after the client has the
  // whole answer cannot lose what it cost (the next start writes the journal to the database). The journal is
  // written once at the end of the event loop's turn for every answer that ended in it, and the ends leave then.
  const end = res.end;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (meter.status === 0) meter.status = res.statusCode;
    meter.record(deps);
    deps.usage.afterJournal(() => (end as (...a: unknown[]) => ServerResponse).apply(this, args));
    return this;
  } as ServerResponse['end'];
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

/** What a handler behind a Portico key gets: the call, the key's principal, the config and the dependencies. */
export interface ApiContext extends ApiCall {
  principal: KeyPrincipal;
  config: GatewayConfig;
  deps: ProxyDeps;
}

export interface ApiRoute {
  /** Operation and route label for usage and metrics. */
  op: string;
  route: string;
  /** The methods the route answers; any other is a 405 (before the key is looked at). */
  methods: readonly string[];
  /** Where the key is (default: `api-key` or `Authorization: Bearer`). */
  key?(req: IncomingMessage): string | undefined;
  /** The route family's own error statuses. */
  mapError?(e: ProxyError): ProxyError;
}

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, ctx: ApiContext) => Promise<void> | void;

/**
 * The one way in for API callers: browsers refused, the method checked, the key authenticated and its app
 * approved, then the handler with a typed context; errors and metering as for every call.
 */
export function withApiKey(
  route: ApiRoute,
  handler: ApiHandler,
): (req: IncomingMessage, res: ServerResponse, deps: ProxyDeps) => Promise<void> {
  return (req, res, deps) => {
    const meter = new CallMeter(route.op, route.route);
    return runCall(
      req,
      res,
      deps,
      meter,
      async (x) => {
        refuseBrowser(req);
        const method = req.method ?? '?';
        if (!route.methods.includes(method))
          throw errors.methodNotAllowed(method, route.methods[0] ?? 'POST');
        const principal = await authenticate(deps, req, route.key ? route.key(req) : presentedKey(req));
        meter.principal = principal;
        authorizeApp(principal);
        await handler(req, res, { ...x, principal, config: deps.config(), deps });
      },
      route.mapError,
    );
  };
}

/** The model a request names, if this app may use it (a model it may not use is as unknown as any other). */
export function resolveModel(cfg: GatewayConfig, p: KeyPrincipal, name: string): Model {
  const model = cfg.models.get(name);
  if (!model || !p.app.allowedModels.includes(name))
    throw errors.modelNotFound(
      name,
      p.app.allowedModels.filter((m) => cfg.models.has(m)),
    );
  return model;
}

/**
 * The client's api-version when it is a dated Azure version; "v1", "preview" and the like (sent by the
 * v1-shaped clients) are not valid on deployment URLs, where the provider's configured version applies.
 */
export function datedApiVersion(v: string | null): string | undefined {
  return v && /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(v) ? v : undefined;
}

/** What an upstream call that failed before any answer means for the client: 504, 499 or 502 (other errors as they are). */
export function upstreamFailureError(err: unknown, model: string): unknown {
  if (!(err instanceof UpstreamFailure)) return err;
  if (err.kind === 'timeout') return errors.upstreamTimeout(model);
  if (err.kind === 'aborted') return errors.clientClosed();
  return errors.upstreamUnavailable(model);
}

/** Prices per million tokens: what a request's estimate is reserved at. */
export interface Price {
  inputPerMillion: number;
  outputPerMillion: number;
}

const DEFAULT_OUTPUT_ESTIMATE = 512;

/** The app's per-minute limits and monthly budgets, reserved before the upstream call. */
export async function applyLimits(
  ctx: ApiContext,
  price: Price,
  body: Record<string, unknown>,
): Promise<void> {
  const p = ctx.principal;
  const limits = {
    rpm: p.app.rpmLimit,
    tpm: p.app.tpmLimit,
    monthlyTokens: p.app.monthlyTokenBudget,
    monthlyCostUsd: p.app.monthlyCostBudgetUsd,
  };
  if (!hasLimits(limits)) return;
  // A conservative estimate (prompt ≈ 4 characters a token, the requested maximum output) is reserved so
  // that concurrent requests cannot all slip under a budget; the actual usage replaces it afterwards.
  const input = Math.ceil(bodyBytes(body) / 4);
  const maxOut = [body.max_tokens, body.max_completion_tokens, body.max_output_tokens].find(
    (v) => typeof v === 'number',
  );
  const output =
    ctx.meter.op === 'embeddings' ? 0 : typeof maxOut === 'number' ? maxOut : DEFAULT_OUTPUT_ESTIMATE;
  const estimate = {
    tokens: input + output,
    costUsd: (input * price.inputPerMillion + output * price.outputPerMillion) / 1e6,
  };
  const check = await ctx.deps.limiter.check(p.app.id, limits, estimate);
  Object.assign(ctx.headers, check.headers);
  metrics().limiter.inc({ decision: check.ok ? 'allowed' : check.reason! });
  if (!check.ok) throw errors.limited(check.reason!, limits, check.retryAfterS);
  ctx.meter.reservation = check.reservation;
}
