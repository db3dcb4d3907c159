// JSON reports (json, sarif) written piece by piece, byte for byte what
// JSON.stringify(value, null, 2) would give, without holding the long array
// of findings or results as one value or one string.

/** Stands in for the streamed array's items while the rest of the document is stringified. */
const PLACEHOLDER = '\u0000rootlock: streamed items\u0000';

/**
 * `JSON.stringify(build(items), null, 2) + '\n'`, streamed: `build` places the
 * array it is given where the items go; each item is stringified on its own
 * and indented to its place.
 */
export function* streamJsonDocument<T>(build: (items: unknown[]) => unknown, items: Iterable<T>, count: number, map: (item: T) => unknown = (item) => item): Generator<string> {
  if (count === 0) {
    yield `${JSON.stringify(build([]), null, 2)}\n`;
    return;
  }
  const whole = JSON.stringify(build([PLACEHOLDER]), null, 2);
  const marker = JSON.stringify(PLACEHOLDER);
  const at = whole.indexOf(marker);
  const lineStart = whole.lastIndexOf('\n', at) + 1;
  const indent = whole.slice(lineStart, at);
  yield whole.slice(0, lineStart);
  let first = true;
  for (const item of items) {
    const text = JSON.stringify(map(item), null, 2);
    yield `${first ? '' : ',\n'}${indent}${text.replace(/\n/g, `\n${indent}`)}`;
    first = false;
  }
  yield `${whole.slice(at + marker.length)}\n`;
}
