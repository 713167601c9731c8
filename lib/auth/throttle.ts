/**
 * Sign-in throttling per account and per client address: after a burst of failures, further attempts
 * are refused for a while that grows with each burst. In memory (per instance) and bounded.
 */
const WINDOW_MS = 15 * 60_000;
const MAX_ENTRIES = 50_000;
/** Failures allowed per window: few for one account, more for one address (many people share a NAT or proxy). */
const burstFor = (key: string) => (key.startsWith('ip:') ? 30 : 5);

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

export function recordSuccess(keys: string[]): void {
  for (const k of keys) table().delete(k);
}
