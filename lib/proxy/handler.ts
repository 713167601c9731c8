import { env } from '../env';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pgPool } from '../db/pool';
import { committedMigrations } from '../db/migrate';
import { errors } from './errors';
import { sendError, sendJson, sendRaw } from './http';
import { metrics } from '../metrics';
import { clusterMetrics, isClusterWorker } from '../cluster';
import { toProxyError, withApiKey, type ApiContext, type ProxyDeps } from './api-call';
import { handleOai } from './oai';
import { deidentify, usage, type OwnApiContext } from './own-api';
import { compatChat, COMPAT_PATH } from './compat';
import { ADAPTER_PREFIX, handleAdapter } from './adapters';
import { ENDPOINT_PREFIX, handleEndpoint } from './endpoints';
import { handleDocs, isDocsPath } from '../openapi/docs';
import { handleMedia } from './media';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { matchObjects, matchOai } from './routes';
import { handleObjects } from './stateful';
import { clientAddress } from './guard';
import { router } from './router';

/** Paths the fast path answers; everything else goes to Next.js. */
export function isFastPath(pathname: string): boolean {
  return (
    pathname.startsWith('/api/public/') ||
    pathname.startsWith('/v1/') ||
    pathname === '/healthz' ||
    pathname === '/readyz' ||
    pathname === '/metrics' ||
    isDocsPath(pathname)
  );
}

let ready: { at: number; ok: boolean } = { at: 0, ok: false };

let shipped: string[] | undefined;
function shippedMigrations(): string[] {
  shipped ??= committedMigrations(process.cwd());
  return shipped;
}

async function readiness(): Promise<boolean> {
  if (Date.now() - ready.at < 1_000) return ready.ok;
  let ok = false;
  try {
    // Ready = the database answers and holds every migration this code was shipped with.
    const { rows } = await pgPool().query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    ok = shippedMigrations().every((m) => applied.has(m));
  } catch {
    ok = false;
  }
  ready = { at: Date.now(), ok };
  return ok;
}

type OwnApiHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: OwnApiContext,
  headers: Record<string, string>,
) => Promise<void> | void;

/** Portico's own API under /api/public/v1/ (whoami, PHI de-identification, usage; not the config-defined endpoints of
 * lib/proxy/endpoints.ts), each behind the same key as the proxy, with its methods. The route label stays "custom" in
 * metrics and usage records, as it always was. */
const OWN_API = new Map<string, { methods: string[]; fn: OwnApiHandler }>(
  Object.entries({
    '/api/public/v1/whoami': {
      methods: ['GET'],
      fn: (_req, res, ctx, headers) => {
        const p = ctx.principal;
        sendJson(
          res,
          200,
          {
            app: { id: p.app.id, name: p.app.name, status: p.app.status, phiPolicy: p.app.phiPolicy },
            key: {
              id: p.keyId,
              name: p.keyName,
              expiresAt: p.expiresAt ? new Date(p.expiresAt).toISOString() : null,
            },
            models: p.app.allowedModels.filter((m) => ctx.config.models.has(m)),
            endpoints: p.app.allowedEndpoints
              .map((n) => ctx.config.endpoints.get(n))
              .filter((e) => e !== undefined)
              .map((e) => ({
                name: e.name,
                description: e.description,
                url: `/api/public/v1/endpoints/${e.name}`,
                output: e.output ? 'json' : 'text',
              })),
          },
          headers,
        );
      },
    },
    '/api/public/v1/phi/deidentify': { methods: ['POST'], fn: deidentify },
    '/api/public/v1/usage': { methods: ['GET'], fn: usage },
  } satisfies Record<string, { methods: string[]; fn: OwnApiHandler }>),
);

function handleOwnApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  own: { methods: string[]; fn: OwnApiHandler },
  deps: ProxyDeps,
): Promise<void> {
  return withApiKey(
    { op: path.slice('/api/public/v1/'.length), route: 'custom', methods: own.methods },
    async (rq, rs, { principal, meter, headers, config }: ApiContext) => {
      const ctx: OwnApiContext = {
        principal,
        requestId: meter.requestId,
        maxBodyBytes: deps.maxBodyBytes,
        config,
        phiOffload: deps.phiOffload,
      };
      try {
        await own.fn(rq, rs, ctx, headers);
      } finally {
        if (ctx.phiCounts && Object.keys(ctx.phiCounts).length)
          meter.phiCounts = ctx.phiCounts as Record<string, number>;
      }
    },
  )(req, res, deps);
}

const isLoopback = (addr: string | undefined) =>
  addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Prometheus scrape; behind a bearer token when PORTICO_METRICS_TOKEN is set. */
async function sendMetrics(req: IncomingMessage, res: ServerResponse, deps: ProxyDeps) {
  const token = env().PORTICO_METRICS_TOKEN; // validated (16+ characters; blank means unset)
  if (token && !sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)) {
    return sendError(res, errors.metricsTokenRequired());
  }
  // Without a token, only this machine may scrape: metrics name apps and their costs. A request that a proxy
  // forwarded is not from this machine, even when the proxy runs on it: it is refused unless PORTICO_TRUST_PROXY
  // says how to find the real client, which must then be this machine too.
  const forwarded = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((h) => req.headers[h] !== undefined);
  const trusted = env().PORTICO_TRUST_PROXY > 0;
  if (!token && (!isLoopback(clientAddress(req)) || (forwarded && !trusted))) {
    return sendError(res, errors.metricsLocalOnly());
  }
  const m = metrics();
  m.onCollect(() => {
    m.usagePending.set(deps.usage.pending);
    m.usageDropped.set(deps.usage.dropped);
    m.upstreamCooldown.reset();
    for (const c of router().cooling())
      m.upstreamCooldown.set({ model: c.model, target: c.target }, Math.ceil(c.ms / 100) / 10);
  });
  if (isClusterWorker()) {
    // One instance, several processes: the primary adds up every worker's registry.
    const all = await clusterMetrics();
    return sendRaw(res, 200, Buffer.from(all.text), all.contentType);
  }
  sendRaw(res, 200, Buffer.from(await m.registry.metrics()), m.registry.contentType);
}

export function createProxyHandler(deps: ProxyDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    try {
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const ok = await readiness();
        return sendJson(res, ok ? 200 : 503, {
          status: ok ? 'ready' : 'not ready',
          database: ok ? 'ok' : 'unreachable or migrations pending',
        });
      }
      if (path === '/metrics') return await sendMetrics(req, res, deps);
      if (isDocsPath(path)) return handleDocs(req, res, path);
      const objects = matchObjects(path);
      if (objects) return await handleObjects(req, res, objects, url, deps);
      const oai = matchOai(path);
      if (oai)
        return oai.kind === 'media'
          ? await handleMedia(req, res, oai, url, deps)
          : await handleOai(req, res, oai, url, deps);
      if (path === COMPAT_PATH)
        return await handleOai(req, res, { kind: 'oai', op: 'chat', style: 'compat' }, url, deps, compatChat);
      if (path.startsWith(ADAPTER_PREFIX)) return await handleAdapter(req, res, url, deps);
      if (path.startsWith(ENDPOINT_PREFIX)) return await handleEndpoint(req, res, deps);
      const own = OWN_API.get(path);
      if (own) return await handleOwnApi(req, res, path, own, deps);
      req.resume();
      throw errors.notFound(path);
    } catch (err) {
      const requestId = randomUUID();
      sendError(res, toProxyError(err, requestId), { 'x-request-id': requestId });
    }
  };
}
