// Parses Kubernetes manifests the way the API machinery reads them, and keeps
// enough of the parser's event stream to map any field path back to a
// line and column on demand. Values come from js-yaml's event constructor
// (the fast path); positions are only computed for the findings that need them.
import {
  Schema, strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, mergeTag, defineScalarTag, NOT_RESOLVED,
  parseEvents, constructFromEvents, getScalarValue, EVENT_ID,
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

export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  /** Position of the document's root node. */
  position: Position;
  /** Template named by a Helm `# Source:` comment above the document. */
  helmSource?: string;
  /** The position of the deepest node that exists along `path`. */
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

function nodeStart(event: Event): number {
  switch (event.type) {
    case EVENT_ID.SCALAR: {
      const starts = [event.valueStart, event.anchorStart, event.tagStart].filter((n) => n >= 0);
      return starts.length ? Math.min(...starts) : event.valueStart;
    }
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE: {
      const starts = [event.start, event.anchorStart, event.tagStart].filter((n) => n >= 0);
      return starts.length ? Math.min(...starts) : event.start;
    }
    case EVENT_ID.ALIAS:
      return Math.max(0, event.anchorStart - 1);
    default:
      return 0;
  }
}

/** Index just past the node that starts at `index`. */
function skipNode(events: readonly Event[], index: number): number {
  const first = events[index];
  if (!first || (first.type !== EVENT_ID.MAPPING && first.type !== EVENT_ID.SEQUENCE)) return index + 1;
  let depth = 0;
  let i = index;
  do {
    const event = events[i] as Event;
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) depth++;
    else if (event.type === EVENT_ID.POP) depth--;
    i++;
  } while (depth > 0 && i < events.length);
  return i;
}

function scalarKey(text: string, event: Event): string | undefined {
  if (event.type !== EVENT_ID.SCALAR) return undefined;
  return (event as ScalarEvent).fast ? text.slice(event.valueStart, event.valueEnd) : getScalarValue(text, event);
}

/** Walks the event stream along `path`; returns the offset of the deepest node found (a key for the last mapping step). */
function locateOffset(text: string, events: readonly Event[], rootIndex: number, path: Path): { start: number; end?: number } {
  let index = rootIndex;
  let result: { start: number; end?: number } = { start: nodeStart(events[rootIndex] as Event) };
  for (const segment of path) {
    const node = events[index] as Event;
    if (node.type === EVENT_ID.MAPPING && typeof segment === 'string') {
      let i = index + 1;
      let found = -1;
      while (i < events.length && (events[i] as Event).type !== EVENT_ID.POP) {
        const keyEvent = events[i] as Event;
        const valueIndex = skipNode(events, i);
        if (scalarKey(text, keyEvent) === segment) {
          found = valueIndex;
          const value = events[valueIndex] as Event;
          result = value.type === EVENT_ID.SCALAR
            ? { start: nodeStart(keyEvent), end: value.valueEnd }
            : { start: nodeStart(keyEvent) };
          break;
        }
        i = skipNode(events, valueIndex);
      }
      if (found === -1) return result;
      index = found;
    } else if (node.type === EVENT_ID.SEQUENCE && typeof segment === 'number') {
      let i = index + 1;
      let n = 0;
      while (i < events.length && (events[i] as Event).type !== EVENT_ID.POP && n < segment) {
        i = skipNode(events, i);
        n++;
      }
      const item = events[i] as Event | undefined;
      if (!item || item.type === EVENT_ID.POP) return result;
      index = i;
      result = item.type === EVENT_ID.SCALAR ? { start: nodeStart(item), end: item.valueEnd } : { start: nodeStart(item) };
    } else {
      return result;
    }
  }
  return result;
}

const HELM_SOURCE = /^# Source: (.+?)\s*$/gm;

function helmSources(text: string): Array<{ offset: number; template: string }> {
  if (!text.includes('# Source: ')) return [];
  const out: Array<{ offset: number; template: string }> = [];
  for (const m of text.matchAll(HELM_SOURCE)) out.push({ offset: m.index ?? 0, template: m[1] as string });
  return out;
}

interface ParseOptions {
  /** Added to every reported line: the chunk's first line in its file, minus one. */
  lineOffset?: number;
  /** Document index of the first document in this text. */
  firstIndex?: number;
}

function parseWhole(text: string, file: string, options: ParseOptions = {}): ParsedDocument[] {
  const events = parseEvents(text, { filename: file, maxDepth: 100 });
  const values = constructFromEvents(events, { source: text, filename: file, schema: KUBERNETES_SCHEMA });
  const lines = new LineIndex(text, options.lineOffset ?? 0);
  const sources = helmSources(text);
  const documents: ParsedDocument[] = [];
  let docNumber = 0;
  let previousEnd = 0;
  for (let i = 0; i < events.length; i++) {
    if ((events[i] as Event).type !== EVENT_ID.DOCUMENT) continue;
    const rootIndex = i + 1;
    const root = events[rootIndex] as Event;
    const start = nodeStart(root);
    let helmSource: string | undefined;
    for (const s of sources) if (s.offset >= previousEnd && s.offset < start) helmSource = s.template;
    const value = values[docNumber];
    const end = skipNode(events, rootIndex);
    const lastEvent = events[end - 1] as Event;
    previousEnd = lastEvent.type === EVENT_ID.SCALAR ? lastEvent.valueEnd : start + 1;
    const position = lines.position(start);
    documents.push({
      index: (options.firstIndex ?? 0) + docNumber,
      value,
      position,
      ...(helmSource !== undefined ? { helmSource } : {}),
      locate(path: Path): Position {
        const found = locateOffset(text, events, rootIndex, path);
        const begin = lines.position(found.start);
        if (found.end === undefined) return begin;
        const finish = lines.position(found.end);
        return { ...begin, endLine: finish.line, endColumn: finish.column };
      },
    });
    docNumber++;
    i = end - 1;
  }
  return documents;
}

interface YamlErrorLike { reason?: string; message: string; mark?: { line: number; column: number } }

function toInputError(error: unknown, file: string, lineOffset: number): InputError {
  const e = error as YamlErrorLike;
  const reason = e.reason ?? e.message ?? String(error);
  const out: InputError = { file, code: 'yaml-syntax', message: reason };
  if (e.mark) {
    out.line = e.mark.line + 1 + lineOffset;
    out.column = e.mark.column + 1;
  }
  if (/duplicat/i.test(reason)) out.code = 'yaml-duplicate-key';
  else if (/alias/i.test(reason) && /limit|exceed/i.test(reason)) out.code = 'yaml-alias-limit';
  else if (/depth/i.test(reason)) out.code = 'yaml-too-deep';
  return out;
}

const DOCUMENT_MARKER = /^---(?=[ \t\r]|$)/gm;

/**
 * Parses a multi-document YAML (or JSON) text. A syntax error in one
 * document is reported with its position and the other documents are still
 * returned: on failure the text is split at `---` lines (which YAML forbids
 * inside content at column 0) and each piece is parsed on its own.
 */
export function parseManifests(text: string, file: string): ParseResult {
  try {
    return { documents: parseWhole(text, file), errors: [] };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
  }
  const documents: ParsedDocument[] = [];
  const errors: InputError[] = [];
  const cuts = [0];
  for (const m of text.matchAll(DOCUMENT_MARKER)) if ((m.index ?? 0) > 0) cuts.push(m.index ?? 0);
  cuts.push(text.length);
  let lineOffset = 0;
  let index = 0;
  for (let c = 0; c + 1 < cuts.length; c++) {
    const chunk = text.slice(cuts[c], cuts[c + 1]);
    try {
      const parsed = parseWhole(chunk, file, { lineOffset, firstIndex: index });
      documents.push(...parsed);
      index += parsed.length;
    } catch (error) {
      errors.push(toInputError(error, file, lineOffset));
      index += 1;
    }
    lineOffset += countNewlines(chunk);
  }
  return { documents, errors };
}

function countNewlines(text: string): number {
  let n = 0;
  let at = text.indexOf('\n');
  while (at !== -1) {
    n++;
    at = text.indexOf('\n', at + 1);
  }
  return n;
}
