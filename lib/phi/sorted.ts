/**
 * Index of the first item that ends after `pos`, in items sorted by their ends (disjoint spans are): a binary
 * search, so that judging each of many spans against many others stays O(n log n).
 */
export function firstEndingAfter(sorted: readonly { end: number }[], pos: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
