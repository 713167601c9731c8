/**
 * Sign-in throttling, in memory (per instance) and bounded. Two counters per attempt:
 * - the account *from this address* (5 failures): guessing one account's password is slowed, but an attacker
 *   elsewhere cannot lock its owner out;
 * - the address (30 failures, many people share a NAT): spraying passwords over many accounts is slowed, and
 *   signing in to an account of one's own does not reset it.
 * After a burst, attempts are refused for a while that grows with each burst.
 */
const WINDOW_MS = 15 * 60_000;
const MAX_ENTRIES = 50_000;
/** Failures allowed per window: few for one account from one address, more for one address. */
const burstFor = (key: string) => (key.startsWith('ip:') ? 30 : 5);

/** The counters a sign-in attempt for `email` from `ip` is checked against and counted in. */
export const signinKeys = (email: string, ip: string) => [`account:${email}|${ip}`, `ip:${ip}`];

interface Entry {
  failures: number[];
  lockedUntil: number;
  bursts: number;
}

const KEY = Symbol.for('portico.signinThrottle');
type Holder = { [KEY]?: Map<string, Entry> };
function table(): Map<string, Entry> {
  const g = globalThis as Holder;
  g[KEY] ??= new Map();
  return g[KEY];
}

export function lockedFor(keys: string[], now = Date.now()): number {
  let ms = 0;
  for (const k of keys) {
    const e = table().get(k);
    if (e && e.lockedUntil > now) ms = Math.max(ms, e.lockedUntil - now);
  }
  return ms;
}

/** Records a failure; returns true when it completes a burst (worth an audit entry). */
export function recordFailure(keys: string[], now = Date.now()): boolean {
  let burst = false;
  const t = table();
  for (const k of keys) {
    const e = t.get(k) ?? { failures: [], lockedUntil: 0, bursts: 0 };
    e.failures = e.failures.filter((at) => now - at < WINDOW_MS);
    e.failures.push(now);
    if (e.failures.length >= burstFor(k)) {
      e.bursts++;
      e.lockedUntil = now + Math.min(30_000 * 2 ** (e.bursts - 1), WINDOW_MS);
      e.failures = [];
      burst = true;
    }
    t.delete(k);
    t.set(k, e);
    if (t.size > MAX_ENTRIES) t.delete(t.keys().next().value as string);
  }
  return burst;
}

/** A correct password clears that account's counter from that address; the address's own count stays. */
export function recordSuccess(email: string, ip: string): void {
  table().delete(signinKeys(email, ip)[0]!);
}
