/** Upper bounds (ms) of the latency buckets kept in daily rollups; the last bucket is open-ended. */
export const LATENCY_BOUNDS_MS = [
  5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000,
] as const;
export const BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export function bucketOf(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

export function addBuckets(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(BUCKETS).fill(0);
  for (let i = 0; i < BUCKETS; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

/** The q-quantile (0..1) from bucket counts, interpolated inside its bucket; null when empty. */
export function quantile(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const n = buckets[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const hi = LATENCY_BOUNDS_MS[i] ?? lo * 2;
      return lo + ((rank - seen) / n) * (hi - lo);
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}
