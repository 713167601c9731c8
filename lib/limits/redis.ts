import { Redis } from 'ioredis';
import {
  type AppLimits,
  type Decision,
  type LimitStore,
  type MonthToDate,
  type Reservation,
  minuteOf,
  monthOf,
  type Counters,
  type LimitReason,
} from './types';

// Check every limit and reserve, atomically: any number of instances share one count.
// KEYS: requests/minute, tokens/minute, month tokens, month cost. ARGV: rpm, tpm, month tokens, month cost
// (-1 = no limit), estimated tokens, estimated cost.
const RESERVE = `
local function num(k) return tonumber(redis.call('GET', k) or '0') end
local reqs, toks, mt, mc = num(KEYS[1]), num(KEYS[2]), num(KEYS[3]), num(KEYS[4])
local rpm, tpm, bt, bc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local reason = 0
if rpm >= 0 and reqs >= rpm then reason = 1
elseif tpm >= 0 and toks >= tpm then reason = 2
elseif bt >= 0 and mt >= bt then reason = 3
elseif bc >= 0 and mc >= bc then reason = 4 end
if reason == 0 then
  reqs = redis.call('INCR', KEYS[1])
  redis.call('EXPIRE', KEYS[1], 120)
  if tpm >= 0 then
    toks = redis.call('INCRBY', KEYS[2], ARGV[5])
    redis.call('EXPIRE', KEYS[2], 120)
  end
  if bt >= 0 or bc >= 0 then
    mt = redis.call('INCRBY', KEYS[3], ARGV[5])
    mc = tonumber(redis.call('INCRBYFLOAT', KEYS[4], ARGV[6]))
    redis.call('EXPIRE', KEYS[3], ARGV[7], 'NX')
    redis.call('EXPIRE', KEYS[4], ARGV[7], 'NX')
  end
end
return {reason, reqs, toks, mt, tostring(mc)}
`;

// KEYS: tokens/minute, month tokens, month cost. ARGV: token correction (actual - reserved), cost
// correction, whether the minute's tokens were reserved (1) or are counted now (0), whether budgets apply.
const SETTLE = `
if ARGV[3] == '1' then
  redis.call('INCRBY', KEYS[1], ARGV[1])
else
  redis.call('INCRBY', KEYS[1], ARGV[5])
end
redis.call('EXPIRE', KEYS[1], 120)
if ARGV[4] == '1' then
  redis.call('INCRBY', KEYS[2], ARGV[1])
  redis.call('INCRBYFLOAT', KEYS[3], ARGV[2])
end
return 1
`;

const REASONS: LimitReason[] = ['rpm', 'tpm', 'monthly_tokens', 'monthly_cost'];
const MONTH_TTL_S = 40 * 24 * 3600;

/** Limits counted in Redis with Lua scripts, shared by every instance on the same Redis. */
type Arg = string | number;
/** The two scripts as commands: ioredis sends them by SHA (EVALSHA), the source only once per connection. */
interface LimitScripts {
  porticoReserve(...args: Arg[]): Promise<[number, number, number, number, string]>;
  porticoSettle(...args: Arg[]): Promise<unknown>;
}

export class RedisLimitStore implements LimitStore {
  private seeded = new Map<string, Promise<void>>();
  private readonly scripts: LimitScripts;

  constructor(
    readonly redis: Redis,
    private readonly monthToDate: MonthToDate,
    private readonly prefix = 'portico',
  ) {
    redis.defineCommand('porticoReserve', { numberOfKeys: 4, lua: RESERVE });
    redis.defineCommand('porticoSettle', { numberOfKeys: 3, lua: SETTLE });
    this.scripts = redis as unknown as LimitScripts;
  }

  private keys(appId: string, minute: number, month: string) {
    const p = `${this.prefix}:{${appId}}`;
    return {
      reqs: `${p}:rpm:${minute}`,
      toks: `${p}:tpm:${minute}`,
      mt: `${p}:mt:${month}`,
      mc: `${p}:mc:${month}`,
    };
  }

  /** The month's counters start from the database's month-to-date usage (SET NX: the first instance wins). */
  private seed(appId: string, month: string, k: { mt: string; mc: string }): Promise<void> {
    const id = `${appId}|${month}`;
    let p = this.seeded.get(id);
    if (!p) {
      p = (async () => {
        if ((await this.redis.exists(k.mt, k.mc)) === 2) return;
        const mtd = await this.monthToDate(appId, month);
        await this.redis
          .multi()
          .set(k.mt, String(mtd.tokens), 'EX', MONTH_TTL_S, 'NX')
          .set(k.mc, String(mtd.costUsd), 'EX', MONTH_TTL_S, 'NX')
          .exec();
      })().catch((err: unknown) => {
        this.seeded.delete(id);
        throw err;
      });
      this.seeded.set(id, p);
    }
    return p;
  }

  async reserve(
    appId: string,
    limits: AppLimits,
    estimate: { tokens: number; costUsd: number },
    now: number,
  ): Promise<Decision> {
    const minute = minuteOf(now);
    const month = monthOf(now);
    const k = this.keys(appId, minute, month);
    if (limits.monthlyTokens !== null || limits.monthlyCostUsd !== null) await this.seed(appId, month, k);
    const r = await this.scripts.porticoReserve(
      k.reqs,
      k.toks,
      k.mt,
      k.mc,
      limits.rpm ?? -1,
      limits.tpm ?? -1,
      limits.monthlyTokens ?? -1,
      limits.monthlyCostUsd ?? -1,
      Math.round(estimate.tokens),
      estimate.costUsd.toFixed(9),
      MONTH_TTL_S,
    );
    const counters: Counters = {
      requests: r[1],
      tokens: r[2],
      monthTokens: r[3],
      monthCostUsd: Number(r[4]),
    };
    if (r[0] !== 0) return { ok: false, reason: REASONS[r[0] - 1]!, counters };
    return {
      ok: true,
      counters,
      reservation: {
        appId,
        minute,
        month,
        tokens: Math.round(estimate.tokens),
        costUsd: Number(estimate.costUsd.toFixed(9)),
        minuteReserved: limits.tpm !== null,
        budgets: limits.monthlyTokens !== null || limits.monthlyCostUsd !== null,
      },
    };
  }

  async settle(r: Reservation, actual: { tokens: number; costUsd: number }): Promise<void> {
    const k = this.keys(r.appId, r.minute, r.month);
    const tokens = Math.round(actual.tokens);
    await this.scripts.porticoSettle(
      k.toks,
      k.mt,
      k.mc,
      tokens - r.tokens,
      (actual.costUsd - r.costUsd).toFixed(9),
      r.minuteReserved ? '1' : '0',
      r.budgets ? '1' : '0',
      tokens,
    );
  }

  /** After a reconnect Redis may have lost its data: seed the month counters from the database again. */
  forgetSeeds(): void {
    this.seeded.clear();
  }
}
