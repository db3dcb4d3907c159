// Parses Kubernetes manifests the way the API machinery reads them, and keeps
// enough of the parser's event stream to map any field path back to a
// line and column on demand. Values come from js-yaml's event constructor
// (the fast path); positions are only computed for the findings that need them.
//
// Like kubectl (k8s.io/apimachinery's YAMLReader), a stream is first cut into
// documents at `---` lines and each document is decoded on its own. So one
// broken document never hides the others, a stream can be read in pieces
// with memory bounded by its largest document, and a file and standard input
// behave the same whatever their size.
import {
  Schema, strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, mergeTag, defineScalarTag, NOT_RESOLVED,
  parseEvents, constructFromEvents, getScalarValue, EVENT_ID, SCALAR_STYLE,
} from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import type { InputError, Path, Position } from '../core/types.js';

// sigs.k8s.io/yaml decodes with go-yaml v2, which strips underscores and then
// reads integers with Go's strconv.ParseInt(s, 0, 64): a leading 0 means octal.
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const GO_INF = /^[-+]?\.(?:inf|Inf|INF)$/;
const GO_NAN = /^\.(?:nan|NaN|NAN)$/;

function parseGoInt(source: string): number | typeof NOT_RESOLVED {
  const plain = source.replace(/_/g, '');
  if (!GO_INT.test(plain)) return NOT_RESOLVED;
  let sign = 1;
  let digits = plain;
  if (digits[0] === '-' || digits[0] === '+') {
    if (digits[0] === '-') sign = -1;
    digits = digits.slice(1);
  }
  let value: number;
  if (/^0[xX]/.test(digits)) value = parseInt(digits.slice(2), 16);
  else if (/^0[oO]/.test(digits)) value = parseInt(digits.slice(2), 8);
  else if (/^0[bB]/.test(digits)) value = parseInt(digits.slice(2), 2);
  else if (digits.length > 1 && digits[0] === '0') value = parseInt(digits.slice(1), 8);
  else value = parseInt(digits, 10);
  return sign * value;
}

const goIntTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '_'],
  resolve: (source) => parseGoInt(source),
  identify: (data) => Number.isInteger(data),
});

const goFloatTag = defineScalarTag<number>('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: ['-', '+', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  resolve: (source) => {
    if (GO_FLOAT.test(source)) return parseFloat(source);
    if (GO_INF.test(source)) return source.startsWith('-') ? -Infinity : Infinity;
    if (GO_NAN.test(source)) return NaN;
    return NOT_RESOLVED;
  },
  identify: (data) => typeof data === 'number' && !Number.isInteger(data),
});

/**
 * YAML 1.1 plain scalars as go-yaml v2 resolves them (yes/no/on/off/y/n are
 * booleans, 0755 is octal), merge keys, and no timestamps: Kubernetes sees a
 * date as a string.
 */
export const KUBERNETES_SCHEMA = new Schema([
  strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, goIntTag, goFloatTag, mergeTag,
]);

/** Collections nested deeper than this are refused (no real manifest comes close; CRD schemas reach about 30). */
export const MAX_NESTING_DEPTH = 100;

export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  /** Position of the document's root node. */
  position: Position;
  /** Template named by a Helm `# Source:` comment above the document. */
  helmSource?: string;
  /** The position of the deepest node that exists along `path` (following aliases and merge keys). */
  locate(path: Path): Position;
}

export interface ParseResult {
  documents: ParsedDocument[];
  errors: InputError[];
}

/** Maps character offsets to 1-based line and column; built once per text, on first use. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string, private readonly lineOffset = 0) {}
  position(offset: number): Position {
    if (this.starts === undefined) {
      const starts = [0];
      let at = this.text.indexOf('\n');
      while (at !== -1) {
        starts.push(at + 1);
        at = this.text.indexOf('\n', at + 1);
      }
      this.starts = starts;
    }
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1 + this.lineOffset, column: offset - (starts[lo] as number) + 1 };
  }
}

export function countNewlines(text: string): number {
  let n = 0;
  let at = text.indexOf('\n');
  while (at !== -1) {
    n++;
    at = text.indexOf('\n', at + 1);
  }
  return n;
}

// ---------------------------------------------------------------------------
// Cutting a stream into documents

/** A document separator: `---` at the start of a line, then a blank, a comment or content, or the end of the line. */
const DOCUMENT_MARKER = /(?:^|\n)(---)(?=[ \t\r\n]|$)/g;

/** One piece of a stream, cut at document markers: usually exactly one document. */
export type StreamPiece =
  | { kind: 'text'; text: string; /** Lines before the piece in its stream. */ lineOffset: number }
  | { kind: 'too-large'; lineOffset: number };

/**
 * Directives (`%YAML 1.1`) belong to the document after them; when a cut
 * falls right after directive lines, move it up so they stay together.
 */
function cutBeforeDirectives(text: string, cut: number, floor: number): number {
  let best = cut;
  let lineEnd = cut;
  while (lineEnd > floor) {
    const lineStart = lineEnd >= 2 ? text.lastIndexOf('\n', lineEnd - 2) + 1 : 0;
    if (lineStart < floor) break;
    const line = text.slice(lineStart, lineEnd);
    if (line.startsWith('%')) best = lineStart;
    else if (!(line.startsWith('#') || line.trim() === '')) break;
    lineEnd = lineStart;
  }
  return best;
}

/**
 * Cuts text, pushed in chunks of any size, into pieces at `---` lines. A
 * piece longer than `maxChars` is never held in memory: it is skipped up to
 * the next marker and reported as too large.
 */
export class DocumentSplitter {
  private pending = '';
  /** Offset in `pending` up to which complete lines have been searched for markers. */
  private scanned = 0;
  private lineOffset = 0;
  /**
   * While skipping a piece that is too large: its first line, the head of the
   * current line (at most `---` and one character, all a marker test needs),
   * and whether that line is the piece's own first line (whose `---` opens it).
   */
  private skipping: { lineOffset: number; lineHead: string; firstLine: boolean } | undefined;

  constructor(private readonly maxChars = Infinity) {}

  push(text: string): StreamPiece[] {
    const out: StreamPiece[] = [];
    if (this.skipping) this.skip(text, out, false);
    else {
      this.pending += text;
      this.scan(out, false);
    }
    return out;
  }

  end(): StreamPiece[] {
    const out: StreamPiece[] = [];
    if (this.skipping) this.skip('', out, true);
    else this.scan(out, true);
    if (this.skipping) {
      out.push({ kind: 'too-large', lineOffset: this.skipping.lineOffset });
      this.skipping = undefined;
    } else if (this.pending !== '') {
      this.emit(this.pending, out);
    }
    this.pending = '';
    this.scanned = 0;
    return out;
  }

  private emit(text: string, out: StreamPiece[]): void {
    if (text.length > this.maxChars) out.push({ kind: 'too-large', lineOffset: this.lineOffset });
    else out.push({ kind: 'text', text, lineOffset: this.lineOffset });
    this.lineOffset += countNewlines(text);
  }

  /** Emits every piece that ends at a marker in the complete lines of `pending`; starts skipping when the rest is too long. */
  private scan(out: StreamPiece[], final: boolean): void {
    const text = this.pending;
    // Only complete lines can be judged (the character after `---` decides), unless the stream has ended.
    const limit = final ? text.length : text.lastIndexOf('\n') + 1;
    let from = 0;
    DOCUMENT_MARKER.lastIndex = Math.max(0, this.scanned - 1);
    for (let m = DOCUMENT_MARKER.exec(text); m !== null; m = DOCUMENT_MARKER.exec(text)) {
      const marker = m.index + m[0].length - 3;
      if (marker + 3 > limit) break;
      if (marker === 0) continue;
      const cut = cutBeforeDirectives(text, marker, from);
      if (cut > from) {
        this.emit(text.slice(from, cut), out);
        from = cut;
      }
    }
    this.pending = from === 0 ? text : text.slice(from);
    this.scanned = limit - from;
    if (!final && this.pending.length > this.maxChars) this.startSkipping();
  }

  private startSkipping(): void {
    const lastBreak = this.pending.lastIndexOf('\n');
    this.skipping = {
      lineOffset: this.lineOffset,
      lineHead: this.pending.slice(lastBreak + 1, lastBreak + 5),
      firstLine: lastBreak === -1,
    };
    this.lineOffset += countNewlines(this.pending);
    this.pending = '';
    this.scanned = 0;
  }

  /** Drops text until the next marker; from there, cutting goes on as usual. */
  private skip(text: string, out: StreamPiece[], final: boolean): void {
    const skipping = this.skipping as NonNullable<typeof this.skipping>;
    const joined = skipping.lineHead + text;
    const limit = final ? joined.length : joined.lastIndexOf('\n') + 1;
    DOCUMENT_MARKER.lastIndex = 0;
    let found = -1;
    for (let m = DOCUMENT_MARKER.exec(joined); m !== null; m = DOCUMENT_MARKER.exec(joined)) {
      const marker = m.index + m[0].length - 3;
      if (marker + 3 > limit) break;
      if (marker === 0 && skipping.firstLine) continue;
      found = marker;
      break;
    }
    if (found === -1) {
      this.lineOffset += countNewlines(text);
      const lastBreak = joined.lastIndexOf('\n');
      skipping.lineHead = joined.slice(lastBreak + 1, lastBreak + 5);
      if (lastBreak !== -1) skipping.firstLine = false;
      return;
    }
    this.lineOffset += countNewlines(joined.slice(0, found));
    out.push({ kind: 'too-large', lineOffset: skipping.lineOffset });
    this.skipping = undefined;
    this.pending = joined.slice(found);
    this.scanned = 0;
    this.scan(out, final);
  }
}

// ---------------------------------------------------------------------------
// Decoding one piece

/** An error found while reading a piece, with its offset in the piece. */
class PieceError extends Error {
  constructor(readonly code: string, message: string, readonly offset: number) {
    super(message);
  }
}

function nodeStart(event: Event): number {
  switch (event.type) {
    case EVENT_ID.SCALAR: {
      const starts = [event.valueStart, event.anchorStart, event.tagStart].filter((n) => n >= 0);
      return starts.length ? Math.min(...starts) : -1;
    }
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE: {
      const starts = [event.start, event.anchorStart, event.tagStart].filter((n) => n >= 0);
      return starts.length ? Math.min(...starts) : event.start;
    }
    case EVENT_ID.ALIAS:
      return Math.max(0, event.anchorStart - 1);
    default:
      return -1;
  }
}

function anchorName(text: string, event: Event): string | undefined {
  if (event.type === EVENT_ID.ALIAS || event.type === EVENT_ID.SCALAR || event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
    return event.anchorStart >= 0 ? text.slice(event.anchorStart, event.anchorEnd) : undefined;
  }
  return undefined;
}

// go-yaml v2 (what sigs.k8s.io/yaml decodes with) refuses documents whose
// alias expansion dwarfs their size: the "billion laughs" defence. The same
// rule here, so what Kubernetes refuses is refused, and nothing downstream
// ever walks an exponentially large value.
const ALIAS_RATIO_RANGE_LOW = 400_000;
const ALIAS_RATIO_RANGE_HIGH = 4_000_000;

function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= ALIAS_RATIO_RANGE_LOW) return 0.99;
  if (decodeCount >= ALIAS_RATIO_RANGE_HIGH) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - ALIAS_RATIO_RANGE_LOW) / (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW));
}

/**
 * Counts nodes as a decoder that expands aliases would (each anchor's
 * expanded size is remembered, so this is linear in the events), and throws
 * on excessive aliasing or an alias inside its own anchor (a cycle, which
 * Kubernetes refuses and which would make the value infinite).
 */
function checkAliases(text: string, events: readonly Event[]): void {
  if (!events.some((event) => event.type === EVENT_ID.ALIAS)) return;
  // One frame per open collection: its anchor (if any) and its expanded size so far.
  const stack: Array<{ anchor: string | undefined; size: number }> = [];
  const anchorSizes = new Map<string, number>();
  let decodeCount = 0;
  let aliasCount = 0;
  const add = (size: number) => {
    const top = stack[stack.length - 1];
    if (top) top.size += size;
  };
  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        decodeCount = 1;
        aliasCount = 0;
        anchorSizes.clear();
        break;
      case EVENT_ID.SCALAR: {
        decodeCount++;
        add(1);
        const anchor = anchorName(text, event);
        if (anchor !== undefined) anchorSizes.set(anchor, 1);
        break;
      }
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        decodeCount++;
        const anchor = anchorName(text, event);
        // From here the name means this (still open) node; an alias to it before it closes is a cycle.
        if (anchor !== undefined) anchorSizes.delete(anchor);
        stack.push({ anchor, size: 1 });
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (!frame) break;
        if (frame.anchor !== undefined) anchorSizes.set(frame.anchor, frame.size);
        add(frame.size);
        break;
      }
      case EVENT_ID.ALIAS: {
        const name = text.slice(event.anchorStart, event.anchorEnd);
        if (!anchorSizes.has(name) && stack.some((frame) => frame.anchor === name)) {
          throw new PieceError('yaml-alias-cycle', `anchor "${name}" value contains itself (an alias inside its own anchor); Kubernetes refuses this`, nodeStart(event));
        }
        const size = anchorSizes.get(name) ?? 1;
        decodeCount += 1 + size;
        aliasCount += size;
        add(1 + size);
        if (aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)) {
          throw new PieceError('yaml-alias-limit', `document contains excessive aliasing (${decodeCount} nodes once aliases are expanded, ${aliasCount} of them from aliases); Kubernetes refuses this`, nodeStart(event));
        }
        break;
      }
    }
  }
}

/** Lazily built navigation tables over one piece's events. */
class EventTree {
  private ends: Int32Array | undefined;
  private readonly children = new Map<number, number[]>();
  private anchors: Map<string, number[]> | undefined;

  constructor(private readonly text: string, private readonly events: readonly Event[]) {}

  /** Index just past the node that starts at `index`. */
  end(index: number): number {
    if (this.ends === undefined) {
      const ends = new Int32Array(this.events.length + 1);
      const open: number[] = [];
      for (let i = 0; i < this.events.length; i++) {
        const event = this.events[i] as Event;
        if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.DOCUMENT) open.push(i);
        else if (event.type === EVENT_ID.POP) {
          const start = open.pop();
          if (start !== undefined) ends[start] = i + 1;
        } else ends[i] = i + 1;
      }
      this.ends = ends;
    }
    return this.ends[index] || index + 1;
  }

  /** Indices of a collection's child nodes (for a mapping: key, value, key, value...). */
  childrenOf(index: number): number[] {
    let list = this.children.get(index);
    if (!list) {
      list = [];
      const stop = this.end(index) - 1;
      for (let i = index + 1; i < stop; i = this.end(i)) list.push(i);
      this.children.set(index, list);
    }
    return list;
  }

  /** The anchored node an alias refers to: the last definition of its name before it. */
  resolve(index: number): number {
    for (let hops = 0; hops < 64; hops++) {
      const event = this.events[index] as Event;
      if (event.type !== EVENT_ID.ALIAS) return index;
      if (this.anchors === undefined) {
        this.anchors = new Map();
        this.events.forEach((candidate, i) => {
          if (candidate.type === EVENT_ID.ALIAS) return;
          const name = anchorName(this.text, candidate);
          if (name === undefined) return;
          const list = this.anchors?.get(name) ?? [];
          list.push(i);
          this.anchors?.set(name, list);
        });
      }
      const definitions = this.anchors.get(this.text.slice(event.anchorStart, event.anchorEnd)) ?? [];
      let target = -1;
      for (const definition of definitions) if (definition < index) target = definition;
      if (target === -1) return index;
      index = target;
    }
    return index;
  }

  scalarText(index: number): string | undefined {
    const event = this.events[index] as Event;
    if (event.type !== EVENT_ID.SCALAR) return undefined;
    return (event as ScalarEvent).fast ? this.text.slice(event.valueStart, event.valueEnd) : getScalarValue(this.text, event);
  }

  private isMergeKey(index: number): boolean {
    const event = this.events[index] as Event;
    return event.type === EVENT_ID.SCALAR && event.style === SCALAR_STYLE.PLAIN && this.scalarText(index) === '<<';
  }

  /** Key and value indices of `key` in a mapping: its own keys first, then what `<<` merges in, earliest source first. */
  findKey(mapping: number, key: string, depth = 0): { key: number; value: number } | undefined {
    const children = this.childrenOf(mapping);
    for (let i = 0; i + 1 < children.length; i += 2) {
      if (this.scalarText(children[i] as number) === key && !this.isMergeKey(children[i] as number)) {
        return { key: children[i] as number, value: children[i + 1] as number };
      }
    }
    if (depth > 16) return undefined;
    for (let i = 0; i + 1 < children.length; i += 2) {
      if (!this.isMergeKey(children[i] as number)) continue;
      const source = this.resolve(children[i + 1] as number);
      const sources = (this.events[source] as Event).type === EVENT_ID.SEQUENCE ? this.childrenOf(source).map((s) => this.resolve(s)) : [source];
      for (const candidate of sources) {
        if ((this.events[candidate] as Event).type !== EVENT_ID.MAPPING) continue;
        const found = this.findKey(candidate, key, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
}

/** Walks the event tree along `path`; returns the span of the deepest node found (key to value for a mapping step). */
function locateSpan(tree: EventTree, events: readonly Event[], rootIndex: number, path: Path): { start: number; end?: number } {
  let index = rootIndex;
  let result: { start: number; end?: number } = { start: Math.max(0, nodeStart(events[rootIndex] as Event)) };
  for (const segment of path) {
    index = tree.resolve(index);
    const node = events[index] as Event;
    let keyIndex: number | undefined;
    if (node.type === EVENT_ID.MAPPING && typeof segment === 'string') {
      const found = tree.findKey(index, segment);
      if (!found) return result;
      keyIndex = found.key;
      index = found.value;
    } else if (node.type === EVENT_ID.SEQUENCE && typeof segment === 'number') {
      const item = tree.childrenOf(index)[segment];
      if (item === undefined) return result;
      index = item;
    } else {
      return result;
    }
    const value = events[index] as Event;
    const start = nodeStart(events[keyIndex ?? index] as Event);
    const keyEvent = keyIndex === undefined ? undefined : (events[keyIndex] as Event);
    let end: number | undefined;
    if (value.type === EVENT_ID.SCALAR && value.valueEnd >= 0) end = value.valueEnd;
    else if (value.type === EVENT_ID.SCALAR && keyEvent?.type === EVENT_ID.SCALAR && keyEvent.valueEnd >= 0) end = keyEvent.valueEnd;
    if (start >= 0) result = end === undefined ? { start } : { start, end };
  }
  return result;
}

const HELM_SOURCE = /^# Source: (.+?)[ \t\r]*$/gm;

function helmSources(text: string): Array<{ offset: number; template: string }> {
  if (!text.includes('# Source: ')) return [];
  const out: Array<{ offset: number; template: string }> = [];
  for (const m of text.matchAll(HELM_SOURCE)) out.push({ offset: m.index ?? 0, template: m[1] as string });
  return out;
}

/** The last offset any event in [from, to) covers: where the next document's leading comments may start. */
function lastOffset(events: readonly Event[], from: number, to: number): number {
  let last = -1;
  for (let i = from; i < to; i++) {
    const event = events[i] as Event;
    if (event.type === EVENT_ID.SCALAR) last = Math.max(last, event.valueEnd, event.anchorEnd, event.tagEnd);
    else if (event.type === EVENT_ID.ALIAS) last = Math.max(last, event.anchorEnd);
    else if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) last = Math.max(last, event.start);
  }
  return last;
}

/** Parses one piece (normally one document); throws js-yaml's YAMLException or a PieceError. */
function parsePiece(text: string, file: string, lineOffset: number, firstIndex: number): ParsedDocument[] {
  const events = parseEvents(text, { filename: file, maxDepth: MAX_NESTING_DEPTH });
  checkAliases(text, events);
  const values = constructFromEvents(events, { source: text, filename: file, schema: KUBERNETES_SCHEMA });
  const lines = new LineIndex(text, lineOffset);
  const sources = helmSources(text);
  const tree = new EventTree(text, events);
  const documents: ParsedDocument[] = [];
  let previousEnd = -1;
  // DOCUMENT events only occur at the top level, so a flat scan finds every document root.
  for (let i = 0; i < events.length; i++) {
    if ((events[i] as Event).type !== EVENT_ID.DOCUMENT) continue;
    const rootIndex = i + 1;
    const rootStart = nodeStart(events[rootIndex] as Event);
    // An empty document has no node offsets: place it just after the previous one.
    const start = rootStart >= 0 ? rootStart : Math.max(0, previousEnd + 1);
    let helmSource: string | undefined;
    if (sources.length > 0) {
      for (const s of sources) if (s.offset > previousEnd && s.offset < start) helmSource = s.template;
      previousEnd = Math.max(start, lastOffset(events, rootIndex, tree.end(rootIndex)));
    } else {
      previousEnd = start;
    }
    documents.push({
      index: firstIndex + documents.length,
      value: values[documents.length],
      position: lines.position(start),
      ...(helmSource !== undefined ? { helmSource } : {}),
      locate(path: Path): Position {
        const found = locateSpan(tree, events, rootIndex, path);
        const begin = lines.position(found.start);
        if (found.end === undefined) return begin;
        const finish = lines.position(found.end);
        return { ...begin, endLine: finish.line, endColumn: finish.column };
      },
    });
  }
  return documents;
}

interface YamlErrorLike { reason?: string; message: string; mark?: { line: number; column: number; position?: number } }

/** The key a duplicate-key error points at, for a message that names it. */
function keyAt(text: string, offset: number): string | undefined {
  const line = text.slice(offset, text.indexOf('\n', offset) === -1 ? undefined : text.indexOf('\n', offset));
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:#]*?))\s*:/.exec(line);
  const key = m?.[1] ?? m?.[2] ?? m?.[3];
  return key ? key.slice(0, 80) : undefined;
}

function toInputError(error: unknown, text: string, file: string, lineOffset: number): InputError {
  if (error instanceof PieceError) {
    const at = new LineIndex(text, lineOffset).position(error.offset);
    return { file, line: at.line, column: at.column, code: error.code, message: error.message };
  }
  const e = error as YamlErrorLike;
  let message = e.reason ?? e.message ?? String(error);
  let code = 'yaml-syntax';
  if (/duplicated mapping key/.test(message)) {
    code = 'yaml-duplicate-key';
    const key = e.mark?.position !== undefined ? keyAt(text, e.mark.position) : undefined;
    if (key !== undefined) message = `duplicated mapping key "${key}"`;
  } else if (/maxDepth/.test(message)) {
    code = 'yaml-too-deep';
    message = `collections nested more than ${MAX_NESTING_DEPTH} deep`;
  } else if (/maxTotalMergeKeys|maxAliases/.test(message)) {
    code = 'yaml-alias-limit';
  }
  const out: InputError = { file, code, message };
  if (e.mark) {
    out.line = e.mark.line + 1 + lineOffset;
    out.column = e.mark.column + 1;
  }
  return out;
}

export interface ManifestReaderOptions {
  /** Documents longer than this many characters are skipped with a `document-too-large` error. */
  maxDocumentChars?: number;
}

/**
 * Reads one file or stream, pushed as text chunks of any size, and returns
 * the documents each chunk completes. Memory stays bounded by the largest
 * document (and by `maxDocumentChars`), however long the stream.
 */
export class ManifestReader {
  private readonly splitter: DocumentSplitter;
  private nextIndex = 0;
  private started = false;
  /** Documents parsed so far, empty ones included. */
  documentCount = 0;

  constructor(readonly file: string, private readonly options: ManifestReaderOptions = {}) {
    this.splitter = new DocumentSplitter(options.maxDocumentChars);
  }

  push(text: string): ParseResult {
    if (!this.started && text.length > 0) {
      this.started = true;
      // A byte order mark is not content; editors do not count it as a column.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return this.parse(this.splitter.push(text));
  }

  end(): ParseResult {
    return this.parse(this.splitter.end());
  }

  private parse(pieces: StreamPiece[]): ParseResult {
    const result: ParseResult = { documents: [], errors: [] };
    for (const piece of pieces) {
      if (piece.kind === 'too-large') {
        result.errors.push({
          file: this.file,
          line: piece.lineOffset + 1,
          column: 1,
          code: 'document-too-large',
          message: `document ${this.nextIndex + 1} is over the ${formatSize(this.options.maxDocumentChars ?? Infinity)} limit (--max-document-size); skipped`,
        });
        this.nextIndex++;
        continue;
      }
      try {
        const documents = parsePiece(piece.text, this.file, piece.lineOffset, this.nextIndex);
        this.nextIndex += documents.length;
        this.documentCount += documents.length;
        result.documents.push(...documents);
      } catch (error) {
        const inputError = toInputError(error, piece.text, this.file, piece.lineOffset);
        const template = helmSources(piece.text)[0]?.template;
        if (template !== undefined) inputError.helmSource = template;
        result.errors.push(inputError);
        this.nextIndex++;
      }
    }
    return result;
  }
}

function formatSize(chars: number): string {
  const mib = chars / (1024 * 1024);
  if (mib >= 1) return Number.isInteger(mib) ? `${mib} MiB` : `${mib.toFixed(1)} MiB`;
  return `${(chars / 1024).toFixed(1)} KiB`;
}

/**
 * Parses a multi-document YAML (or JSON) text. A syntax error in one
 * document is reported with its position and the other documents are still
 * returned.
 */
export function parseManifests(text: string, file: string): ParseResult {
  const reader = new ManifestReader(file);
  const first = reader.push(text);
  const last = reader.end();
  return { documents: [...first.documents, ...last.documents], errors: [...first.errors, ...last.errors] };
}
