// What the portal says about a key: pure, for pages and components alike (no database here).

export type KeyState =
  | { kind: 'active' }
  | { kind: 'expires_soon'; at: Date }
  | { kind: 'rotating'; until: Date }
  | { kind: 'expired'; at: Date; rotated: boolean }
  | { kind: 'revoked'; at: Date };

export const EXPIRES_SOON_MS = 7 * 86_400_000;

/** What a key's holder should know about it now: the state the proxy will enforce, in words for the portal. */
export function keyState(
  k: { revokedAt: Date | null; expiresAt: Date | null; rotatedTo?: { id: string } | null },
  now = Date.now(),
): KeyState {
  if (k.revokedAt && k.revokedAt.getTime() <= now) return { kind: 'revoked', at: k.revokedAt };
  if (k.expiresAt && k.expiresAt.getTime() <= now)
    return { kind: 'expired', at: k.expiresAt, rotated: Boolean(k.rotatedTo) };
  if (k.rotatedTo && k.expiresAt) return { kind: 'rotating', until: k.expiresAt };
  if (k.expiresAt && k.expiresAt.getTime() - now < EXPIRES_SOON_MS)
    return { kind: 'expires_soon', at: k.expiresAt };
  return { kind: 'active' };
}
