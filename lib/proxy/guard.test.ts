import { describe, expect, it } from 'vitest';
import { KeyGuard } from './guard';

describe('key guessing guard', () => {
  it('blocks an address after a burst of invalid keys, for a while, and only that address', () => {
    let now = 0;
    const g = new KeyGuard({ burst: 3, windowMs: 60_000, blockMs: 30_000, now: () => now });
    g.fail('a');
    g.fail('a');
    expect(g.blockedFor('a')).toBe(0);
    g.fail('a');
    expect(g.blockedFor('a')).toBe(30);
    expect(g.blockedFor('b')).toBe(0);
    now = 30_001;
    expect(g.blockedFor('a')).toBe(0);
  });

  it('forgets failures outside the window', () => {
    let now = 0;
    const g = new KeyGuard({ burst: 3, windowMs: 1_000, now: () => now });
    g.fail('a');
    g.fail('a');
    now = 2_000;
    g.fail('a');
    expect(g.blockedFor('a')).toBe(0);
  });
});
