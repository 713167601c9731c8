import type { Model, Target } from '../config';

/**
 * Which deployment of a model gets a request, and which are resting. Each target has a circuit breaker: a
 * connection failure, a timeout, a 5xx or a 429 puts it in a cooldown (a 429's Retry-After or retry-after-ms
 * when the upstream says, else 1 s doubling per consecutive failure up to 30 s); once the cooldown is over the
 * target is tried again (half-open) and one success closes the breaker. Tiers (priority) are used in order;
 * within a tier the strategy picks the first target, the others follow as retries.
 *
 * State is per instance (each Portico process learns from its own traffic); a model with one target never
 * consults it, so the single-deployment path costs nothing.
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
}

export type Outcome =
  | { ok: true; latencyMs: number }
  | { ok: false; kind: 'connect' | 'timeout' | 'status'; status?: number; retryAfterMs?: number };

const MAX_COOLDOWN_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;

export class Router {
  private readonly state = new Map<string, State>();

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
    resting.sort((a, b) => this.of(model, a).coolUntil - this.of(model, b).coolUntil);
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
    if (s.coolUntil > now) return true;
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
      return [...tier].sort(
        (a, b) => this.of(model, a).inflight - this.of(model, b).inflight || b.weight - a.weight,
      );
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
