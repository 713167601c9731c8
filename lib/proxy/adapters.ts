import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { Agent, request } from 'undici';
import type { Adapter } from '../config';
import { restoreJsonValue, type PhiSession } from '../phi';
import { log } from '../log';
import { errors, ProxyError } from './errors';
import { assertDepth, BASE_HEADERS, collect, MAX_JSON_DEPTH, pipeBody, readBody } from './http';
import { applyLimits, upstreamFailureError, withApiKey, type ApiContext, type ProxyDeps } from './api-call';
import { classify, TIMED_OUT } from './providers';
import { scanOutgoing } from './phi-step';

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
      decoded = decodeFully(seg);
    } catch {
      throw errors.badRequest('The path has an invalid percent-encoding.');
    }
    // "..;", "..;jsessionid=x", ".%2e", "%252e%252e": a dot segment however a server down the line reads it
    // (Tomcat and Jetty drop ";parameters" before resolving, some servers decode twice).
    const bare = decoded.split(';')[0]!;
    if (
      decoded === '' ||
      bare === '.' ||
      bare === '..' ||
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

/** A path segment decoded until it stops changing (at most three times): how a lenient server may read it. */
function decodeFully(seg: string): string {
  let s = seg;
  for (let i = 0; i < 3; i++) {
    const d = decodeURIComponent(s);
    if (d === s) break;
    s = d;
  }
  return s;
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

/** Answers whose text Portico restores (anything else goes back as it came). */
const RESTORABLE = /json|^text\/|x-www-form-urlencoded|xml/i;

const safeDecode = (seg: string): string => {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
};

/** A request body Portico can read as text, as a value for the walker and the way back to bytes. */
interface TextBody {
  value: unknown;
  encode(v: unknown): string;
}

/**
 * The body as text Portico can scan, whatever its declared type: JSON (of any content type), a URL-encoded form,
 * or plain UTF-8 text. Undefined for what is not text (invalid UTF-8, NUL bytes, multipart uploads).
 */
export function readable(raw: Buffer | undefined, contentType: string): TextBody | undefined {
  if (!raw || raw.length === 0 || /multipart\//i.test(contentType)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return undefined;
  }
  if (text.includes('\u0000')) return undefined;
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      assertDepth(parsed, MAX_JSON_DEPTH);
      return { value: parsed, encode: (v) => JSON.stringify(v) };
    } catch (err) {
      if (err instanceof ProxyError) throw err;
      // not JSON after all: text
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType))
    return {
      value: [...new URLSearchParams(text)].map(([k, v]) => [k, v]),
      encode: (v) => new URLSearchParams(v as [string, string][]).toString(),
    };
  return { value: text, encode: (v) => String(v) };
}

/**
 * An upstream's redirect goes back to the client, never followed here with the adapter's credentials: a Location
 * under the adapter's base URL points back through Portico; one elsewhere is removed, so that no client follows it
 * with its Portico key.
 */
function redirectBack(h: Record<string, string | string[]>, from: URL, adapter: Adapter): void {
  const loc = h.location;
  if (typeof loc !== 'string') return;
  let to: URL;
  try {
    to = new URL(loc, from);
  } catch {
    delete h.location;
    return;
  }
  if (to.origin === adapter.baseUrl.origin && to.pathname.startsWith(adapter.baseUrl.pathname)) {
    h.location = `${ADAPTER_PREFIX}${adapter.name}/${to.pathname.slice(adapter.baseUrl.pathname.length)}${to.search}`;
  } else {
    delete h.location;
    h['x-portico-redirect'] = 'removed: the upstream redirected to another host';
  }
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

/**
 * What a scrubbing adapter sends: the path, the query and the body (when Portico can read it as text) scanned as one
 * document under the app's policy, so one token map covers them all; `target` is rewritten in place. A body that is
 * not text goes as it came only where the adapter says so, and never for an app whose policy is block.
 */
async function scrubbedRequest(
  req: IncomingMessage,
  ctx: ApiContext,
  adapter: Adapter,
  target: URL,
  policy: 'scrub' | 'redact' | 'block',
  hasBody: boolean,
): Promise<{ body?: Buffer; session?: PhiSession }> {
  const raw = hasBody ? await readBody(req, ctx.deps.maxBodyBytes) : undefined;
  const sent = readable(raw, String(req.headers['content-type'] ?? ''));
  if (raw && raw.length > 0 && !sent && (policy === 'block' || !adapter.binaryBodies))
    throw errors.unreadableBody(policy === 'block', adapter.name);
  const doc: Record<string, unknown> = {
    path: target.pathname.slice(adapter.baseUrl.pathname.length).split('/').map(safeDecode),
    query: [...target.searchParams].map(([k, v]) => [k, v]),
    ...(sent ? { body: sent.value } : {}),
  };
  const phi = await scanOutgoing(ctx, 'http', doc, { policy, param: null });
  target.pathname = adapter.baseUrl.pathname + (doc.path as string[]).map(encodeURIComponent).join('/');
  target.search = new URLSearchParams(doc.query as [string, string][]).toString();
  const body = sent ? Buffer.from(sent.encode(doc.body)) : raw && raw.length > 0 ? raw : undefined;
  return { body, session: phi.session };
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
  if (!adapter) throw errors.adapterNotFound(name);
  if (!principal.app.allowedAdapters.includes(name)) {
    throw errors.adapterNotAllowed(name);
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
  // The app's policy, on whatever this adapter carries: an app approved without PHI is still scrubbed here.
  const policy = adapter.scrubPhi
    ? principal.app.phiPolicy === 'off'
      ? 'scrub'
      : principal.app.phiPolicy
    : 'off';
  let body: Buffer | Readable | undefined;
  let session: PhiSession | undefined;
  if (policy !== 'off') {
    ({ body, session } = await scrubbedRequest(req, ctx, adapter, target, policy, hasBody));
    if (session) delete out['accept-encoding']; // the answer is restored, so it must arrive uncompressed
  } else {
    headers['x-portico-phi-entities'] = '0';
    if (hasBody) {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > deps.maxBodyBytes) throw errors.tooLarge(deps.maxBodyBytes);
      body = req.pipe(limitBytes(deps.maxBodyBytes));
    }
  }

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
  redirectBack(respHeaders, target, adapter);
  const respType = String(upstream.headers['content-type'] ?? '');
  const plain = !upstream.headers['content-encoding'];
  if (session && plain && /^text\/event-stream/i.test(respType)) {
    // A stream is restored as it comes, a token split across chunks included; its data is JSON text.
    const restorer = session.streamRestorer({ jsonEscaped: true });
    const decoder = new TextDecoder();
    const restored = upstream.body.pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          done(null, restorer.push(decoder.decode(chunk, { stream: true })));
        },
        flush(done) {
          done(null, restorer.push(decoder.decode()) + restorer.flush());
        },
      }),
    );
    upstream.body.once('error', (err) => restored.destroy(err));
    res.writeHead(upstream.statusCode, respHeaders);
    const cut = await pipeBody(restored, res);
    clearTimeout(timer);
    if (cut) meter.fail(errors.upstreamUnavailable(`http:${name}`));
    return;
  }
  if (session && plain && RESTORABLE.test(respType)) {
    const raw = await collect(upstream.body, 256 * 1024 * 1024, () =>
      errors.upstreamError(`http:${name}`, upstream.statusCode),
    );
    clearTimeout(timer);
    let text = raw.toString('utf8');
    if (/x-www-form-urlencoded/i.test(respType)) {
      const pairs = [...new URLSearchParams(text)].map(([k, v]) => [session.restore(k), session.restore(v)]);
      text = new URLSearchParams(pairs).toString();
    } else if (/json/i.test(respType)) {
      try {
        const json: unknown = JSON.parse(text);
        text = JSON.stringify(restoreJsonValue(json, session));
      } catch {
        text = session.restore(text);
      }
    } else text = session.restore(text);
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
