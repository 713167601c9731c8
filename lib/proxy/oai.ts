import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObj, type Json } from '../json';
import type { GatewayConfig, Model } from '../config';
import type { KeyPrincipal } from '../keys/principal';
import { errors, type ProxyError } from './errors';
import { datedApiVersion, resolveModel, withApiKey, type ApiContext, type ProxyDeps } from './api-call';
import { bodyBytes, readJsonObject, sendJson, sendRaw } from './http';
import { pumpSse, readJsonAnswer, startModelCall, type ModelCallOptions } from './model-call';
import { checkMediaParts, streamRestorer } from './phi-step';
import { prepareResponses } from './stateful';
import type { OaiRoute, Operation } from './routes';
import { validateBody } from './validate';
import { requestSpan } from '../tracing';

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
    (rq, rs, ctx) => (models ? answerModels(rs, route, ctx) : modelRequest(rq, rs, route, url, ctx, variant)),
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

/**
 * Chat, completions, embeddings and responses, behind withApiKey (which checked the method, the key and the app): the
 * body read and validated, the model resolved against the app's grants, the Responses state prepared, then the model
 * call (limits, PHI, upstream; lib/proxy/model-call.ts) and its answer, streamed or not.
 */
async function modelRequest(
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

  const stream = body.stream === true;
  meter.streamed = stream;
  const clientWantsUsage = isObj(body.stream_options) && body.stream_options.include_usage === true;
  const requestBytes = bodyBytes(body);
  // The body is Portico's own parse of the request: it is rewritten in place for the upstream.
  if (stream && (op === 'chat' || op === 'completions')) {
    // Ask for the usage chunk so that streamed answers are metered; hidden from clients that did not ask.
    body.stream_options = {
      ...(isObj(body.stream_options) ? body.stream_options : {}),
      include_usage: true,
    };
  }
  // A Responses turn may continue upstream state, or leave some: its chain's token map (lib/proxy/stateful.ts).
  const state = op === 'responses' ? await prepareResponses(ctx, body, model) : undefined;
  const call: ModelCallOptions = {
    op,
    model,
    name,
    body,
    session: state?.session,
    keep: state?.keep,
    afterScan: state?.afterScan,
    apiVersion: datedApiVersion(url.searchParams.get('api-version')),
    credential: variant?.credential?.(req, principal, headers, model),
  };
  const started = await startModelCall(ctx, call);
  if (stream && started.streamed) {
    // The objects it made are the app's before the client has the end of the stream (or once it broke off).
    let recorded = false;
    const record = async () => {
      if (recorded) return;
      recorded = true;
      await state?.answered();
    };
    await pumpSse(res, started.upstream, {
      op,
      model,
      requestBytes,
      clientWantsUsage,
      meter,
      headers,
      signal: abort.signal,
      restorer: streamRestorer(op, started.phi.session),
      observe: state?.keepsIds ? state.observe : undefined,
      beforeEnd: record,
    });
    await record();
    return;
  }
  const { raw, json } = await readJsonAnswer(ctx, call, started, !!variant?.decorate || !!state?.keepsIds);
  await state?.answered(json);
  // Nothing changes the answer: the upstream's bytes go back as they came.
  if (json === undefined) return sendRaw(res, 200, raw, 'application/json', headers);
  if (variant?.decorate && isObj(json)) variant.decorate(json);
  sendJson(res, 200, json, headers);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
