import type { IncomingMessage } from 'node:http';
import type { KeyCache } from '../keys/cache';
import { looksLikeKey } from '../keys/format';
import { clientAddress, type KeyGuard } from './guard';
import type { KeyPrincipal } from '../keys/principal';
import { errors } from './errors';

/** The key from `api-key`, or `Authorization: Bearer` (what each SDK sends). */
export function presentedKey(req: IncomingMessage, header = 'api-key'): string | undefined {
  const direct = req.headers[header];
  if (typeof direct === 'string' && direct.trim()) return direct.trim();
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return undefined;
}

/**
 * Key → principal, from the in-memory cache (the database only on a miss). Addresses that keep
 * presenting invalid keys are throttled before any lookup.
 */
export async function authenticate(
  deps: { keys: KeyCache; guard: KeyGuard },
  req: IncomingMessage,
  key: string | undefined,
): Promise<KeyPrincipal> {
  if (!key) throw errors.missingKey();
  const addr = clientAddress(req);
  const wait = deps.guard.blockedFor(addr);
  if (wait > 0) {
    // A throttled address may still use a key it has already proven; guesses are not looked up.
    const known = deps.keys.cached(key);
    if (known) return known;
    throw errors.tooManyInvalidKeys(wait);
  }
  if (key.length > 256 || !looksLikeKey(key)) {
    deps.guard.fail(addr);
    throw errors.invalidKey();
  }
  const check = await deps.keys.verify(key);
  if (check.ok) return check.principal;
  if (check.reason !== 'unavailable') deps.guard.fail(addr);
  switch (check.reason) {
    case 'revoked':
      throw errors.revokedKey();
    case 'expired':
      throw errors.expiredKey();
    case 'unavailable':
      throw errors.keyCheckUnavailable();
    default:
      throw errors.invalidKey();
  }
}

/** Only approved apps pass. */
export function authorizeApp(p: KeyPrincipal): void {
  if (p.app.status !== 'approved') throw errors.appNotApproved(p.app.status);
}

/**
 * The API is for backends: a browser (Origin header, CORS preflight) is refused with a reason. The one
 * exception is Portico's own API reference at /api calling the API from the same origin ("try it"): the
 * browser itself vouches for that with Sec-Fetch-Site, which page scripts cannot set.
 */
export function refuseBrowser(req: IncomingMessage): void {
  if (req.method === 'OPTIONS') throw errors.browserRefused();
  const origin = req.headers.origin;
  if (origin === undefined) return;
  if (req.headers['sec-fetch-site'] === 'same-origin' && sameHost(origin, req.headers.host)) return;
  throw errors.browserRefused();
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
