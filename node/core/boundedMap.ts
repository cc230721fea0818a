/**
 * The one eviction rule of the bounded caches that keep insertion order (Map iterates oldest first): a key
 * set again becomes the newest, and past `capacity` entries the oldest go. Each cache says what it holds
 * and why its capacity is what it is; this is only how it drops.
 */

/** Sets `key` as the newest entry of `map` and drops the oldest beyond `capacity`; returns how many. */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): number {
  map.delete(key);
  map.set(key, value);
  let dropped = 0;
  while (map.size > capacity) {
    const oldest = map.keys().next();
    if (oldest.done === true) break;
    map.delete(oldest.value);
    dropped++;
  }
  return dropped;
}

/**
 * `setNewest` with a second bound, for entries of very different sizes: past `maxWeight` (the entries'
 * `weight`s summed) the oldest go too, but the newest always stays. Returns how many were dropped.
 */
export function setNewestWeighted<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  capacity: number,
  weight: (v: V) => number,
  maxWeight: number,
): number {
  let dropped = setNewest(map, key, value, capacity);
  let total = 0;
  for (const v of map.values()) total += weight(v);
  while (total > maxWeight && map.size > 1) {
    const [oldestKey, oldest] = map.entries().next().value as [K, V];
    map.delete(oldestKey);
    total -= weight(oldest);
    dropped++;
  }
  return dropped;
}
