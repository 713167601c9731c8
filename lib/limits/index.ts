import { Redis } from 'ioredis';
import { log } from '../log';
import { monthToDate } from '../usage/queries';
import { remainingTokens, remainingUsd } from '../usage/budget';
import { MemoryLimitStore } from './memory';
import { RedisLimitStore } from './redis';
import type {
  AppLimits,
  Counters,
  Decision,
  LimitReason,
  LimitStore,
  MonthToDate,
  Reservation,
} from './types';

export type { AppLimits, LimitReason, Reservation } from './types';

export const hasLimits = (l: AppLimits) =>
  l.rpm !== null || l.tpm !== null || l.monthlyTokens !== null || l.monthlyCostUsd !== null;

/** Month-to-date tokens and cost of an app, from the daily rollups (the query the portal's budget view uses). */
export const monthToDateFromDb: MonthToDate = async (appId, month) =>
  (await monthToDate(month, appId)).get(appId) ?? { tokens: 0, costUsd: 0 };

export interface LimitCheck {
  ok: boolean;
  reason?: LimitReason;
  retryAfterS: number;
  headers: Record<string, string>;
  reservation?: Reservation & { store: LimitStore };
}

const secondsToNextMinute = (now: number) => Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));
function secondsToNextMonth(now: number): number {
  const d = new Date(now);
  return Math.max(1, Math.ceil((Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - now) / 1000));
}

/** OpenAI's rate-limit headers (and Portico's budget ones) for the limits an app has. */
export function limitHeaders(l: AppLimits, c: Counters, now: number): Record<string, string> {
  const h: Record<string, string> = {};
  const reset = `${secondsToNextMinute(now)}s`;
  if (l.rpm !== null) {
    h['x-ratelimit-limit-requests'] = String(l.rpm);
    h['x-ratelimit-remaining-requests'] = String(Math.max(0, l.rpm - c.requests));
    h['x-ratelimit-reset-requests'] = reset;
  }
  if (l.tpm !== null) {
    h['x-ratelimit-limit-tokens'] = String(l.tpm);
    h['x-ratelimit-remaining-tokens'] = String(Math.max(0, l.tpm - c.tokens));
    h['x-ratelimit-reset-tokens'] = reset;
  }
  if (l.monthlyTokens !== null)
    h['x-portico-budget-remaining-tokens'] = String(remainingTokens(l.monthlyTokens, c.monthTokens));
  if (l.monthlyCostUsd !== null)
    h['x-portico-budget-remaining-usd'] = remainingUsd(l.monthlyCostUsd, c.monthCostUsd).toFixed(4);
  return h;
}

/**
 * Per-app limits: in this process by default; in Redis (atomic Lua) when REDIS_URL is set, so that any
 * number of instances share one limit. Redis unreachable → local limits with a logged warning, and back
 * to Redis when it returns.
 */
export class Limiter {
  /** The counters used without Redis (or while it is down): this process's, or the cluster primary's. */
  readonly local: LimitStore & { reset(): void };
  readonly shared?: RedisLimitStore;
  private degraded = false;
  /** After a failure, Redis is tried again from this time on (a command timeout does not disconnect it). */
  private retryAt = 0;

  /** The time windows are counted in (tests pin it inside one minute). */
  private readonly clock: () => number;

  constructor(
    opts: {
      redisUrl?: string;
      monthToDate?: MonthToDate;
      clock?: () => number;
      /** Where limits are counted without Redis (default: in this process). */
      local?: LimitStore & { reset(): void };
    } = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    const mtd = opts.monthToDate ?? monthToDateFromDb;
    this.local = opts.local ?? new MemoryLimitStore(mtd);
    if (opts.redisUrl) {
      const redis = new Redis(opts.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        commandTimeout: 1_000,
        retryStrategy: (times) => Math.min(times * 200, 2_000),
        lazyConnect: false,
      });
      redis.on('error', () => {}); // reported once through `degrade`
      redis.on('ready', () => {
        // A reconnect may follow a Redis restart that lost its data: seed budgets from the database again.
        this.shared?.forgetSeeds();
        this.retryAt = 0;
      });
      this.shared = new RedisLimitStore(redis, mtd);
    }
  }

  /** Where the next request will be counted: in Redis (shared by every instance) or by this instance alone. */
  get counting(): 'shared' | 'local' {
    return this.store() === this.shared ? 'shared' : 'local';
  }

  private store(): LimitStore {
    return this.shared && this.shared.redis.status === 'ready' && Date.now() >= this.retryAt
      ? this.shared
      : this.local;
  }

  private degrade(err: unknown) {
    if (!this.degraded) {
      log().warn(
        { err: (err as Error)?.message },
        'Redis unreachable: rate limits fall back to this instance until it returns',
      );
      // The local counters start again from the database's month-to-date.
      this.local.reset();
    }
    this.degraded = true;
    this.retryAt = Date.now() + 2_000;
  }

  private recovered() {
    if (this.degraded) log().info('Redis is back: rate limits are shared again');
    this.degraded = false;
  }

  async check(
    appId: string,
    limits: AppLimits,
    estimate: { tokens: number; costUsd: number },
    now = this.clock(),
  ): Promise<LimitCheck> {
    // Notice an outage before counting, so that the fall-back counters start before this request.
    if (this.shared && this.shared.redis.status !== 'ready' && !this.degraded)
      this.degrade(new Error(`redis ${this.shared.redis.status}`));
    let store = this.store();
    let d: Decision;
    try {
      d = await store.reserve(appId, limits, estimate, now);
      if (store === this.shared) this.recovered();
    } catch (err) {
      if (store === this.local) throw err;
      this.degrade(err);
      store = this.local;
      d = await store.reserve(appId, limits, estimate, now);
    }
    // The budget headers say what remained before this request (see lib/usage/budget): its own reservation,
    // an estimate, is not the use the portal and GET /usage report.
    const counters = d.ok
      ? {
          ...d.counters,
          monthTokens: d.counters.monthTokens - estimate.tokens,
          monthCostUsd: d.counters.monthCostUsd - estimate.costUsd,
        }
      : d.counters;
    const headers = limitHeaders(limits, counters, now);
    if (d.ok) return { ok: true, retryAfterS: 0, headers, reservation: { ...d.reservation, store } };
    const retryAfterS =
      d.reason === 'rpm' || d.reason === 'tpm' ? secondsToNextMinute(now) : secondsToNextMonth(now);
    return { ok: false, reason: d.reason, retryAfterS, headers };
  }

  /** Replaces the reservation with what the request actually used (0 when it failed). Never throws. */
  settle(r: LimitCheck['reservation'], actual: { tokens: number; costUsd: number }): void {
    if (!r) return;
    r.store.settle(r, actual).catch((err: unknown) => {
      if (r.store !== this.local) this.degrade(err);
    });
  }

  async close(): Promise<void> {
    this.shared?.redis.disconnect();
  }
}
