import { env } from '../env';
/**
 * Key guessing, throttled per client address: past a burst of invalid keys in a window, the address gets
 * 429 for a while without any key being looked up. Bounded memory; per instance.
 */
export interface GuardOptions {
  burst?: number;
  windowMs?: number;
  blockMs?: number;
  max?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

export class KeyGuard {
  private table = new Map<string, Entry>();
  private readonly o: Required<GuardOptions>;

  constructor(opts: GuardOptions = {}) {
    this.o = { burst: 30, windowMs: 60_000, blockMs: 60_000, max: 50_000, now: Date.now, ...opts };
  }

  /** Seconds the address must wait, or 0. */
  blockedFor(addr: string): number {
    const e = this.table.get(addr);
    const now = this.o.now();
    return e && e.blockedUntil > now ? Math.ceil((e.blockedUntil - now) / 1000) : 0;
  }

  fail(addr: string): void {
    const now = this.o.now();
    let e = this.table.get(addr);
    if (!e || now - e.windowStart > this.o.windowMs)
      e = { failures: 0, windowStart: now, blockedUntil: e?.blockedUntil ?? 0 };
    e.failures++;
    if (e.failures >= this.o.burst) {
      e.blockedUntil = now + this.o.blockMs;
      e.failures = 0;
      e.windowStart = now;
    }
    this.table.delete(addr);
    this.table.set(addr, e);
    if (this.table.size > this.o.max) this.table.delete(this.table.keys().next().value as string);
  }
}

/**
 * The client's address: the socket's, or — behind N trusted proxies (PORTICO_TRUST_PROXY=N) — the
 * X-Forwarded-For entry N from the right, the one the first trusted proxy appended. Entries further left
 * are whatever the client sent and are never trusted.
 */
export function clientAddress(
  req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } },
  hops = env().PORTICO_TRUST_PROXY,
): string {
  if (hops > 0) {
    const fwd = req.headers['x-forwarded-for'];
    const list = (Array.isArray(fwd) ? fwd.join(',') : (fwd ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const addr = list[list.length - hops];
    if (addr) return addr.slice(0, 64);
  }
  return req.socket.remoteAddress ?? 'unknown';
}
