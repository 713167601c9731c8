import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Model, Target } from '../config';
import { log } from '../log';

/**
 * Which deployment of a model gets a request, and which are resting. Each target has a circuit breaker: a
 * connection failure, a timeout, a 5xx or a 429 puts it in a cooldown (a 429's Retry-After or retry-after-ms
 * when the upstream says, else 1 s doubling per consecutive failure up to 30 s); once the cooldown is over the
 * target is tried again (half-open) and one success closes the breaker. Tiers (priority) are used in order;
 * within a tier the strategy picks the first target, the others follow as retries.
 *
 * Each instance keeps its own state and, with Redis (`share`), publishes it a few times a second and reads the
 * others': a cooldown one instance sets rests the target everywhere, and least-busy counts every instance's
 * requests in flight. Nothing of this is on the request path (a timer does it). A model with one target never
 * consults the router, so the single-deployment path costs nothing.
 */
interface State {
  /** The minute (epoch minutes) the two counts below are for: the target's own quota, when it has one. */
  minute: number;
  minuteRequests: number;
  minuteTokens: number;
  inflight: number;
  failures: number;
  coolUntil: number;
  /** Smoothed latency to the answer's headers (ms), 0 until measured. */
  latencyMs: number;
  /** The other instances' requests in flight to it (from Redis), and their latest cooldown. */
  othersInflight: number;
  othersCoolUntil: number;
}

export type Outcome =
  | { ok: true; latencyMs: number }
  | { ok: false; kind: 'connect' | 'timeout' | 'status'; status?: number; retryAfterMs?: number };

const MAX_COOLDOWN_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;

export class Router {
  private readonly state = new Map<string, State>();
  private sharing = false;

  constructor(private readonly now: () => number = Date.now) {}

  private of(model: Model, t: Target): State {
    const key = `${model.name}\u0000${t.name}`;
    let s = this.state.get(key);
    if (!s) {
      s = {
        minute: 0,
        minuteRequests: 0,
        minuteTokens: 0,
        inflight: 0,
        failures: 0,
        coolUntil: 0,
        latencyMs: 0,
        othersInflight: 0,
        othersCoolUntil: 0,
      };
      this.state.set(key, s);
    }
    return s;
  }

  /** The targets in the order to try them: the chosen one first, resting ones last (soonest back first). */
  order(model: Model, random: () => number = Math.random): Target[] {
    if (model.targets.length === 1) return model.targets;
    const now = this.now();
    const ready: Target[] = [];
    const resting: Target[] = [];
    for (const t of model.targets) (this.resting(model, t, now) ? resting : ready).push(t);
    const until = (t: Target) => Math.max(this.of(model, t).coolUntil, this.of(model, t).othersCoolUntil);
    resting.sort((a, b) => until(a) - until(b));
    const tiers = [...new Set(ready.map((t) => t.priority))].sort((a, b) => a - b);
    const ordered: Target[] = [];
    for (const tier of tiers)
      ordered.push(
        ...this.rank(
          model,
          ready.filter((t) => t.priority === tier),
          random,
        ),
      );
    return [...ordered, ...resting];
  }

  /** In a cooldown, or its own per-minute quota is used up (then it rests until the minute ends). */
  private resting(model: Model, t: Target, now: number): boolean {
    const s = this.of(model, t);
    if (s.coolUntil > now || s.othersCoolUntil > now) return true;
    if (t.rpm === null && t.tpm === null) return false;
    this.roll(s, now);
    return (t.rpm !== null && s.minuteRequests >= t.rpm) || (t.tpm !== null && s.minuteTokens >= t.tpm);
  }

  private roll(s: State, now: number) {
    const minute = Math.floor(now / 60_000);
    if (s.minute !== minute) {
      s.minute = minute;
      s.minuteRequests = 0;
      s.minuteTokens = 0;
    }
  }

  /** The tokens a request to this target used, once known (for its tokens-per-minute quota). */
  addTokens(model: Model, t: Target, tokens: number): void {
    if (model.targets.length === 1 || t.tpm === null) return;
    const s = this.of(model, t);
    this.roll(s, this.now());
    s.minuteTokens += tokens;
  }

  /** One tier, best first: the strategy's pick, then the rest by the same measure. */
  private rank(model: Model, tier: Target[], random: () => number): Target[] {
    if (tier.length === 1) return tier;
    if (model.strategy === 'least-busy')
      return [...tier].sort((a, b) => this.busy(model, a) - this.busy(model, b) || b.weight - a.weight);
    if (model.strategy === 'latency')
      return [...tier].sort((a, b) => this.of(model, a).latencyMs - this.of(model, b).latencyMs);
    // Weighted: draw without replacement, so retries also follow the weights.
    const left = [...tier];
    const out: Target[] = [];
    while (left.length) {
      const total = left.reduce((n, t) => n + t.weight, 0);
      let r = random() * total;
      let i = 0;
      while (i < left.length - 1 && r >= left[i]!.weight) r -= left[i++]!.weight;
      out.push(left.splice(i, 1)[0]!);
    }
    return out;
  }

  start(model: Model, t: Target): void {
    if (model.targets.length === 1) return;
    const s = this.of(model, t);
    s.inflight++;
    if (t.rpm !== null || t.tpm !== null) {
      this.roll(s, this.now());
      s.minuteRequests++;
    }
  }

  finish(model: Model, t: Target, outcome: Outcome): void {
    if (model.targets.length === 1) return;
    const s = this.of(model, t);
    s.inflight = Math.max(0, s.inflight - 1);
    if (outcome.ok) {
      s.failures = 0;
      s.coolUntil = 0;
      s.latencyMs = s.latencyMs === 0 ? outcome.latencyMs : s.latencyMs * 0.8 + outcome.latencyMs * 0.2;
      return;
    }
    s.failures++;
    const backoff = Math.min(1_000 * 2 ** (s.failures - 1), MAX_COOLDOWN_MS);
    const wait =
      outcome.retryAfterMs !== undefined ? Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS) : backoff;
    s.coolUntil = this.now() + wait;
  }

  /** A target that answered but says its quota is spent (x-ratelimit-remaining-* at 0) rests until it resets. */
  rest(model: Model, t: Target, ms: number): void {
    if (model.targets.length === 1) return;
    const s = this.of(model, t);
    s.coolUntil = Math.max(s.coolUntil, this.now() + Math.min(ms, MAX_RETRY_AFTER_MS));
  }

  private busy(model: Model, t: Target): number {
    const s = this.of(model, t);
    return s.inflight + s.othersInflight;
  }

  /**
   * Shares the state through Redis: every `everyMs`, this instance writes its requests in flight and cooldown per
   * target (a hash per target, a field per instance, with the time it was written) and reads the others'. An
   * instance that stopped writing (killed) is ignored after a few periods. Returns the function that stops it.
   */
  share(redis: Redis, everyMs = 250): () => void {
    // One sharing loop per router: a second server in the same process (tests) must not count itself twice.
    if (this.sharing) return () => {};
    this.sharing = true;
    const me = randomBytes(6).toString('hex');
    const staleMs = everyMs * 8;
    let running = false;
    let warned = false;
    const sync = async () => {
      if (running || this.state.size === 0) return;
      running = true;
      try {
        const now = this.now();
        const keys = [...this.state.keys()];
        const write = redis.multi();
        for (const k of keys) {
          const s = this.state.get(k)!;
          const hash = `portico:route:${k}`;
          write.hset(hash, me, `${s.inflight}:${s.coolUntil}:${now}`);
          write.pexpire(hash, staleMs * 4);
          write.hgetall(hash);
        }
        const replies = (await write.exec()) ?? [];
        keys.forEach((k, i) => {
          const all = (replies[i * 3 + 2]?.[1] ?? {}) as Record<string, string>;
          const s = this.state.get(k)!;
          let inflight = 0;
          let coolUntil = 0;
          for (const [who, v] of Object.entries(all)) {
            if (who === me) continue;
            const [n, until, at] = v.split(':').map(Number) as [number, number, number];
            if (now - at <= staleMs) inflight += n;
            coolUntil = Math.max(coolUntil, until);
          }
          s.othersInflight = inflight;
          s.othersCoolUntil = coolUntil;
        });
        warned = false;
      } catch (err) {
        if (!warned)
          log().warn({ err: (err as Error).message }, 'routing state not shared: Redis unreachable');
        warned = true;
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void sync(), everyMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      this.sharing = false;
    };
  }

  /** Targets in a cooldown now, for /metrics: model, target and the milliseconds left. */
  cooling(): { model: string; target: string; ms: number }[] {
    const now = this.now();
    const out: { model: string; target: string; ms: number }[] = [];
    for (const [key, s] of this.state) {
      if (s.coolUntil <= now) continue;
      const [model, target] = key.split('\u0000') as [string, string];
      out.push({ model, target, ms: s.coolUntil - now });
    }
    return out;
  }
}

/** How long an upstream's 429 asks to wait: retry-after-ms, else Retry-After in seconds (or an HTTP date). */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const ra = headers['retry-after'];
  if (typeof ra !== 'string') return undefined;
  if (/^\d+$/.test(ra)) return Number(ra) * 1_000;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const one = (h: string | string[] | undefined) => (typeof h === 'string' ? h : undefined);

/** OpenAI's reset durations ("1s", "6m0s", "20ms", "1.5s") in milliseconds. */
function duration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  let matched = false;
  for (const [, n, u] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(n) * unit[u!]!;
    matched = true;
  }
  return matched ? ms : undefined;
}

/**
 * How long a deployment that answered says it has no quota left: Azure and OpenAI send
 * x-ratelimit-remaining-requests / -tokens, OpenAI also when they reset. At 0, the next request should go elsewhere
 * (for the reset's time, else a second); undefined while quota remains.
 */
export function quotaSpentMs(headers: Record<string, string | string[] | undefined>): number | undefined {
  const spent = (kind: 'requests' | 'tokens') =>
    one(headers[`x-ratelimit-remaining-${kind}`]) === '0'
      ? (duration(one(headers[`x-ratelimit-reset-${kind}`])) ?? 1_000)
      : undefined;
  const r = spent('requests');
  const t = spent('tokens');
  return r === undefined ? t : t === undefined ? r : Math.max(r, t);
}

const KEY = Symbol.for('portico.router');
type Holder = { [KEY]?: Router };

/** The process's router (one per instance). */
export function router(): Router {
  const g = globalThis as Holder;
  g[KEY] ??= new Router();
  return g[KEY];
}
