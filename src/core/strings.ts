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
