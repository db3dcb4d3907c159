// Line arithmetic over a source text, for placing edits between lines that
// must not change.
import { lineOfOffset, lineStarts } from '../core/lines.js';

export class SourceText {
  readonly eol: '\n' | '\r\n';
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    this.eol = /\r\n/.test(text) ? '\r\n' : '\n';
    this.lineStarts = lineStarts(text);
  }

  /** 0-based line of an offset. */
  line(offset: number): number {
    return lineOfOffset(this.lineStarts, offset);
  }

  lineStart(offset: number): number {
    return this.lineStarts[this.line(offset)] as number;
  }

  /** 0-based column of an offset. */
  column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** Number of spaces that start the line holding `offset`. */
  indentOf(offset: number): number {
    const start = this.lineStart(offset);
    let at = start;
    while (this.text[at] === ' ') at++;
    return at - start;
  }

  /**
   * Where the next line begins after content ending at `end` (exclusive):
   * `end` itself when the content ended with its line break, else just past the
   * next line break, or the end of the text.
   */
  nextLineStart(end: number): number {
    if (end > 0 && this.text[end - 1] === '\n') return end;
    const at = this.text.indexOf('\n', end);
    return at === -1 ? this.text.length : at + 1;
  }

  /** Offset of the line break (or end of text) that ends the line holding the content that ends at `end`. */
  lineBreakAfter(end: number): number {
    if (end > 0 && this.text[end - 1] === '\n') return end - 1 - (this.text[end - 2] === '\r' ? 1 : 0);
    const at = this.text.indexOf('\n', end);
    if (at === -1) return this.text.length;
    return at - (this.text[at - 1] === '\r' ? 1 : 0);
  }

  /** The text of the line that starts at `start`, without its line break. */
  lineAt(start: number): string {
    const at = this.text.indexOf('\n', start);
    const line = this.text.slice(start, at === -1 ? this.text.length : at);
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  /** First offset at or after `from` that is not a space or tab (stops at a line break). */
  skipBlanks(from: number): number {
    let at = from;
    while (this.text[at] === ' ' || this.text[at] === '\t') at++;
    return at;
  }

  isLineBreakAt(offset: number): boolean {
    return offset >= this.text.length || this.text[offset] === '\n' || (this.text[offset] === '\r' && this.text[offset + 1] === '\n');
  }
}
