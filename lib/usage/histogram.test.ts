import { describe, expect, it } from 'vitest';
import { addBuckets, BUCKETS, bucketOf, quantile } from './histogram';

describe('latency histogram', () => {
  it('puts latencies in buckets and reads quantiles back within a bucket', () => {
    const b = new Array<number>(BUCKETS).fill(0);
    for (let ms = 1; ms <= 100; ms++) b[bucketOf(ms)]!++;
    const p50 = quantile(b, 0.5)!;
    expect(p50).toBeGreaterThan(25);
    expect(p50).toBeLessThanOrEqual(50);
    expect(quantile(b, 0.95)!).toBeGreaterThan(50);
    expect(quantile(new Array<number>(BUCKETS).fill(0), 0.5)).toBeNull();
    expect(addBuckets(b, b).reduce((s, n) => s + n, 0)).toBe(200);
    expect(bucketOf(10 ** 9)).toBe(BUCKETS - 1);
  });
});
