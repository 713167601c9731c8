import { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, type FormData } from 'undici';
import type { Provider } from '../../config';
import { azureProvider } from './azure';
import { echoAnswer } from '../../echo';
import { openaiProvider } from './openai';
import type { HttpProvider, UpstreamRequest, UpstreamResponse } from './types';

export type { UpstreamRequest, UpstreamResponse } from './types';

const HTTP_PROVIDERS: Record<Exclude<Provider['type'], 'echo'>, HttpProvider> = {
  openai: openaiProvider,
  'openai-compatible': openaiProvider,
  azure: azureProvider,
};

/** Why the upstream exchange failed before an HTTP answer arrived. */
export class UpstreamFailure extends Error {
  constructor(
    readonly kind: 'connect' | 'timeout' | 'aborted',
    message: string,
  ) {
    super(message);
  }
}

const KEY = Symbol.for('portico.upstreamAgents');
type Holder = { [KEY]?: Map<string, Agent> };

/** One keep-alive pool per provider, with that provider's connect timeout. */
function agentFor(p: Provider): Agent {
  const g = globalThis as Holder;
  g[KEY] ??= new Map();
  const id = `${p.name}|${p.baseUrl}|${p.connectTimeoutMs}`;
  let agent = g[KEY].get(id);
  if (!agent) {
    agent = new Agent({
      connect: { timeout: p.connectTimeoutMs },
      keepAliveTimeout: 30_000,
      connections: 256,
    });
    g[KEY].set(id, agent);
  }
  return agent;
}

export async function closeUpstreamAgents(): Promise<void> {
  const g = globalThis as Holder;
  const agents = [...(g[KEY]?.values() ?? [])];
  g[KEY]?.clear();
  await Promise.all(agents.map((a) => a.close().catch(() => {})));
}

async function* sseChunks(chunks: string[], signal: AbortSignal): AsyncIterable<Buffer> {
  for (const c of chunks) {
    if (signal.aborted) return;
    yield Buffer.from(c);
    // Yield to the event loop between chunks, like a real stream arriving piece by piece.
    await new Promise((r) => setImmediate(r));
  }
}

/** Sends the request to the model's provider. Throws UpstreamFailure when no HTTP answer arrived. */
export async function sendUpstream(req: UpstreamRequest): Promise<UpstreamResponse> {
  const provider = req.model.provider;
  if (provider.type === 'echo') {
    const answer = echoAnswer({ op: req.op, body: { ...req.body, model: req.model.upstreamModel } });
    const signal = req.abort.signal;
    if (answer.bytes) {
      return {
        status: answer.status,
        headers: { 'content-type': answer.contentType ?? 'application/octet-stream' },
        body: Readable.from([answer.bytes], { objectMode: false }),
      };
    }
    if (answer.sse) {
      return {
        status: answer.status,
        headers: { 'content-type': 'text/event-stream' },
        body: Readable.from(sseChunks(answer.sse, signal), { objectMode: false }),
      };
    }
    return {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from(JSON.stringify(answer.json))], { objectMode: false }),
    };
  }
  const builder = HTTP_PROVIDERS[provider.type];
  let headers = baseHeaders(provider, !req.raw);
  if (req.credentialOverride) {
    const [name, value] = builder.credentialHeader(req.credentialOverride);
    headers = { ...headers };
    delete headers.authorization;
    delete headers.Authorization;
    delete headers['api-key'];
    headers[name] = value;
  }
  // The request's own controller carries both the client going away and the total timeout.
  const timer = setTimeout(() => req.abort.abort(TIMED_OUT), provider.totalTimeoutMs);
  const cleanup = () => clearTimeout(timer);
  const target = splitUrl(builder.url(provider, req.op, req.model, req.apiVersion));
  try {
    const res = await agentFor(provider).request({
      origin: target.origin,
      path: target.path,
      method: 'POST',
      headers,
      body: req.raw ?? JSON.stringify(builder.body(req.body, req.model)),
      signal: req.abort.signal,
      headersTimeout: provider.totalTimeoutMs,
      bodyTimeout: provider.totalTimeoutMs,
    });
    res.body.once('close', cleanup);
    return { status: res.statusCode, headers: res.headers, body: res.body };
  } catch (err) {
    cleanup();
    throw classify(err, req.abort.signal);
  }
}

/** A call to a provider's API beside the model calls (stored responses, conversations, files, batches). */
export interface ProviderCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path after the API's version root: "responses/resp_1", "files". */
  path: string;
  /** The query string, "?…" or empty. */
  search?: string;
  body?: string | Buffer | FormData;
  contentType?: string;
  abort: AbortController;
}

/**
 * Sends a call to a provider's API (OpenAI: `{baseUrl}/{path}`; Azure: its v1 API, `{baseUrl}/openai/v1/{path}`),
 * with the provider's credentials. Throws UpstreamFailure when no HTTP answer arrived. The built-in echo has no
 * such API: the caller checks `hasObjectApi` first.
 */
export async function callProvider(provider: Provider, c: ProviderCall): Promise<UpstreamResponse> {
  const root = provider.type === 'azure' ? `${provider.baseUrl}/openai/v1` : provider.baseUrl;
  const target = new URL(`${root}/${c.path}${c.search ?? ''}`);
  const headers: Record<string, string> = { ...provider.headers, accept: '*/*' };
  if (c.contentType) headers['content-type'] = c.contentType;
  const timer = setTimeout(() => c.abort.abort(TIMED_OUT), provider.totalTimeoutMs);
  try {
    const res = await agentFor(provider).request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: c.method,
      headers,
      body: c.body as string | Buffer | undefined,
      signal: c.abort.signal,
      headersTimeout: provider.totalTimeoutMs,
      bodyTimeout: provider.totalTimeoutMs,
    });
    res.body.once('close', () => clearTimeout(timer));
    return { status: res.statusCode, headers: res.headers, body: res.body };
  } catch (err) {
    clearTimeout(timer);
    throw classify(err, c.abort.signal);
  }
}

/** Whether a provider keeps objects (responses, conversations, files, batches): every real upstream, not the echo. */
export const hasObjectApi = (p: Provider): boolean => p.type !== 'echo';

/** Marks an abort as the provider's total timeout (rather than the client leaving). */
export const TIMED_OUT = Symbol('upstream timeout');

/** True when the exchange was aborted by the provider's total timeout (not by the client leaving). */
export const timedOut = (signal: AbortSignal) => signal.aborted && signal.reason === TIMED_OUT;

const HEADERS = new WeakMap<Provider, { json: Record<string, string>; raw: Record<string, string> }>();
/** The headers every request to a provider carries (its resolved credentials included), built once. */
function baseHeaders(p: Provider, json: boolean): Record<string, string> {
  let h = HEADERS.get(p);
  if (!h) {
    const raw = { ...p.headers, accept: '*/*' };
    h = { raw, json: { ...raw, 'content-type': 'application/json' } };
    HEADERS.set(p, h);
  }
  return json ? h.json : h.raw;
}

const URLS = new Map<string, { origin: string; path: string }>();
/** origin + path of an upstream URL, parsed once per distinct URL (bounded). */
function splitUrl(url: string): { origin: string; path: string } {
  let t = URLS.get(url);
  if (!t) {
    const u = new URL(url);
    t = { origin: u.origin, path: u.pathname + u.search };
    if (URLS.size > 1_000) URLS.clear();
    URLS.set(url, t);
  }
  return t;
}

export function classify(err: unknown, signal: AbortSignal): UpstreamFailure {
  const timedOut = signal.aborted && signal.reason === TIMED_OUT;
  if (signal.aborted && !timedOut) return new UpstreamFailure('aborted', 'client went away');
  if (
    timedOut ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError
  ) {
    return new UpstreamFailure('timeout', 'upstream timed out');
  }
  if (err instanceof undiciErrors.ConnectTimeoutError)
    return new UpstreamFailure('connect', 'connect timeout');
  return new UpstreamFailure('connect', (err as Error)?.message ?? 'upstream unreachable');
}
