import { describe, expect, it } from 'vitest';
import { KeyCache } from './cache';
import { generateKey, hashKey, looksLikeKey } from './format';
import type { KeyPrincipal } from './principal';

const principal = (over: Partial<KeyPrincipal> = {}): KeyPrincipal => ({
  keyId: 'k1',
  keyName: 'n',
  expiresAt: null,
  revokedAt: null,
  app: {
    id: 'a1',
    name: 'app',
    status: 'approved',
    allowedModels: [],
    allowedAdapters: [],
    allowedEndpoints: [],
    allowByoKey: false,
    allowImages: false,
    allowAudio: false,
    statefulPhi: false,
    phiPolicy: 'scrub',
    rpmLimit: null,
    tpmLimit: null,
    monthlyTokenBudget: null,
    monthlyCostBudgetUsd: null,
  },
  ...over,
});

describe('key format', () => {
  it('is prefix_ + 43 base62 characters (32 random bytes), stored only as SHA-256', () => {
    const k = generateKey('ptc');
    expect(k.key).toMatch(/^ptc_[0-9A-Za-z]{43}$/);
    expect(looksLikeKey(k.key)).toBe(true);
    expect(k.hash).toBe(hashKey(k.key));
    expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(k.key.startsWith(k.prefix)).toBe(true);
    expect(k.key.endsWith(k.last4)).toBe(true);
    expect(generateKey('ptc').key).not.toBe(k.key);
  });
});

describe('key cache', () => {
  it('serves hits from memory and loads each miss once, however many ask at once', async () => {
    let loads = 0;
    const cache = new KeyCache({ load: async () => (loads++, principal()) });
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.verify('ptc_x')));
    expect(results.every((r) => r.ok)).toBe(true);
    await cache.verify('ptc_x');
    expect(loads).toBe(1);
  });

  it('refuses revoked and expired keys, and forgets on invalidation', async () => {
    let now = 1_000;
    let p = principal({ expiresAt: 5_000 });
    const cache = new KeyCache({ load: async () => p, now: () => now });
    expect((await cache.verify('k')).ok).toBe(true);
    now = 5_000;
    expect(await cache.verify('k')).toEqual({ ok: false, reason: 'expired' });
    p = principal({ revokedAt: 5_000 });
    cache.invalidateKey('k1');
    expect(await cache.verify('k')).toEqual({ ok: false, reason: 'revoked' });
  });

  it('keeps serving a recently verified key while the database is down, for a bounded time', async () => {
    let now = 0;
    let up = true;
    const cache = new KeyCache({
      load: async () => {
        if (!up) throw new Error('down');
        return principal();
      },
      now: () => now,
      freshMs: 1_000,
      staleMs: 60_000,
    });
    expect((await cache.verify('k')).ok).toBe(true);
    up = false;
    now = 59_000;
    expect((await cache.verify('k')).ok).toBe(true);
    now = 61_000;
    expect(await cache.verify('k')).toEqual({ ok: false, reason: 'unavailable' });
    expect(await cache.verify('other')).toEqual({ ok: false, reason: 'unavailable' });
  });

  it('answers a stale known key at once while a hung database is asked in the background', async () => {
    let now = 0;
    let hang = false;
    let loads = 0;
    let answer: (p: KeyPrincipal) => void = () => {};
    const cache = new KeyCache({
      load: () => {
        loads++;
        return hang ? new Promise<KeyPrincipal>((r) => (answer = r)) : Promise.resolve(principal());
      },
      now: () => now,
      freshMs: 1_000,
    });
    expect((await cache.verify('k')).ok).toBe(true);
    hang = true;
    now = 5_000;
    const t0 = Date.now();
    expect((await cache.verify('k')).ok).toBe(true);
    expect(Date.now() - t0).toBeLessThan(50);
    // The database was asked again, in the background; when it answers, its answer counts.
    expect(loads).toBe(2);
    answer(principal({ revokedAt: 1_000 }));
    await new Promise((r) => setImmediate(r));
    expect(await cache.verify('k')).toEqual({ ok: false, reason: 'revoked' });
  });

  it('does not cache a read that started before a revocation', async () => {
    let release: (p: KeyPrincipal) => void = () => {};
    const cache = new KeyCache({ load: () => new Promise<KeyPrincipal>((r) => (release = r)) });
    const first = cache.verify('k');
    cache.invalidateKey('k1'); // the revocation commits while the read is in flight
    release(principal());
    expect((await first).ok).toBe(true); // that one request was already on its way
    // The next request reads again instead of using the pre-revocation answer.
    const again = cache.verify('k');
    release(principal({ revokedAt: 1 }));
    expect(await again).toEqual({ ok: false, reason: 'revoked' });
  });

  it('remembers unknown keys briefly and stays bounded', async () => {
    let loads = 0;
    const cache = new KeyCache({ load: async () => (loads++, null), max: 10 });
    await cache.verify('a');
    await cache.verify('a');
    expect(loads).toBe(1);
    for (let i = 0; i < 50; i++) await cache.verify(`k${i}`);
    expect(cache.size).toBeLessThanOrEqual(10);
  });
});
