import { describe, expect, it } from 'vitest';
import { formatCell } from '../../components/usage/format';
import { pct } from './tables';

describe('shares in percent', () => {
  it('are rounded once, so the totals card and the tables show the same figure', () => {
    // 7 of 13 is 53.846…%: rounding to two decimals first made the table say 53.9% beside the card's 53.8%.
    expect(formatCell(pct(7, 13), 'pct')).toBe('53.8%');
    expect(formatCell(pct(7, 13), 'pct')).toBe(formatCell((7 / 13) * 100, 'pct'));
    expect(pct(0, 0)).toBeNull();
  });
});
