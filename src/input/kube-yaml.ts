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
import { parseEvents, constructFromEvents, getScalarValue, EVENT_ID, SCALAR_STYLE } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import type { InputError, Path, Position } from '../core/types.js';
import { lineOfOffset, lineStarts } from '../core/lines.js';
import { KUBERNETES_SCHEMA } from './kube-schema.js';
import { parseBlockDocument } from './block-yaml.js';
import type { NodeTable } from './block-yaml.js';

export { KUBERNETES_SCHEMA };

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
  /**
   * With ManifestReaderOptions.keepSource: the text the document was parsed
   * from (usually the document alone) and the document's index within it, so
   * a fix can be shown for one document without holding its whole file.
   */
  source?: { text: string; index: number };
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
    this.starts ??= lineStarts(this.text);
    const line = lineOfOffset(this.starts, offset);
    return { line: line + 1 + this.lineOffset, column: offset - (this.starts[line] as number) + 1 };
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

/** One piece of a stream, cut at document markers: usually exactly one document. */
export type StreamPiece =
  | { kind: 'text'; text: string; /** Lines before the piece in its stream. */ lineOffset: number }
  | { kind: 'too-large'; lineOffset: number };

/** A line with only blanks (and a line end) between `start` and `end`. */
function isBlankLine(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * Cuts text, pushed in chunks of any size, into pieces at document markers:
 * `---` at the start of a line, then a blank, a comment, content, or the end
 * of the line. Directive lines (`%YAML 1.1`) go with the document after them.
 *
 * Each chunk is scanned once and kept as it came until its piece is
 * complete, so the work is linear in the text. A piece longer than
 * `maxChars` is not kept at all: its text is dropped as it arrives and it is
 * reported as too large.
 */
export class DocumentSplitter {
  /** Text of the current piece, as pushed. */
  private parts: string[] = [];
  /** Characters and line breaks in the current piece, kept or dropped. */
  private size = 0;
  private newlines = 0;
  /** Lines before the current piece. */
  private firstLine = 0;
  /** The current piece went over the limit: its text is no longer kept. */
  private dropping = false;
  /** Where a run of directive lines at the end of the current piece starts, or -1. */
  private directiveStart = -1;
  /** The first characters (fewer than 4, no line break) of a line that may yet turn out to be a marker. */
  private carry = '';
  /** The next character pushed starts a line. */
  private atLineStart = true;

  constructor(private readonly maxChars = Infinity) {}

  push(text: string): StreamPiece[] {
    return this.scan(text, false);
  }

  end(): StreamPiece[] {
    const out = this.scan('', true);
    if (this.size > 0) this.cut(this.size, out);
    this.firstLine = 0;
    this.atLineStart = true;
    return out;
  }

  private scan(text: string, final: boolean): StreamPiece[] {
    const out: StreamPiece[] = [];
    const s = this.carry + text;
    this.carry = '';
    let from = 0; // s[from..] is not yet part of the piece
    let line = this.atLineStart ? 0 : s.indexOf('\n') + 1 || -1;
    while (line !== -1 && line < s.length) {
      const lineEnd = s.indexOf('\n', line);
      if (lineEnd === -1 && !final && s.length - line < 4) {
        this.carry = s.slice(line); // too short to tell yet
        break;
      }
      const after = s.charCodeAt(line + 3); // NaN at the end of the stream
      const marker = s.startsWith('---', line) && (Number.isNaN(after) || after === 0x20 || after === 0x09 || after === 0x0d || after === 0x0a);
      if (marker) {
        this.add(s.slice(from, line));
        from = line;
        const at = this.dropping || this.directiveStart === -1 ? this.size : this.directiveStart;
        if (at > 0) this.cut(at, out);
        this.directiveStart = -1;
      } else {
        const first = s.charCodeAt(line);
        if (first === 0x25 /* % */) {
          if (this.directiveStart === -1) this.directiveStart = this.size + (line - from);
        } else if (first !== 0x23 /* # */ && !(lineEnd !== -1 && isBlankLine(s, line, lineEnd))) {
          this.directiveStart = -1;
        }
      }
      line = lineEnd === -1 ? -1 : lineEnd + 1;
    }
    const end = s.length - this.carry.length;
    this.add(s.slice(from, end));
    if (this.carry !== '' || end > 0) this.atLineStart = this.carry !== '' || s.charCodeAt(end - 1) === 0x0a;
    return out;
  }

  private add(text: string): void {
    if (text === '') return;
    this.size += text.length;
    this.newlines += countNewlines(text);
    if (this.dropping) return;
    this.parts.push(text);
    if (this.size > this.maxChars) {
      this.dropping = true;
      this.parts = [];
    }
  }

  /** Ends the current piece at `at` (an offset in it); what follows starts the next piece. */
  private cut(at: number, out: StreamPiece[]): void {
    let rest = '';
    if (this.dropping) {
      out.push({ kind: 'too-large', lineOffset: this.firstLine });
    } else {
      const whole = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
      const text = at === whole.length ? whole : whole.slice(0, at);
      rest = at === whole.length ? '' : whole.slice(at);
      out.push({ kind: 'text', text, lineOffset: this.firstLine });
    }
    const restNewlines = countNewlines(rest);
    this.firstLine += this.newlines - restNewlines;
    this.parts = rest === '' ? [] : [rest];
    this.size = rest.length;
    this.newlines = restNewlines;
    this.dropping = false;
    this.directiveStart = rest === '' ? -1 : 0;
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

/** The smallest of the offsets that are set (>= 0); `fallback` when none is. */
function earliest(a: number, b: number, c: number, fallback: number): number {
  let best = -1;
  if (a >= 0) best = a;
  if (b >= 0 && (best < 0 || b < best)) best = b;
  if (c >= 0 && (best < 0 || c < best)) best = c;
  return best < 0 ? fallback : best;
}

function nodeStart(event: Event): number {
  switch (event.type) {
    case EVENT_ID.SCALAR:
      return earliest(event.valueStart, event.anchorStart, event.tagStart, -1);
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return earliest(event.start, event.anchorStart, event.tagStart, event.start);
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
  private children: Map<number, number[]> | undefined;
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
    this.children ??= new Map();
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

  /** True when the node is a scalar whose value is `value`; plain scalars are compared in place, without a copy. */
  private scalarIs(index: number, value: string): boolean {
    const event = this.events[index] as Event;
    if (event.type !== EVENT_ID.SCALAR) return false;
    if ((event as ScalarEvent).fast) return event.valueEnd - event.valueStart === value.length && this.text.startsWith(value, event.valueStart);
    return getScalarValue(this.text, event) === value;
  }

  private isMergeKey(index: number): boolean {
    const event = this.events[index] as Event;
    return event.type === EVENT_ID.SCALAR && event.style === SCALAR_STYLE.PLAIN && this.scalarIs(index, '<<');
  }

  /** Key and value indices of `key` in a mapping: its own keys first, then what `<<` merges in, earliest source first. */
  findKey(mapping: number, key: string, depth = 0): { key: number; value: number } | undefined {
    const children = this.childrenOf(mapping);
    for (let i = 0; i + 1 < children.length; i += 2) {
      if (this.scalarIs(children[i] as number, key) && !this.isMergeKey(children[i] as number)) {
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

/** Walks the nodes along `path`; returns the span of the deepest node found (key to value for a mapping step). */
function locateSpan(table: NodeTable, rootIndex: number, path: Path): { start: number; end?: number } {
  let index = rootIndex;
  let spanStart = Math.max(0, table.nodeStart(rootIndex));
  let spanEnd: number | undefined;
  const span = () => (spanEnd === undefined ? { start: spanStart } : { start: spanStart, end: spanEnd });
  for (const segment of path) {
    let keyIndex = -1;
    if (typeof segment === 'string') {
      keyIndex = table.keyOf(index, segment);
      if (keyIndex < 0) return span();
      index = table.valueOf(keyIndex);
    } else {
      index = table.itemOf(index, segment);
      if (index < 0) return span();
    }
    const start = table.nodeStart(keyIndex >= 0 ? keyIndex : index);
    let end: number | undefined;
    if (table.isScalar(index)) {
      const valueEnd = table.scalarEnd(index);
      if (valueEnd >= 0) end = valueEnd;
      else if (keyIndex >= 0 && table.scalarEnd(keyIndex) >= 0) end = table.scalarEnd(keyIndex);
    }
    if (start >= 0) {
      spanStart = start;
      spanEnd = end;
    }
  }
  return span();
}

/** locate()'s table over js-yaml's events: aliases followed, merge keys searched. */
class EventTable implements NodeTable {
  constructor(private readonly tree: EventTree, private readonly events: readonly Event[]) {}
  nodeStart(node: number): number {
    return nodeStart(this.events[node] as Event);
  }
  scalarEnd(node: number): number {
    const event = this.events[node] as Event;
    return event.type === EVENT_ID.SCALAR ? event.valueEnd : -1;
  }
  isScalar(node: number): boolean {
    return (this.events[node] as Event).type === EVENT_ID.SCALAR;
  }
  keyOf(node: number, key: string): number {
    const mapping = this.tree.resolve(node);
    if ((this.events[mapping] as Event).type !== EVENT_ID.MAPPING) return -1;
    return this.tree.findKey(mapping, key)?.key ?? -1;
  }
  valueOf(keyNode: number): number {
    // A mapping's value node follows its key node's subtree.
    return this.tree.end(keyNode);
  }
  itemOf(node: number, n: number): number {
    const sequence = this.tree.resolve(node);
    if ((this.events[sequence] as Event).type !== EVENT_ID.SEQUENCE) return -1;
    return this.tree.childrenOf(sequence)[n] ?? -1;
  }
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

/** ParsedDocument.locate over a node table: a path to a line and column, with the end of a scalar value. */
function locator(table: NodeTable, root: number, lines: LineIndex): (path: Path) => Position {
  return (path) => {
    const found = locateSpan(table, root, path);
    const begin = lines.position(found.start);
    if (found.end === undefined) return begin;
    const finish = lines.position(found.end);
    return { ...begin, endLine: finish.line, endColumn: finish.column };
  };
}

/** The one document of a piece the fast path read. */
function blockDocument(value: unknown, table: NodeTable, start: number, text: string, lineOffset: number, index: number): ParsedDocument {
  const lines = new LineIndex(text, lineOffset);
  let helmSource: string | undefined;
  for (const s of helmSources(text)) if (s.offset < start) helmSource = s.template;
  return {
    index,
    value,
    position: lines.position(start),
    ...(helmSource !== undefined ? { helmSource } : {}),
    locate: locator(table, 0, lines),
  };
}

/** Parses one piece (normally one document); throws js-yaml's YAMLException or a PieceError. */
function parsePiece(text: string, file: string, lineOffset: number, firstIndex: number, fastPath: boolean): ParsedDocument[] {
  const block = fastPath ? parseBlockDocument(text) : undefined;
  if (block !== undefined) return [blockDocument(block.value, block.tree, block.start, text, lineOffset, firstIndex)];
  const events = parseEvents(text, { filename: file, maxDepth: MAX_NESTING_DEPTH });
  checkAliases(text, events);
  const values = constructFromEvents(events, { source: text, filename: file, schema: KUBERNETES_SCHEMA });
  const lines = new LineIndex(text, lineOffset);
  const sources = helmSources(text);
  const tree = new EventTree(text, events);
  const table = new EventTable(tree, events);
  const documents: ParsedDocument[] = [];
  let previousEnd = -1;
  // DOCUMENT events only occur at the top level, so a flat scan finds every document root.
  // A piece is usually one document, which starts the stream: then there is nothing to scan.
  const roots: number[] = [];
  if (values.length === 1 && events[0]?.type === EVENT_ID.DOCUMENT) roots.push(1);
  else events.forEach((event, i) => event.type === EVENT_ID.DOCUMENT && roots.push(i + 1));
  for (let r = 0; r < roots.length; r++) {
    const rootIndex = roots[r] as number;
    const rootStart = nodeStart(events[rootIndex] as Event);
    // An empty document has no node offsets: place it just after the previous one.
    const start = rootStart >= 0 ? rootStart : Math.max(0, previousEnd + 1);
    let helmSource: string | undefined;
    if (sources.length > 0) {
      for (const s of sources) if (s.offset > previousEnd && s.offset < start) helmSource = s.template;
      // Where this document ends only matters to the next one: the usual piece has one document, and no scan.
      if (r + 1 < roots.length) previousEnd = Math.max(start, lastOffset(events, rootIndex, tree.end(rootIndex)));
    } else {
      previousEnd = start;
    }
    documents.push({
      index: firstIndex + documents.length,
      value: values[documents.length],
      position: lines.position(start),
      ...(helmSource !== undefined ? { helmSource } : {}),
      locate: locator(table, rootIndex, lines),
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
  /** Read plain block-style documents with the fast path (block-yaml.ts) before js-yaml. Default true; tests compare both. */
  fastPath?: boolean;
  /** Give each document its `source` text (the HTML report renders each workload's fix from it). */
  keepSource?: boolean;
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
        const documents = parsePiece(piece.text, this.file, piece.lineOffset, this.nextIndex, this.options.fastPath ?? true);
        if (this.options.keepSource) documents.forEach((document, index) => (document.source = { text: piece.text, index }));
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
export function parseManifests(text: string, file: string, options: ManifestReaderOptions = {}): ParseResult {
  const reader = new ManifestReader(file, options);
  const first = reader.push(text);
  const last = reader.end();
  return { documents: [...first.documents, ...last.documents], errors: [...first.errors, ...last.errors] };
}
