// Strings that outlive the file they were parsed from.

/**
 * A copy of `text` that shares no memory with the file it came from. Strings
 * the parser slices out of a file (names, keys, image references) are V8
 * sliced strings that keep the whole file text alive, and so does any message
 * built from them. Whatever outlives its file (findings, caches, the input
 * index) keeps a copy instead: the concatenation makes a new flat string and
 * the slice drops the added space.
 */
export function detached(text: string): string {
  return (' ' + text).slice(1);
}

/** How many answers a remembered cache keeps before it starts over: memory stays bounded whatever the input. */
export const REMEMBERED_LIMIT = 4096;

/**
 * `make(key)`, remembered in `cache`: for answers asked again and again about
 * strings from manifests and requests (images, env names). Bounded by
 * emptying the cache when full; the key kept is a detached copy, so a cache
 * entry never holds the whole text its key was sliced from. `make` must not
 * return undefined (store null or a marker for "no answer").
 */
export function remember<V>(cache: Map<string, V>, key: string, make: (key: string) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= REMEMBERED_LIMIT) cache.clear();
    const own = detached(key);
    value = make(own);
    cache.set(own, value);
  }
  return value;
}
