import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObj, type Json } from '../json';
import type { Endpoint } from '../config';
import { firstProblem, renderTemplate, stricterPolicy } from '../config/endpoints';
import { restoreJsonValue } from '../phi';
import { requestSpan } from '../tracing';
import { errors } from './errors';
import { withApiKey, type ApiContext, type CallMeter, type ProxyDeps } from './api-call';
import { readJsonObject, sendJson } from './http';
import { pumpSse, readJsonAnswer, startModelCall, type ModelCallOptions, type SseMapper } from './model-call';
import { streamRestorer } from './phi-step';
import { formatSse } from './sse';

// Custom endpoints (issue 18): a task the platform team defines in the config file (a prompt template, an
// input schema, optionally an output schema) served at POST /api/public/v1/endpoints/<name> with the proxy's key
// auth, limits, PHI scrub and restore, routing and metering. The request becomes one Chat Completions call.

export const ENDPOINT_PREFIX = '/api/public/v1/endpoints/';

/** Usage records an endpoint's calls under this "model", so that each endpoint has its own line everywhere. */
export const endpointUsageName = (name: string) => `endpoint:${name}`;

const invalidOutput = errors.invalidModelOutput;

/** The usage block of an answer, in OpenAI's names, from what the meter recorded. */
const usageOf = (m: CallMeter) => ({
  prompt_tokens: m.promptTokens,
  completion_tokens: m.completionTokens,
  total_tokens: m.promptTokens + m.completionTokens,
});

export function handleEndpoint(req: IncomingMessage, res: ServerResponse, deps: ProxyDeps): Promise<void> {
  return withApiKey({ op: 'endpoint', route: 'endpoint', methods: ['POST'] }, (rq, rs, ctx) =>
    callEndpoint(rq, rs, ctx),
  )(req, res, deps);
}

/** The chat request an endpoint sends for one valid body. */
export function endpointChatBody(e: Endpoint, values: Json, stream: boolean): Json {
  const messages: Json[] = [];
  if (e.system !== undefined) messages.push({ role: 'system', content: renderTemplate(e.system, values) });
  messages.push({ role: 'user', content: renderTemplate(e.user, values) });
  return {
    ...e.settings,
    model: e.model,
    messages,
    ...(e.output
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: { name: e.name.replace(/-/g, '_'), schema: e.output, strict: e.strictOutput },
          },
        }
      : {}),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

function wantsStream(req: IncomingMessage): boolean {
  const q = new URL(req.url ?? '/', 'http://x').searchParams.get('stream');
  if (q !== null) return q === 'true' || q === '1';
  return /text\/event-stream/i.test(String(req.headers.accept ?? ''));
}

async function callEndpoint(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): Promise<void> {
  const { principal, config: cfg, deps, meter, headers, abort } = ctx;
  const name = (req.url ?? '/').split('?')[0]!.slice(ENDPOINT_PREFIX.length);
  const endpoint = /^[a-z0-9][a-z0-9-]*$/.test(name) ? cfg.endpoints.get(name) : undefined;
  if (!endpoint) {
    const granted = principal.app.allowedEndpoints.filter((n) => cfg.endpoints.has(n));
    throw errors.endpointNotFound(name, granted);
  }
  if (!principal.app.allowedEndpoints.includes(name)) throw errors.endpointNotAllowed(name);
  const model = cfg.models.get(endpoint.model);
  if (!model) throw errors.internal(); // the config loader refuses an endpoint whose model is not configured

  const stream = wantsStream(req);
  if (stream && endpoint.output)
    throw errors.badRequest(
      `"${name}" answers with structured JSON, which is returned whole once it is checked: call it without stream.`,
      'stream',
    );
  const body = await readJsonObject(req, deps.maxBodyBytes);
  // The schema fills its defaults into the body it checks, so the templates see them.
  if (!endpoint.validateInput(body)) {
    const { field, message } = firstProblem(endpoint.validateInput.errors);
    throw errors.badRequest(field ? `${field}: ${message}` : `The body ${message}.`, field || null);
  }

  // Recorded under the endpoint's name (a configured one: client text never becomes a label), priced as its model.
  meter.model = endpointUsageName(name);
  meter.span = requestSpan('chat', endpoint.model);
  meter.inputPerMillion = model.inputPerMillion;
  meter.outputPerMillion = model.outputPerMillion;
  meter.streamed = stream;
  const outgoing = endpointChatBody(endpoint, body, stream);
  const call: ModelCallOptions = {
    op: 'chat',
    model,
    name: endpoint.model,
    body: outgoing,
    policy: stricterPolicy(principal.app.phiPolicy, endpoint.phiPolicy),
    phiParam: null,
  };
  const started = await startModelCall(ctx, call);
  const phi = started.phi;
  if (stream && started.streamed)
    return pumpSse(res, started.upstream, {
      op: 'chat',
      model,
      requestBytes: Buffer.byteLength(JSON.stringify(outgoing)),
      clientWantsUsage: true,
      meter,
      headers,
      signal: abort.signal,
      restorer: streamRestorer('chat', phi.session),
      map: textEvents(meter),
    });

  const { json } = await readJsonAnswer(ctx, call, started, true);
  const choice = isObj(json) && Array.isArray(json.choices) ? json.choices[0] : undefined;
  const message = isObj(choice) && isObj(choice.message) ? choice.message : undefined;
  if (!message) throw invalidOutput(name, 'held no message');
  if (typeof message.refusal === 'string' && message.refusal)
    throw errors.modelRefused(phi.session ? phi.session.restore(message.refusal) : message.refusal);
  const content = typeof message.content === 'string' ? message.content : '';
  const restore = (s: string) => (phi.session ? phi.session.restore(s) : s);
  let output: unknown;
  if (endpoint.output) {
    if (choice!.finish_reason === 'length')
      throw invalidOutput(name, 'was cut off at the endpoint’s token limit before its JSON was complete');
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      throw invalidOutput(name, 'was not valid JSON');
    }
    // Restored value by value (a restored name may hold a quote that would break the JSON text).
    output = phi.session ? restoreJsonValue(parsed, phi.session) : parsed;
    if (!endpoint.validateOutput!(output)) {
      const { field, message: why } = firstProblem(endpoint.validateOutput!.errors);
      throw invalidOutput(name, `did not match its output schema (${field ? `${field}: ` : ''}${why})`);
    }
  } else {
    output = restore(content);
  }
  meter.status = 200;
  sendJson(
    res,
    200,
    {
      id: meter.requestId,
      endpoint: name,
      model: endpoint.model,
      output,
      finish_reason: typeof choice!.finish_reason === 'string' ? choice!.finish_reason : null,
      usage: usageOf(meter),
    },
    headers,
  );
}

/**
 * A text endpoint's answer as server-sent events: `delta` events with the text as it comes (PHI restored as
 * soon as a token is complete), then one `done` event with the finish reason and usage, or one `error` event.
 */
function textEvents(meter: CallMeter): SseMapper {
  let finish: string | null = null;
  return {
    events(_ev, objs) {
      let out = '';
      for (const obj of objs) {
        const choice = Array.isArray(obj.choices) && isObj(obj.choices[0]) ? obj.choices[0] : undefined;
        if (!choice) continue;
        if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
        const text = isObj(choice.delta) ? choice.delta.content : undefined;
        if (typeof text === 'string' && text)
          out += formatSse({ event: 'delta', data: JSON.stringify({ text }) });
      }
      return out;
    },
    end: () =>
      formatSse({
        event: 'done',
        data: JSON.stringify({ id: meter.requestId, finish_reason: finish, usage: usageOf(meter) }),
      }),
    error: (e) => formatSse({ event: 'error', data: JSON.stringify(e.body()) }),
  };
}
