// Feeds a text to the streaming ManifestReader in chunks of chosen sizes, for
// tests that hold streaming to the same result as parsing the whole text.
import { ManifestReader } from '../../src/input/kube-yaml.js';
import type { ManifestReaderOptions, ParseResult } from '../../src/input/kube-yaml.js';

/** `chunkSize(i)` is the length of the i-th chunk (at least 1 is used). */
export function parseInChunks(text: string, file: string, chunkSize: (i: number) => number, options: ManifestReaderOptions = {}): ParseResult {
  const reader = new ManifestReader(file, options);
  const out: ParseResult = { documents: [], errors: [] };
  for (let at = 0, i = 0; at < text.length; i++) {
    const size = Math.max(1, chunkSize(i));
    const part = reader.push(text.slice(at, at + size));
    out.documents.push(...part.documents);
    out.errors.push(...part.errors);
    at += size;
  }
  const last = reader.end();
  out.documents.push(...last.documents);
  out.errors.push(...last.errors);
  return out;
}
