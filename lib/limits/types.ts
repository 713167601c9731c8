export interface AppLimits {
  rpm: number | null;
  tpm: number | null;
  monthlyTokens: number | null;
  monthlyCostUsd: number | null;
}

export type LimitReason = 'rpm' | 'tpm' | 'monthly_tokens' | 'monthly_cost';

/** What a request reserved before the upstream call; settled with the actual usage after it. */
export interface Reservation {
  appId: string;
  minute: number;
  month: string;
  tokens: number;
  costUsd: number;
  /** The estimate was added to the minute's tokens (a tokens-per-minute limit applies). */
  minuteReserved?: boolean;
  /** The estimate was added to the month's counters (a monthly budget applies). */
  budgets?: boolean;
}

export interface Counters {
  requests: number;
  tokens: number;
  monthTokens: number;
  monthCostUsd: number;
}

export type Decision =
  | { ok: true; reservation: Reservation; counters: Counters }
  | { ok: false; reason: LimitReason; counters: Counters };

/** Where the counters live: this process, or Redis (shared by every instance). */
export interface LimitStore {
  reserve(
    appId: string,
    limits: AppLimits,
    estimate: { tokens: number; costUsd: number },
    now: number,
  ): Promise<Decision>;
  settle(r: Reservation, actual: { tokens: number; costUsd: number }): Promise<void>;
}

/** Month-to-date spend from the database, the starting point of a month's budget counters. */
export type MonthToDate = (appId: string, month: string) => Promise<{ tokens: number; costUsd: number }>;

export const minuteOf = (now: number) => Math.floor(now / 60_000);
export const monthOf = (now: number) => new Date(now).toISOString().slice(0, 7);
