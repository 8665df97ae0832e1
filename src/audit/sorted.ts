/** The position of the first item whose key is above `value`, in items sorted by key (binary search). */
export function firstAbove<T>(sorted: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(sorted[mid]!) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
