// Unified diffs of fixes, for `rootlock fix` without --write and for review.
// jsdiff (the `diff` package) does the line diff and the hunk format: it is
// the standard JavaScript implementation (Myers' algorithm, `\ No newline at
// end of file`, CRLF kept), so there is no reason to hand-write one.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

export interface DiffOptions {
  /** Lines of context around each change (default 3, like `diff -u` and git). */
  context?: number;
}

/**
 * `--- a/<file>` / `+++ b/<file>` headers and hunks; the empty string when the
 * texts are equal. `file` is shown as given (relative paths read best).
 */
export function unifiedDiff(file: string, before: string, after: string, options: DiffOptions = {}): string {
  if (before === after) return '';
  const name = file.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\//, '');
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
    context: options.context ?? 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
