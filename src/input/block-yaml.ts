// A fast path for the YAML that manifests are nearly always written in:
// block mappings and sequences, one-line plain and quoted scalars, literal
// and folded block scalars, and one-line flow collections. It builds the
// value and a compact table of node positions in one pass over the text.
//
// It accepts only what it can read exactly as js-yaml with the Kubernetes
// schema reads it, and gives up (returns undefined) on anything else: anchors,
// aliases, tags, merge keys, multi-line plain or quoted scalars, directives,
// tabs, carriage returns, duplicate keys, bad indentation, any syntax error.
// The caller then parses the text with js-yaml, which also produces the
// error message. A test parses corpora and mutated documents both ways and
// compares values and positions.
import { resolvePlainScalar } from './kube-schema.js';

const NODE_SCALAR = 0;
const NODE_MAPPING = 1;
const NODE_SEQUENCE = 2;

// A node's record: kind, start offset, end offset (scalars; -1 for an empty
// value), index of the record after the node's subtree, and the key text's
// index in `keys` (mapping keys; -1 otherwise). A mapping's children are its
// key and value records in turn.
const STRIDE = 5;
const KIND = 0;
const START = 1;
const END = 2;
const NEXT = 3;
const KEY = 4;

/** The navigation ParsedDocument.locate needs, over js-yaml's events (kube-yaml.ts) or this fast path's records. */
export interface NodeTable {
  /** Where a node starts, or -1 when it has no position (an empty value). */
  nodeStart(node: number): number;
  /** Where a scalar node's text ends; -1 for an empty scalar or a collection. */
  scalarEnd(node: number): number;
  isScalar(node: number): boolean;
  /** The key node of `key` in a mapping node (its value node follows), or -1 when there is none or `node` is no mapping. */
  keyOf(node: number, key: string): number;
  valueOf(keyNode: number): number;
  /** The `n`th item of a sequence node, or -1 when there is none or `node` is no sequence. */
  itemOf(node: number, n: number): number;
}

/** Node positions of one document, in document order. */
export class BlockTree implements NodeTable {
  constructor(private readonly records: readonly number[], private readonly keys: readonly string[]) {}

  private field(node: number, field: number): number {
    return this.records[node * STRIDE + field] as number;
  }

  nodeStart(node: number): number {
    return this.field(node, START);
  }

  scalarEnd(node: number): number {
    return this.isScalar(node) ? this.field(node, END) : -1;
  }

  isScalar(node: number): boolean {
    return this.field(node, KIND) === NODE_SCALAR;
  }

  /** Keys compare by their text, as written. */
  keyOf(mapping: number, key: string): number {
    if (this.field(mapping, KIND) !== NODE_MAPPING) return -1;
    const stop = this.field(mapping, NEXT);
    for (let child = mapping + 1; child < stop; ) {
      if (this.keys[this.field(child, KEY)] === key) return child;
      child = this.field(child + 1, NEXT);
    }
    return -1;
  }

  valueOf(keyNode: number): number {
    // A key is one record; its value's record follows.
    return keyNode + 1;
  }

  itemOf(sequence: number, n: number): number {
    if (this.field(sequence, KIND) !== NODE_SEQUENCE) return -1;
    const stop = this.field(sequence, NEXT);
    let child = sequence + 1;
    for (let i = 0; child < stop; i++) {
      if (i === n) return child;
      child = this.field(child, NEXT);
    }
    return -1;
  }
}

export interface BlockDocument {
  value: unknown;
  tree: BlockTree;
  /** Offset of the root node. */
  start: number;
}

/** Thrown inside the parser to give up; never escapes it. */
const GIVE_UP = Symbol('give up');

// What js-yaml refuses as unprintable (its own pattern), plus what this parser leaves to it: tabs, carriage
// returns, byte order marks and the YAML 1.1 line breaks.
const NOT_HANDLED = /[\x00-\x09\x0B\x0C\x0D\x0E-\x1F\x7F-\x9F\uFEFF\uFFFE\uFFFF\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/** Deeper than this is left to js-yaml, which applies the real limit. */
const MAX_DEPTH = 90;
/** YAML limits implicit keys to 1024 characters; longer ones are left to js-yaml. */
const MAX_KEY_LENGTH = 1000;

const SPACE = 0x20;
const NEWLINE = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const PIPE = 0x7c;
const GREATER = 0x3e;

/** Characters that may not start a plain key or a plain value here (YAML indicators; `-` is checked apart). */
const NOT_PLAIN_START = new Set(['?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', '"', "'"].map((c) => c.charCodeAt(0)));

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\x00', 'a': '\x07', 'b': '\x08', 't': '\t', 'n': '\n', 'v': '\x0B', 'f': '\x0C', 'r': '\r', 'e': '\x1B',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': '\x85', '_': '\xA0', 'L': '\u2028', 'P': '\u2029',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

class BlockParser {
  readonly records: number[] = [];
  readonly keys: string[] = [];
  private count = 0;
  private depth = 0;
  /** The current content line: its start, and its first non-space character (-1 at the end of the text). */
  private lineStart = 0;
  private contentStart = -1;
  // The key scanKey found last.
  private keyText = '';
  private keyQuoted = false;
  private keyStart = 0;
  private keyEnd = 0;
  /** The text of the quoted scalar read last. */
  private quoted = '';

  constructor(private readonly text: string) {}

  document(): BlockDocument {
    this.firstContent();
    if (this.contentStart === -1) throw GIVE_UP;
    const start = this.contentStart;
    const indent = start - this.lineStart;
    const value = this.isSequenceEntry(start) ? this.sequence(indent, false) : this.mapping(indent);
    if (this.contentStart !== -1) throw GIVE_UP;
    return { value, tree: new BlockTree(this.records, this.keys), start };
  }

  // -- lines

  private lineEnd(from: number): number {
    const end = this.text.indexOf('\n', from);
    return end === -1 ? this.text.length : end;
  }

  /**
   * Moves to the first line at or after `from` (a line start) with content
   * other than a comment. A document marker there gives up (the splitter cuts
   * at `---`, so it is a `...` or an oddity, left to js-yaml), unless
   * `documentStart` allows the one `---` that may open the piece.
   */
  private nextContent(from: number, documentStart = false): void {
    const text = this.text;
    const length = text.length;
    let line = from;
    while (line < length) {
      let at = line;
      while (at < length && text.charCodeAt(at) === SPACE) at++;
      if (at >= length) break;
      const c = text.charCodeAt(at);
      if (c === NEWLINE) {
        line = at + 1;
        continue;
      }
      if (c === HASH) {
        line = this.lineEnd(at) + 1;
        continue;
      }
      if (at === line && (c === DASH || c === 0x2e) && this.isMarker(at) && !(documentStart && c === DASH)) throw GIVE_UP;
      this.lineStart = line;
      this.contentStart = at;
      return;
    }
    this.lineStart = length;
    this.contentStart = -1;
  }

  /** The first content line, after comments and at most one `---` line with nothing but a comment after it. */
  private firstContent(): void {
    this.nextContent(0, true);
    const at = this.contentStart;
    if (at !== -1 && at === this.lineStart && this.text.startsWith('---', at) && this.isMarker(at)) {
      const end = this.lineEnd(at);
      this.nextContent(this.restOfLine(at + 3, end));
    }
  }

  private isMarker(at: number): boolean {
    const text = this.text;
    if (!(text.startsWith('---', at) || text.startsWith('...', at))) return false;
    const after = text.charCodeAt(at + 3);
    return Number.isNaN(after) || after === SPACE || after === NEWLINE;
  }

  private isSequenceEntry(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const after = this.text.charCodeAt(at + 1);
    return Number.isNaN(after) || after === SPACE || after === NEWLINE;
  }

  /** After a value that ends at `at` on a line ending at `end`: only blanks and a comment may follow. Returns the next line's start. */
  private restOfLine(at: number, end: number): number {
    const text = this.text;
    let i = at;
    while (i < end && text.charCodeAt(i) === SPACE) i++;
    if (i < end && !(text.charCodeAt(i) === HASH && i > at)) throw GIVE_UP;
    return end + 1;
  }

  /** After a scalar or flow value: move to the next content line, which may not be deeper than `indent`. */
  private endOfValue(nextLine: number, indent: number): void {
    this.nextContent(nextLine);
    if (this.contentStart !== -1 && this.contentStart - this.lineStart > indent) throw GIVE_UP;
  }

  // -- records

  private open(kind: number, start: number): number {
    const node = this.count++;
    this.records.push(kind, start, -1, 0, -1);
    return node;
  }

  private close(node: number): void {
    this.records[node * STRIDE + NEXT] = this.count;
  }

  private scalar(start: number, end: number): void {
    const node = this.count++;
    this.records.push(NODE_SCALAR, start, end, node + 1, -1);
  }

  private key(start: number, end: number, text: string): void {
    const node = this.count++;
    this.records.push(NODE_SCALAR, start, end, node + 1, this.keys.length);
    this.keys.push(text);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw GIVE_UP;
  }

  // -- block collections

  private blockNode(): unknown {
    const at = this.contentStart;
    const indent = at - this.lineStart;
    return this.isSequenceEntry(at) ? this.sequence(indent, false) : this.mapping(indent);
  }

  /** A block mapping whose first key is at the current content line, at column `indent`. */
  private mapping(indent: number): Record<string, unknown> {
    this.enter();
    const text = this.text;
    const object: Record<string, unknown> = {};
    const node = this.open(NODE_MAPPING, this.contentStart);
    for (;;) {
      const at = this.contentStart;
      const end = this.lineEnd(at);
      const colon = this.scanKey(at, end);
      if (colon < 0) throw GIVE_UP;
      const name = this.keyQuoted ? this.keyText : keyProperty(this.keyText);
      // A key already set (or inherited: "constructor") is a duplicate or an oddity, and `<<` merges: js-yaml decides.
      if (object[name] !== undefined || name === '__proto__' || (!this.keyQuoted && this.keyText === '<<')) throw GIVE_UP;
      this.key(this.keyStart, this.keyEnd, this.keyText);
      let valueAt = colon + 1;
      while (valueAt < end && text.charCodeAt(valueAt) === SPACE) valueAt++;
      let value: unknown;
      if (valueAt >= end || text.charCodeAt(valueAt) === HASH) {
        this.nextContent(end + 1);
        const below = this.contentStart === -1 ? -1 : this.contentStart - this.lineStart;
        if (below > indent) value = this.blockNode();
        else if (below === indent && this.isSequenceEntry(this.contentStart)) value = this.sequence(indent, true);
        else {
          value = null;
          this.scalar(-1, -1);
        }
      } else {
        value = this.inlineValue(valueAt, end, indent);
      }
      object[name] = value;
      if (this.contentStart === -1) break;
      const next = this.contentStart - this.lineStart;
      if (next < indent) break;
      if (next > indent) throw GIVE_UP;
    }
    this.close(node);
    this.depth--;
    return object;
  }

  /**
   * A block sequence whose first `-` is at the current content line, at
   * column `indent`. `compact`: the value of a mapping key at the same
   * column, so a line there without `-` is the mapping's next key.
   */
  private sequence(indent: number, compact: boolean): unknown[] {
    this.enter();
    const text = this.text;
    const items: unknown[] = [];
    const node = this.open(NODE_SEQUENCE, this.contentStart);
    for (;;) {
      const dash = this.contentStart;
      const lineStart = this.lineStart;
      const end = this.lineEnd(dash);
      let at = dash + 1;
      while (at < end && text.charCodeAt(at) === SPACE) at++;
      let item: unknown;
      if (at >= end || text.charCodeAt(at) === HASH) {
        this.nextContent(end + 1);
        if (this.contentStart !== -1 && this.contentStart - this.lineStart > indent) item = this.blockNode();
        else {
          item = null;
          this.scalar(-1, -1);
        }
      } else if (this.isSequenceEntry(at)) {
        throw GIVE_UP; // `- - x`
      } else if (this.scanKey(at, end) >= 0) {
        this.contentStart = at;
        this.lineStart = lineStart;
        item = this.mapping(at - lineStart);
      } else {
        item = this.inlineValue(at, end, indent);
      }
      items.push(item);
      if (this.contentStart === -1) break;
      const next = this.contentStart - this.lineStart;
      if (next < indent) break;
      if (next > indent) throw GIVE_UP;
      if (!this.isSequenceEntry(this.contentStart)) {
        if (compact) break;
        throw GIVE_UP;
      }
    }
    this.close(node);
    this.depth--;
    return items;
  }

  /**
   * A mapping key starting at `at` on a line ending at `end`: returns the
   * offset of its `:` (followed by a space or the line end) and sets the key
   * fields, or -1 when the line holds no such key.
   */
  private scanKey(at: number, end: number): number {
    const text = this.text;
    const first = text.charCodeAt(at);
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
      const close = this.scanQuoted(at, end);
      if (close < 0) return -1;
      let colon = close + 1;
      while (colon < end && text.charCodeAt(colon) === SPACE) colon++;
      if (colon >= end || text.charCodeAt(colon) !== COLON) return -1;
      const after = colon + 1;
      if (after < end && text.charCodeAt(after) !== SPACE) return -1;
      if (close - at > MAX_KEY_LENGTH) throw GIVE_UP;
      this.keyText = this.quoted;
      this.keyQuoted = true;
      this.keyStart = at + 1;
      this.keyEnd = close;
      return colon;
    }
    if (first === DASH || NOT_PLAIN_START.has(first)) return -1;
    for (let i = at; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === COLON) {
        if (i + 1 < end && text.charCodeAt(i + 1) !== SPACE) continue;
        let keyEnd = i;
        while (keyEnd > at && text.charCodeAt(keyEnd - 1) === SPACE) keyEnd--;
        if (keyEnd - at > MAX_KEY_LENGTH) throw GIVE_UP;
        this.keyText = text.slice(at, keyEnd);
        this.keyQuoted = false;
        this.keyStart = at;
        this.keyEnd = keyEnd;
        return i;
      }
      if (c === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  // -- scalars

  /** A value that starts at `at` on the current line (ending at `end`), in a collection at column `indent`. */
  private inlineValue(at: number, end: number, indent: number): unknown {
    const text = this.text;
    const first = text.charCodeAt(at);
    if (first === PIPE || first === GREATER) return this.blockScalar(at, end, indent);
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
      const close = this.scanQuoted(at, end);
      if (close < 0) throw GIVE_UP;
      this.scalar(at + 1, close);
      const value = this.quoted;
      this.endOfValue(this.restOfLine(close + 1, end), indent);
      return value;
    }
    if (first === OPEN_BRACKET || first === OPEN_BRACE) {
      this.enter();
      const value = first === OPEN_BRACKET ? this.flowSequence(at, end) : this.flowMapping(at, end);
      this.depth--;
      this.endOfValue(this.restOfLine(this.flowEnd, end), indent);
      return value;
    }
    const valueEnd = this.scanPlain(at, end);
    this.scalar(at, valueEnd);
    const value = resolvePlainScalar(text.slice(at, valueEnd));
    this.endOfValue(end + 1, indent);
    return value;
  }

  /** A one-line plain scalar in block context: returns its end (trailing blanks and a comment excluded). */
  private scanPlain(at: number, end: number): number {
    const text = this.text;
    const first = text.charCodeAt(at);
    if (NOT_PLAIN_START.has(first)) throw GIVE_UP;
    if (first === DASH && this.isSequenceEntry(at)) throw GIVE_UP;
    let stop = end;
    for (let i = at + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === COLON) {
        // `a: b: c` is a syntax error; `key: value:` starts a nested mapping: both for js-yaml.
        if (i + 1 >= end || text.charCodeAt(i + 1) === SPACE) throw GIVE_UP;
      } else if (c === HASH && text.charCodeAt(i - 1) === SPACE) {
        stop = i;
        break;
      }
    }
    while (stop > at && text.charCodeAt(stop - 1) === SPACE) stop--;
    return stop;
  }

  /** A quoted scalar that closes on its line: returns the offset of the closing quote (or -1) and sets `quoted`. */
  private scanQuoted(at: number, end: number): number {
    const text = this.text;
    if (text.charCodeAt(at) === SINGLE_QUOTE) {
      let close = text.indexOf("'", at + 1);
      if (close === -1 || close >= end) return -1;
      if (text.charCodeAt(close + 1) !== SINGLE_QUOTE) {
        this.quoted = text.slice(at + 1, close);
        return close;
      }
      let value = '';
      let from = at + 1;
      while (close !== -1 && close < end && text.charCodeAt(close + 1) === SINGLE_QUOTE) {
        value += text.slice(from, close + 1);
        from = close + 2;
        close = text.indexOf("'", from);
      }
      if (close === -1 || close >= end) return -1;
      this.quoted = value + text.slice(from, close);
      return close;
    }
    const close = text.indexOf('"', at + 1);
    if (close === -1 || close >= end) return -1;
    // Looking for a backslash only up to the quote: searching the rest of the text would make each scalar cost the document.
    const raw = text.slice(at + 1, close);
    if (!raw.includes('\\')) {
      this.quoted = raw;
      return close;
    }
    let value = '';
    let from = at + 1;
    for (let i = at + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === DOUBLE_QUOTE) {
        this.quoted = value + text.slice(from, i);
        return i;
      }
      if (c !== BACKSLASH) continue;
      value += text.slice(from, i);
      const letter = text[i + 1] ?? '';
      const simple = SIMPLE_ESCAPES[letter];
      if (simple !== undefined) {
        value += simple;
        i++;
      } else {
        const digits = HEX_ESCAPE_LENGTH[letter];
        if (digits === undefined) throw GIVE_UP; // a line continuation or an invalid escape
        const hex = text.slice(i + 2, i + 2 + digits);
        if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) throw GIVE_UP;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) throw GIVE_UP;
        value += String.fromCodePoint(code);
        i += 1 + digits;
      }
      from = i + 1;
    }
    return -1;
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar whose header is at `at`, in
   * a collection at column `indent`. Folded scalars with more-indented lines,
   * explicit indentation and blank lines with extra spaces are left to js-yaml.
   */
  private blockScalar(at: number, end: number, indent: number): string {
    const text = this.text;
    const length = text.length;
    const folded = text.charCodeAt(at) === GREATER;
    let chomp = 0; // 0 clip, 1 strip, 2 keep
    let i = at + 1;
    const indicator = text.charCodeAt(i);
    if (indicator === DASH) { chomp = 1; i++; } else if (indicator === 0x2b /* + */) { chomp = 2; i++; }
    // Only blanks and a comment may follow the header: an indentation digit, a second indicator or text give up here.
    this.restOfLine(i, end);
    const valueStart = end < length ? end + 1 : length;
    let line = valueStart;
    let blockIndent = -1;
    let leadingSpaces = 0;
    const lines: string[] = [];
    let lastContent = -1;
    while (line < length) {
      let first = line;
      while (first < length && text.charCodeAt(first) === SPACE) first++;
      const spaces = first - line;
      if (first >= length || text.charCodeAt(first) === NEWLINE) {
        if (blockIndent === -1) leadingSpaces = Math.max(leadingSpaces, spaces);
        else if (spaces > blockIndent) throw GIVE_UP;
        lines.push('');
        line = first >= length ? length : first + 1;
        continue;
      }
      if (blockIndent === -1) {
        if (spaces <= indent) break;
        if (leadingSpaces > spaces) throw GIVE_UP;
        blockIndent = spaces;
      } else if (spaces < blockIndent) {
        break;
      }
      if (folded && spaces > blockIndent) throw GIVE_UP;
      const lineEnd = this.lineEnd(first);
      lines.push(text.slice(line + blockIndent, lineEnd));
      lastContent = lines.length - 1;
      line = lineEnd < length ? lineEnd + 1 : length;
    }
    if (lastContent === -1 && lines.length > 0) throw GIVE_UP; // only blank lines: chomping corner cases
    this.scalar(valueStart, line);
    let value = '';
    if (lastContent >= 0) {
      if (folded) {
        let blanks = 0;
        let started = false;
        for (let n = 0; n <= lastContent; n++) {
          const content = lines[n] as string;
          if (content === '') {
            blanks++;
            continue;
          }
          if (!started) value += '\n'.repeat(blanks);
          else value += blanks === 0 ? ' ' : '\n'.repeat(blanks);
          value += content;
          started = true;
          blanks = 0;
        }
      } else {
        value = lastContent === 0 ? (lines[0] as string) : lines.slice(0, lastContent + 1).join('\n');
      }
      if (chomp === 0) value += '\n';
      else if (chomp === 2) value += '\n'.repeat(lines.length - lastContent);
    }
    this.endOfValue(line, indent);
    return value;
  }

  // -- one-line flow collections

  /** Where the flow collection read last ended (just past its closing bracket). */
  private flowEnd = 0;

  private flowSequence(at: number, end: number): unknown[] {
    const items: unknown[] = [];
    const node = this.open(NODE_SEQUENCE, at);
    let i = this.skipSpaces(at + 1, end);
    if (this.text.charCodeAt(i) === CLOSE_BRACKET) {
      this.close(node);
      this.flowEnd = i + 1;
      return items;
    }
    for (;;) {
      items.push(this.flowItem(i, end));
      i = this.skipSpaces(this.flowEnd, end);
      const c = this.text.charCodeAt(i);
      if (c === CLOSE_BRACKET) break;
      if (c !== COMMA || i >= end) throw GIVE_UP;
      i = this.skipSpaces(i + 1, end);
      if (this.text.charCodeAt(i) === CLOSE_BRACKET) throw GIVE_UP; // a trailing comma
    }
    this.close(node);
    this.flowEnd = i + 1;
    return items;
  }

  private flowMapping(at: number, end: number): Record<string, unknown> {
    const text = this.text;
    const object: Record<string, unknown> = {};
    const node = this.open(NODE_MAPPING, at);
    let i = this.skipSpaces(at + 1, end);
    if (text.charCodeAt(i) === CLOSE_BRACE) {
      this.close(node);
      this.flowEnd = i + 1;
      return object;
    }
    for (;;) {
      let keyText: string;
      let name: string;
      let keyEnd: number;
      const first = text.charCodeAt(i);
      if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
        const close = this.scanQuoted(i, end);
        if (close < 0) throw GIVE_UP;
        keyText = this.quoted;
        name = keyText;
        this.key(i + 1, close, keyText);
        keyEnd = close + 1;
      } else {
        keyEnd = this.scanFlowPlain(i, end, true);
        keyText = text.slice(i, keyEnd);
        name = keyProperty(keyText);
        this.key(i, keyEnd, keyText);
      }
      if (object[name] !== undefined || name === '__proto__' || keyText === '<<') throw GIVE_UP;
      const colon = this.skipSpaces(keyEnd, end);
      if (text.charCodeAt(colon) !== COLON || text.charCodeAt(colon + 1) !== SPACE) throw GIVE_UP;
      object[name] = this.flowItem(this.skipSpaces(colon + 1, end), end);
      i = this.skipSpaces(this.flowEnd, end);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA || i >= end) throw GIVE_UP;
      i = this.skipSpaces(i + 1, end);
      if (text.charCodeAt(i) === CLOSE_BRACE) throw GIVE_UP;
    }
    this.close(node);
    this.flowEnd = i + 1;
    return object;
  }

  /** One item of a flow collection at `at`; sets `flowEnd` past it. */
  private flowItem(at: number, end: number): unknown {
    if (at >= end) throw GIVE_UP;
    const text = this.text;
    const first = text.charCodeAt(at);
    if (first === OPEN_BRACKET || first === OPEN_BRACE) {
      this.enter();
      const value = first === OPEN_BRACKET ? this.flowSequence(at, end) : this.flowMapping(at, end);
      this.depth--;
      return value;
    }
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
      const close = this.scanQuoted(at, end);
      if (close < 0) throw GIVE_UP;
      this.scalar(at + 1, close);
      this.flowEnd = close + 1;
      return this.quoted;
    }
    const valueEnd = this.scanFlowPlain(at, end, false);
    this.scalar(at, valueEnd);
    this.flowEnd = valueEnd;
    return resolvePlainScalar(text.slice(at, valueEnd));
  }

  /** A plain scalar inside a flow collection: up to `,`, a closing bracket, or (for a key) the `:`. Returns its trimmed end. */
  private scanFlowPlain(at: number, end: number, isKey: boolean): number {
    const text = this.text;
    const first = text.charCodeAt(at);
    if (NOT_PLAIN_START.has(first) || first === DASH) throw GIVE_UP;
    let i = at;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) break;
      if (c === COLON) {
        if (isKey && text.charCodeAt(i + 1) === SPACE) break;
        throw GIVE_UP;
      }
      if (c === HASH || c === OPEN_BRACKET || c === OPEN_BRACE || c === DOUBLE_QUOTE || c === SINGLE_QUOTE) throw GIVE_UP;
    }
    if (i >= end) throw GIVE_UP; // the collection goes on past the line
    let stop = i;
    while (stop > at && text.charCodeAt(stop - 1) === SPACE) stop--;
    if (stop === at) throw GIVE_UP;
    return stop;
  }

  private skipSpaces(at: number, end: number): number {
    while (at < end && this.text.charCodeAt(at) === SPACE) at++;
    return at;
  }
}

/** The property name js-yaml gives a plain key: its resolved value as a string (`80` and `0x50` both give "80"). */
function keyProperty(text: string): string {
  const value = resolvePlainScalar(text);
  return typeof value === 'string' ? value : String(value);
}

/**
 * Parses one document written in the common block style, or returns
 * undefined when the text uses anything this fast path leaves to js-yaml.
 */
export function parseBlockDocument(text: string): BlockDocument | undefined {
  if (NOT_HANDLED.test(text)) return undefined;
  try {
    return new BlockParser(text).document();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}
