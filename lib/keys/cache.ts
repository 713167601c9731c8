import { hashKey } from './format';
import type { KeyPrincipal } from './principal';

export type KeyCheck =
  | { ok: true; principal: KeyPrincipal }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'unavailable' };

export interface KeyCacheOptions {
  load: (hash: string) => Promise<KeyPrincipal | null>;
  /** A hit younger than this is served without asking the database. */
  freshMs?: number;
  /** While the database is unreachable, a key verified within this window keeps working. */
  staleMs?: number;
  /** Unknown keys are remembered this long, so guessing does not hammer the database. */
  negativeMs?: number;
  max?: number;
  now?: () => number;
}

interface Entry {
  principal: KeyPrincipal | null;
  at: number;
}

/** Bounded in-memory cache of key verifications, keyed by the key's SHA-256, with single-flight loads. */
export class KeyCache {
  private entries = new Map<string, Entry>();
  private inflight = new Map<string, Promise<Entry>>();
  private readonly o: Required<KeyCacheOptions>;

  constructor(opts: KeyCacheOptions) {
    this.o = { freshMs: 30_000, staleMs: 300_000, negativeMs: 5_000, max: 20_000, now: Date.now, ...opts };
  }

  async verify(key: string): Promise<KeyCheck> {
    const hash = hashKey(key);
    const now = this.o.now();
    let entry = this.entries.get(hash);
    const maxAge = entry?.principal ? this.o.freshMs : this.o.negativeMs;
    if (!entry || now - entry.at > maxAge) {
      const stale = entry?.principal && now - entry.at <= this.o.staleMs ? entry : undefined;
      if (stale && now < this.failedUntil) {
        // The database failed a moment ago: serve the recently verified key without waiting on it again.
      } else if (stale) {
        // Stale while revalidating: a known key is answered now and refreshed in the background.
        this.load(hash).catch(() => this.noteFailure());
      } else if (now < this.failedUntil) {
        return { ok: false, reason: 'unavailable' };
      } else {
        try {
          entry = await this.load(hash);
        } catch {
          this.noteFailure();
          return { ok: false, reason: 'unavailable' };
        }
      }
    }
    if (!entry) return { ok: false, reason: 'unavailable' };
    const p = entry.principal;
    if (!p) return { ok: false, reason: 'unknown' };
    if (p.revokedAt !== null && p.revokedAt <= now) return { ok: false, reason: 'revoked' };
    if (p.expiresAt !== null && p.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, principal: p };
  }

  /** A key already verified and still fresh in memory, without any lookup (null otherwise). */
  cached(key: string): KeyPrincipal | null {
    const e = this.entries.get(hashKey(key));
    const now = this.o.now();
    if (!e?.principal || now - e.at > this.o.freshMs) return null;
    const p = e.principal;
    if ((p.revokedAt !== null && p.revokedAt <= now) || (p.expiresAt !== null && p.expiresAt <= now))
      return null;
    return p;
  }

  /** While the database is failing, lookups wait this long before trying it again. */
  private failedUntil = 0;
  /** Bumped by every invalidation: a load that started before one must not cache what it read. */
  private generation = 0;

  private noteFailure() {
    this.failedUntil = this.o.now() + 2_000;
  }

  private load(hash: string): Promise<Entry> {
    let p = this.inflight.get(hash);
    if (!p) {
      const startedAt = this.generation;
      p = this.o
        .load(hash)
        .then((principal) => {
          const entry = { principal, at: this.o.now() };
          if (startedAt !== this.generation) return entry; // read before a revocation: answer once, never cache
          this.failedUntil = 0;
          this.entries.delete(hash);
          this.entries.set(hash, entry);
          if (this.entries.size > this.o.max) this.entries.delete(this.entries.keys().next().value as string);
          return entry;
        })
        .finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, p);
    }
    return p;
  }

  invalidateKey(keyId: string): void {
    this.generation++;
    for (const [h, e] of this.entries) if (e.principal?.keyId === keyId) this.entries.delete(h);
  }

  invalidateApp(appId: string): void {
    this.generation++;
    for (const [h, e] of this.entries) if (e.principal?.app.id === appId) this.entries.delete(h);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
