import { describe, expect, it } from 'vitest';
import { MemoryLimitStore } from './memory';
import { limitHeaders } from '.';

const none = { rpm: null, tpm: null, monthlyTokens: null, monthlyCostUsd: null };
const T0 = Date.UTC(2026, 10, 22, 12, 0, 5);

describe('in-memory limits', () => {
  it('counts requests per minute window and resets on the next minute', async () => {
    const s = new MemoryLimitStore(async () => ({ tokens: 0, costUsd: 0 }));
    const l = { ...none, rpm: 2 };
    const est = { tokens: 1, costUsd: 0 };
    expect((await s.reserve('a', l, est, T0)).ok).toBe(true);
    expect((await s.reserve('a', l, est, T0 + 1)).ok).toBe(true);
    expect(await s.reserve('a', l, est, T0 + 2)).toMatchObject({ ok: false, reason: 'rpm' });
    expect((await s.reserve('b', l, est, T0 + 2)).ok).toBe(true);
    expect((await s.reserve('a', l, est, T0 + 60_000)).ok).toBe(true);
  });

  it('starts budgets from the month-to-date in the database and counts reservations until settled', async () => {
    const s = new MemoryLimitStore(async () => ({ tokens: 900, costUsd: 0 }));
    const l = { ...none, monthlyTokens: 1_000 };
    const r1 = await s.reserve('a', l, { tokens: 60, costUsd: 0 }, T0);
    const r2 = await s.reserve('a', l, { tokens: 60, costUsd: 0 }, T0);
    expect(r1.ok && r2.ok).toBe(true);
    // 900 + two reservations of 60 ≥ 1000: a third concurrent request is refused before either settles.
    expect(await s.reserve('a', l, { tokens: 60, costUsd: 0 }, T0)).toMatchObject({
      ok: false,
      reason: 'monthly_tokens',
    });
    if (r1.ok) await s.settle(r1.reservation, { tokens: 10, costUsd: 0 });
    if (r2.ok) await s.settle(r2.reservation, { tokens: 10, costUsd: 0 });
    expect((await s.reserve('a', l, { tokens: 60, costUsd: 0 }, T0)).ok).toBe(true);
  });

  it('reserves tokens per minute before the call, so concurrent requests cannot all pass, and settles after', async () => {
    const s = new MemoryLimitStore(async () => ({ tokens: 0, costUsd: 0 }));
    const l = { ...none, tpm: 1_000 };
    const first = await s.reserve('a', l, { tokens: 600, costUsd: 0 }, T0);
    const second = await s.reserve('a', l, { tokens: 600, costUsd: 0 }, T0);
    expect(first.ok && second.ok).toBe(true);
    // 1,200 reserved ≥ 1,000: the third is refused before anything settled.
    expect(await s.reserve('a', l, { tokens: 600, costUsd: 0 }, T0)).toMatchObject({
      ok: false,
      reason: 'tpm',
    });
    if (first.ok) await s.settle(first.reservation, { tokens: 50, costUsd: 0 });
    if (second.ok) await s.settle(second.reservation, { tokens: 50, costUsd: 0 });
    expect((await s.reserve('a', l, { tokens: 600, costUsd: 0 }, T0)).ok).toBe(true);
  });

  it('gives OpenAI’s rate-limit headers for the limits an app has', () => {
    const h = limitHeaders(
      { rpm: 10, tpm: 1000, monthlyTokens: null, monthlyCostUsd: 5 },
      { requests: 3, tokens: 250, monthTokens: 0, monthCostUsd: 1.25 },
      T0,
    );
    expect(h).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '7',
      'x-ratelimit-reset-requests': '55s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '750',
      'x-ratelimit-reset-tokens': '55s',
      'x-portico-budget-remaining-usd': '3.7500',
    });
  });
});
