/**
 * Several rules read the same scripts the same way (split into lines, into commands, located
 * in the file). These helpers are pure, so each result is computed once per input and shared;
 * callers must treat results as read-only.
 */

export function memoByObject<K extends object, A extends unknown[], V>(fn: (key: K, ...rest: A) => V) {
  const cache = new WeakMap<K, V>();
  return (key: K, ...rest: A): V => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      value = fn(key, ...rest);
      cache.set(key, value);
    }
    return value as V;
  };
}

/** Keyed by strings; bounded so a long-running process cannot grow it without limit. */
export function memoByString<V>(fn: (key: string) => V, max = 20_000) {
  const cache = new Map<string, V>();
  return (key: string): V => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as V;
    const value = fn(key);
    if (cache.size >= max) cache.clear();
    cache.set(key, value);
    return value;
  };
}
