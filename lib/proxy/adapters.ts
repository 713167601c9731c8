import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { Agent, request } from 'undici';
import type { Adapter } from '../config';
import { detect, PhiSession } from '../phi';
import { log } from '../log';
import { errors, ProxyError } from './errors';
import { assertDepth, BASE_HEADERS, collect, MAX_JSON_DEPTH, pipeBody, readBody } from './http';
import { applyLimits, upstreamFailureError, withApiKey, type ApiContext, type ProxyDeps } from './exchange';
import { classify, TIMED_OUT } from './providers';
import { mapJsonStrings } from './phi-step';

export const ADAPTER_PREFIX = '/api/public/http/';

// Never forwarded: hop-by-hop headers, the caller's credentials and browser context, and what undici sets.
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'api-key',
  'authorization',
  'cookie',
  'origin',
  'referer',
  'x-real-ip',
  'forwarded',
  'content-length',
  'expect',
  // Portico's own: credentials for other routes and the address server.ts stamps.
  'x-openai-key',
  'x-compliantchatgpt-key',
  'x-portico-client-ip',
]);
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'set-cookie',
  'proxy-authenticate',
  'trailer',
  'upgrade',
  'content-length',
]);

let agent: Agent | undefined;
const dispatcher = () =>
  (agent ??= new Agent({ keepAliveTimeout: 30_000, connections: 128, connect: { timeout: 10_000 } }));

/**
 * The upstream URL for a pass-through path, or an error: the path must stay under the adapter's base URL
 * (no `..` or `.` segments, no encoded slashes or backslashes, no empty segments, no absolute or
 * protocol-relative URLs, no `user@host` tricks).
 */
export function targetUrl(adapter: Adapter, rawRest: string, search: string): URL {
  const segments = rawRest.split('/');
  for (const seg of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      throw errors.badRequest('The path has an invalid percent-encoding.');
    }
    if (
      decoded === '' ||
      decoded === '.' ||
      decoded === '..' ||
      /[/\\]/.test(decoded) ||
      /[\u0000-\u001f]/.test(decoded) ||
      seg.includes('@') ||
      seg.includes(':')
    ) {
      throw errors.badRequest(
        'The path must be a plain relative path under the adapter (no "..", ".", empty or encoded-slash segments, no "@" or ":").',
      );
    }
  }
  const base = adapter.baseUrl;
  const target = new URL(base.pathname + rawRest + search, base.origin);
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) {
    throw errors.badRequest('The path leaves the adapter’s base URL.');
  }
  return target;
}

/** Counts request bytes on their way out and fails the stream past the limit (413). */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(errors.tooLarge(limit));
      else done(null, chunk);
    },
  });
}

const ANY_METHOD = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** ANY /api/public/http/{adapter}/{path…}: an authenticated pass-through with the adapter's credentials injected. */
export function handleAdapter(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: ProxyDeps,
): Promise<void> {
  return withApiKey({ op: 'http', route: 'http', methods: ANY_METHOD }, (rq, rs, ctx) =>
    passThrough(rq, rs, url, ctx),
  )(req, res, deps);
}

async function passThrough(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: ApiContext,
): Promise<void> {
  const { principal, deps, meter, headers, abort } = ctx;
  const rawPath = (req.url ?? '/').split('?')[0]!;
  const rest = rawPath.slice(ADAPTER_PREFIX.length);
  const slash = rest.indexOf('/');
  const name = slash === -1 ? rest : rest.slice(0, slash);
  const adapter = deps.config().adapters.get(name);
  if (!adapter)
    throw new ProxyError(
      404,
      'adapter_not_found',
      `There is no HTTP adapter "${name}". Adapters are configured by the Portico administrators.`,
    );
  if (!principal.app.allowedAdapters.includes(name)) {
    throw new ProxyError(
      403,
      'adapter_not_allowed',
      `This app is not approved for the "${name}" adapter. Ask a reviewer to allow it.`,
    );
  }
  meter.model = `http:${name}`; // a configured adapter's name, never arbitrary path text
  const target = targetUrl(adapter, slash === -1 ? '' : rest.slice(slash + 1), url.search);
  await applyLimits(ctx, { inputPerMillion: 0, outputPerMillion: 0 }, {});

  // Node gives request header names in lower case; configured ones replace the client's of the same name in
  // any case, so a client can never send its own value of a credential header beside (or before) Portico's.
  const configured = new Set(Object.keys(adapter.headers).map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v !== 'string' || DROP_REQUEST.has(k) || configured.has(k)) continue;
    if (k.startsWith('x-forwarded-') || k.startsWith('x-portico-')) continue;
    out[k] = v;
  }
  Object.assign(out, adapter.headers);
  const method = req.method ?? 'GET';
  const hasBody = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  const json = /json/i.test(String(req.headers['content-type'] ?? ''));
  const session = adapter.scrubPhi ? new PhiSession() : undefined;
  let body: Buffer | Readable | undefined;
  if (hasBody && session && json) {
    const raw = await readBody(req, deps.maxBodyBytes);
    let parsed: unknown;
    try {
      parsed = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      throw errors.badRequest('The request body is not valid JSON.');
    }
    assertDepth(parsed, MAX_JSON_DEPTH);
    const texts: string[] = [];
    mapJsonStrings(parsed, (s) => (texts.push(s), s));
    const find = deps.phiOffload ? await deps.phiOffload.finderFor(texts) : detect;
    body = Buffer.from(JSON.stringify(mapJsonStrings(parsed, (s) => session.scrubEntities(s, find(s)))));
    if (session.total() > 0) meter.phiCounts = session.counts() as Record<string, number>;
    delete out['accept-encoding']; // the answer is restored, so it must arrive uncompressed
  } else if (hasBody) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > deps.maxBodyBytes) throw errors.tooLarge(deps.maxBodyBytes);
    body = req.pipe(limitBytes(deps.maxBodyBytes));
  }
  headers['x-portico-phi-entities'] = String(session ? session.total() : 0);

  const t0 = performance.now();
  let upstream;
  const timer = setTimeout(() => abort.abort(TIMED_OUT), adapter.timeoutMs);
  try {
    upstream = await request(target, {
      method: method as 'GET',
      headers: out,
      body,
      dispatcher: dispatcher(),
      signal: abort.signal,
      headersTimeout: adapter.timeoutMs,
      bodyTimeout: adapter.timeoutMs,
    });
  } catch (err) {
    clearTimeout(timer);
    // The body grew past the limit on its way out (limitBytes): a 413, wherever undici reports it from.
    const cause = err instanceof ProxyError ? err : (err as { cause?: unknown })?.cause;
    if (cause instanceof ProxyError) throw cause;
    if ((err as { code?: string })?.code === 'request_too_large') throw errors.tooLarge(deps.maxBodyBytes);
    throw upstreamFailureError(classify(err, abort.signal), `http:${name}`);
  }
  meter.upstreamMs = Math.round(performance.now() - t0);
  meter.status = upstream.statusCode;
  const respHeaders: Record<string, string | string[]> = { ...BASE_HEADERS, ...headers };
  for (const [k, v] of Object.entries(upstream.headers))
    if (v !== undefined && !DROP_RESPONSE.has(k)) respHeaders[k] = v;
  const respJson = /json/i.test(String(upstream.headers['content-type'] ?? ''));
  if (session && session.hasTokens() && respJson && !upstream.headers['content-encoding']) {
    const raw = await collect(upstream.body, 256 * 1024 * 1024, () =>
      errors.upstreamError(`http:${name}`, upstream.statusCode),
    );
    clearTimeout(timer);
    let text = raw.toString('utf8');
    try {
      text = JSON.stringify(mapJsonStrings(JSON.parse(text), (s) => session.restore(s)));
    } catch {
      // not JSON after all: pass it as it came
    }
    res.writeHead(upstream.statusCode, { ...respHeaders, 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  res.writeHead(upstream.statusCode, respHeaders);
  const cut = await pipeBody(upstream.body, res);
  clearTimeout(timer);
  if (cut) {
    log().warn(
      { requestId: meter.requestId, adapter: name, err: cut.message },
      'adapter upstream stream failed',
    );
    meter.fail(errors.upstreamUnavailable(`http:${name}`));
  }
}
