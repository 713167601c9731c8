import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayConfig, setGatewayConfig, type GatewayConfig } from './lib/config';
import { env } from './lib/env';
import { onInvalidate } from './lib/events/bus';
import { listenForInvalidations } from './lib/events/listen';
import { KeyCache, type KeyCacheOptions } from './lib/keys/cache';
import { loadPrincipal } from './lib/keys/load';
import { log } from './lib/log';
import { createProxyHandler, isFastPath } from './lib/proxy/handler';
import { closeUpstreamAgents } from './lib/proxy/providers';
import { closePgPool } from './lib/db/pool';
import { Limiter } from './lib/limits';
import { warmUpPhi } from './lib/phi';
import { PhiOffload } from './lib/phi/offload';
import { metrics } from './lib/metrics';
import { clientAddress, KeyGuard } from './lib/proxy/guard';
import { ProxyError } from './lib/errors';
import { errors } from './lib/proxy/errors';
import { sendError, setBodyRateFloor } from './lib/proxy/http';
import { scheduleNotifications } from './lib/notify';
import { scheduleRetention } from './lib/usage/retention';
import { scheduleTokenMapSweep } from './lib/token-maps/store';
import { UsageRecorder, type RecorderOptions } from './lib/usage/recorder';
import { startTracing, stopTracing } from './lib/tracing';
import { router } from './lib/proxy/router';
import { ClusterLimitStore, isClusterWorker } from './lib/cluster';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

export interface ServerOptions {
  port: number;
  host?: string;
  /** Serve the portal (Next.js) beside the proxy. Integration tests of the proxy alone turn it off. */
  portal?: boolean;
  dev?: boolean;
  config?: GatewayConfig;
  maxBodyBytes?: number;
  /** Slowest accepted request body (bytes a second after `graceMs`); default PORTICO_MIN_BODY_RATE after 10 s. */
  bodyRateFloor?: { minRate: number; graceMs?: number };
  /** Most client connections at once; default PORTICO_MAX_CONNECTIONS. */
  maxConnections?: number;
  drainMs?: number;
  keyCache?: Partial<KeyCacheOptions>;
  limiter?: Limiter;
  usage?: RecorderOptions;
  /** PHI worker threads and the request size (characters) from which they scan; default from the environment. */
  phiWorkers?: { threads: number; minChars: number; maxChars?: number };
}

export interface RunningServer {
  url: string;
  port: number;
  usage: UsageRecorder;
  keys: KeyCache;
  limiter: Limiter;
  /** Stop accepting, let in-flight requests finish (bounded), flush usage. */
  close(): Promise<void>;
}

/**
 * Why a portal request (sign-in, forms, exports) is refused before its body is read: Next.js would buffer any
 * size. A declared length over the bound is 413; a body of undeclared length (chunked) is 411, since browsers
 * always declare one. Node's parser never reads past a declared length, so memory stays bounded.
 */
function portalBodyRefusal(req: http.IncomingMessage, limit: number): ProxyError | null {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    return Number(declared) > limit ? errors.tooLarge(limit) : null;
  }
  if (req.headers['transfer-encoding']) return errors.lengthRequired();
  return null;
}

/** A short name for a database (host, port, name; never the credentials), for folders that belong to it. */
function databaseId(url: string | undefined): string {
  let where = 'default';
  try {
    if (url) {
      const u = new URL(url);
      where = `${u.hostname}:${u.port}${u.pathname}`;
    }
  } catch {
    // An unparsable URL fails later, where the database is opened.
  }
  return createHash('sha256').update(where).digest('hex').slice(0, 12);
}

/** The one process: the proxy's fast path on node:http, everything else handed to Next.js. */
/** The PHI scan's worker threads and bounds (with no threads it still bounds what one request may ask to scan). */
function phiScanner(o: ServerOptions['phiWorkers']): PhiOffload {
  const e = env();
  return new PhiOffload(
    o?.minChars ?? e.PORTICO_PHI_OFFLOAD_CHARS,
    o?.threads ?? e.PORTICO_PHI_WORKERS,
    () => metrics().phiOffloaded.inc(),
    (err) => log().error({ err: err.name }, 'PHI worker thread failed'),
    o?.maxChars ?? e.PORTICO_PHI_MAX_CHARS,
  );
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const config = opts.config ?? gatewayConfig();
  // The domain (approvals check models and adapters against it) reads the same config as the proxy.
  setGatewayConfig(config);
  // The PHI dictionaries take a second or two to load: load them now, not on the first request.
  warmUpPhi();
  const e = env();
  startTracing(e.OTEL_EXPORTER_OTLP_ENDPOINT, e.OTEL_SERVICE_NAME);
  // One journal folder per database: records a process left behind belong to the database it was writing to.
  const spool =
    e.PORTICO_USAGE_SPOOL_DIR ?? path.join(e.PORTICO_DATA_DIR, 'usage-spool', databaseId(e.DATABASE_URL));
  const usage = new UsageRecorder({
    spoolDir: spool === 'off' ? undefined : path.resolve(spool),
    ...opts.usage,
  });
  const keys = new KeyCache({
    load: loadPrincipal,
    freshMs: e.PORTICO_KEY_CACHE_FRESH_MS,
    staleMs: e.PORTICO_KEY_CACHE_STALE_MS,
    ...opts.keyCache,
  });
  const stopInvalidations = onInvalidate((m) => {
    if ('all' in m) keys.clear();
    else if ('keyId' in m) keys.invalidateKey(m.keyId);
    else keys.invalidateApp(m.appId);
  });
  const listener = e.DATABASE_URL ? listenForInvalidations(e.DATABASE_URL) : undefined;
  const stopRetention = scheduleRetention(config.usage.retentionDays);
  const stopMapSweep = scheduleTokenMapSweep();
  const stopNotifications = scheduleNotifications();
  // A worker of a multi-process instance counts limits in the primary process unless Redis shares them anyway.
  const limiter =
    opts.limiter ??
    new Limiter({
      redisUrl: e.REDIS_URL,
      local: isClusterWorker() ? new ClusterLimitStore() : undefined,
    });
  // With Redis, the deployments' cooldowns and requests in flight are shared by every instance.
  const stopRouting = limiter.shared ? router().share(limiter.shared.redis) : () => {};
  const phiOffload = phiScanner(opts.phiWorkers);
  const proxy = createProxyHandler({
    config: () => config,
    keys,
    usage,
    limiter,
    guard: new KeyGuard(),
    maxBodyBytes: opts.maxBodyBytes ?? e.PORTICO_MAX_BODY_BYTES,
    phiOffload,
  });

  let nextHandle: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;
  let nextApp: { close?: () => Promise<void> } | undefined;
  if (opts.portal !== false) {
    const { default: next } = await import('next');
    const app = next({
      dev: opts.dev ?? false,
      dir: ROOT,
      hostname: opts.host ?? 'localhost',
      port: opts.port,
    });
    await app.prepare();
    nextHandle = app.getRequestHandler();
    nextApp = app as unknown as { close?: () => Promise<void> };
  }

  // Slow clients: headers must arrive within headersTimeout and the whole request within requestTimeout.
  const server = http.createServer({
    keepAliveTimeout: 65_000,
    headersTimeout: e.PORTICO_HEADERS_TIMEOUT_MS,
    requestTimeout: e.PORTICO_REQUEST_TIMEOUT_MS,
    maxHeaderSize: 16 * 1024,
    connectionsCheckingInterval: 2_000,
  });
  server.maxHeadersCount = 200;
  server.maxConnections = opts.maxConnections ?? e.PORTICO_MAX_CONNECTIONS;
  setBodyRateFloor(opts.bodyRateFloor ?? { minRate: e.PORTICO_MIN_BODY_RATE });
  const inflight = new Set<http.ServerResponse>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    inflight.add(res);
    res.once('close', () => inflight.delete(res));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://portico.local');
    } catch {
      // A request target no URL parser accepts ("//", "//[", …): the client's mistake, never a crash.
      sendError(res, errors.invalidRequestTarget());
      return;
    }
    if (isFastPath(url.pathname)) {
      void proxy(req, res, url);
      return;
    }
    const refused = portalBodyRefusal(req, e.PORTICO_PORTAL_MAX_BODY_BYTES);
    if (refused) {
      // Answer before reading a byte of the body, and close: what the client keeps sending is not read.
      res.setHeader('connection', 'close');
      sendError(res, refused);
    } else if (nextHandle) {
      // The portal's sign-in throttle needs the client's address; whatever a client sent under this name is replaced.
      req.headers['x-portico-client-ip'] = clientAddress(req);
      nextHandle(req, res).catch((err: unknown) => {
        log().error({ err: (err as Error).message }, 'portal request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    }
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const drainMs = opts.drainMs ?? e.PORTICO_DRAIN_MS;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + drainMs;
      while (inflight.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        server.closeIdleConnections();
      }
      if (inflight.size > 0) {
        log().warn({ requests: inflight.size }, 'drain deadline passed; closing remaining requests');
        for (const s of sockets) s.destroy();
      } else {
        // A finished response may still sit in a socket's write buffer: end() flushes it before closing, and a
        // peer that never closes its side is cut after a short grace.
        for (const s of sockets) s.end();
        const cut = setTimeout(() => sockets.forEach((s) => s.destroy()), 2_000);
        cut.unref();
      }
      await closed;
      await usage.drain();
      stopInvalidations();
      stopRetention();
      stopMapSweep();
      stopNotifications();
      await listener?.stop();
      await closeUpstreamAgents();
      await phiOffload?.close();
      stopRouting();
      await limiter.close();
      await closePgPool();
      await stopTracing();
      await nextApp?.close?.().catch(() => {});
    })());

  return { url: `http://127.0.0.1:${port}`, port, usage, keys, limiter, close };
}
