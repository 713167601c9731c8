import type { IncomingMessage, ServerResponse } from 'node:http';
import { db } from '../db';
import { authenticate, authorizeApp, presentedKey, refuseBrowser } from './auth';
import { errors } from './errors';
import { sendError, sendJson } from './http';
import { handleOai, toProxyError, type ProxyDeps } from './pipeline';
import { matchOai } from './routes';

/** Paths the fast path answers; everything else goes to Next.js. */
export function isFastPath(pathname: string): boolean {
  return (
    pathname.startsWith('/api/public/') ||
    pathname.startsWith('/v1/') ||
    pathname === '/healthz' ||
    pathname === '/readyz' ||
    pathname === '/metrics'
  );
}

let ready: { at: number; ok: boolean } = { at: 0, ok: false };

async function readiness(): Promise<boolean> {
  if (Date.now() - ready.at < 1_000) return ready.ok;
  let ok = false;
  try {
    const rows = await db().$queryRaw<{ pending: bigint }[]>`
      SELECT count(*) AS pending FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL`;
    ok = Number(rows[0]?.pending ?? 1) === 0;
  } catch {
    ok = false;
  }
  ready = { at: Date.now(), ok };
  return ok;
}

export function createProxyHandler(deps: ProxyDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    try {
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const ok = await readiness();
        return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', database: ok ? 'ok' : 'unreachable or migrations pending' });
      }
      const oai = matchOai(path);
      if (oai) return await handleOai(req, res, oai, url, deps);
      if (path === '/api/public/v1/whoami') {
        refuseBrowser(req);
        const p = await authenticate(deps.keys, presentedKey(req));
        authorizeApp(p);
        const cfg = deps.config();
        return sendJson(res, 200, {
          app: { id: p.app.id, name: p.app.name, status: p.app.status, phiPolicy: p.app.phiPolicy },
          key: { id: p.keyId, name: p.keyName, expiresAt: p.expiresAt ? new Date(p.expiresAt).toISOString() : null },
          models: p.app.allowedModels.filter((m) => cfg.models.has(m)),
        });
      }
      req.resume();
      throw errors.notFound(path);
    } catch (err) {
      sendError(res, toProxyError(err, 'n/a'));
    }
  };
}
