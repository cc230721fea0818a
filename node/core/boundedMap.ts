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
