import type { IncomingMessage } from 'node:http';
import type { KeyCache } from '../keys/cache';
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

/** Step 2: key → principal, from the in-memory cache (the database only on a miss). */
export async function authenticate(keys: KeyCache, key: string | undefined): Promise<KeyPrincipal> {
  if (!key) throw errors.missingKey();
  if (key.length > 256) throw errors.invalidKey();
  const check = await keys.verify(key);
  if (check.ok) return check.principal;
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

/** Step 3: only approved apps pass. */
export function authorizeApp(p: KeyPrincipal): void {
  if (p.app.status !== 'approved') throw errors.appNotApproved(p.app.status);
}

/** The API is for backends: a browser (Origin header, CORS preflight) is refused with a reason. */
export function refuseBrowser(req: IncomingMessage): void {
  if (req.method === 'OPTIONS' || req.headers.origin !== undefined) throw errors.browserRefused();
}
