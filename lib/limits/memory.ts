import {
  minuteOf,
  monthOf,
  type AppLimits,
  type Decision,
  type LimitStore,
  type MonthToDate,
  type Reservation,
} from './types';

interface AppCounters {
  minute: number;
  requests: number;
  tokens: number;
  month: string;
  monthTokens: number;
  monthCostUsd: number;
}

/**
 * Limits counted in this process. Exact for one instance; with several, use Redis (REDIS_URL). Budgets
 * start from the month-to-date usage in the database and count reservations, so concurrent requests
 * cannot all slip under the budget at once.
 */
export class MemoryLimitStore implements LimitStore {
  private apps = new Map<string, AppCounters>();
  private loading = new Map<string, Promise<void>>();

  constructor(private readonly monthToDate: MonthToDate) {}

  private async counters(appId: string, now: number): Promise<AppCounters> {
    const month = monthOf(now);
    let c = this.apps.get(appId);
    if (!c || c.month !== month) {
      let p = this.loading.get(appId);
      if (!p) {
        p = this.monthToDate(appId, month)
          .then((mtd) => {
            this.apps.set(appId, {
              minute: minuteOf(now),
              requests: 0,
              tokens: 0,
              month,
              monthTokens: mtd.tokens,
              monthCostUsd: mtd.costUsd,
            });
          })
          .finally(() => this.loading.delete(appId));
        this.loading.set(appId, p);
      }
      await p;
      c = this.apps.get(appId)!;
    }
    const minute = minuteOf(now);
    if (c.minute !== minute) {
      c.minute = minute;
      c.requests = 0;
      c.tokens = 0;
    }
    return c;
  }

  async reserve(
    appId: string,
    limits: AppLimits,
    estimate: { tokens: number; costUsd: number },
    now: number,
  ): Promise<Decision> {
    const c = await this.counters(appId, now);
    const snapshot = () => ({
      requests: c.requests,
      tokens: c.tokens,
      monthTokens: c.monthTokens,
      monthCostUsd: c.monthCostUsd,
    });
    if (limits.rpm !== null && c.requests >= limits.rpm)
      return { ok: false, reason: 'rpm', counters: snapshot() };
    if (limits.tpm !== null && c.tokens >= limits.tpm)
      return { ok: false, reason: 'tpm', counters: snapshot() };
    if (limits.monthlyTokens !== null && c.monthTokens >= limits.monthlyTokens)
      return { ok: false, reason: 'monthly_tokens', counters: snapshot() };
    if (limits.monthlyCostUsd !== null && c.monthCostUsd >= limits.monthlyCostUsd)
      return { ok: false, reason: 'monthly_cost', counters: snapshot() };
    c.requests++;
    // Reserved before the call so that concurrent requests cannot all slip under a limit; settled after.
    const minuteReserved = limits.tpm !== null;
    if (minuteReserved) c.tokens += estimate.tokens;
    c.monthTokens += estimate.tokens;
    c.monthCostUsd += estimate.costUsd;
    return {
      ok: true,
      counters: snapshot(),
      reservation: {
        appId,
        minute: c.minute,
        month: c.month,
        tokens: estimate.tokens,
        costUsd: estimate.costUsd,
        minuteReserved,
        budgets: true,
      },
    };
  }

  async settle(r: Reservation, actual: { tokens: number; costUsd: number }): Promise<void> {
    const c = this.apps.get(r.appId);
    if (!c) return;
    if (c.minute === r.minute) c.tokens += r.minuteReserved ? actual.tokens - r.tokens : actual.tokens;
    if (c.month === r.month) {
      c.monthTokens += actual.tokens - r.tokens;
      c.monthCostUsd += actual.costUsd - r.costUsd;
    }
  }

  /** Forgets everything, so that budgets are read from the database again (after a Redis outage, say). */
  reset(): void {
    this.apps.clear();
  }
}
