// Applies per-document edits to the text of a whole manifest file (multi-
// document YAML or JSON) and returns the new text. Every document is edited
// on its own slice of the file, so the others, the `---` lines and the
// comments between documents are copied unchanged. A document is rewritten
// only when all of this holds, otherwise it is left exactly as it was and
// an InputError with a line and column says why:
// - it parses without any error (a document with a syntax error, a duplicate
//   key or an unknown construct is never rewritten);
// - its edits are valid under edit-semantics.ts;
// - yaml-edits.ts can render them;
// - the rewritten slice parses, with the same parser the audit uses, to
//   exactly the value edit-semantics.ts computes from the original.
// JSON stays JSON: a document whose root is a flow collection gets JSON
// members (see yaml-edits.ts), so the file is edited in place like YAML and
// keeps its formatting, which re-serialising the object would not.
import { parseAllDocuments } from 'yaml';
import type { Document } from 'yaml';
import { LineIndex, parseManifests } from '../input/kube-yaml.js';
import type { ParsedDocument, ParseResult } from '../input/kube-yaml.js';
import type { Edit, InputError } from '../core/types.js';
import { applyEdits, deepEqual, dedupeEdits, EditError } from './edit-semantics.js';
import { applyEditsToDocumentText, parseSingleDocument, YAML_PARSE_OPTIONS, YamlEditError } from './yaml-edits.js';

export interface FileFixResult {
  /** The new text; the original text when nothing changed. */
  text: string;
  /** Indices of the documents that were rewritten. */
  changedDocuments: number[];
  /** Documents that had edits but were left unchanged, and why. */
  errors: InputError[];
}

interface Region {
  start: number;
  end: number;
}

/**
 * Slices of the text, one per document, that together cover it: each starts
 * at its document's first line (`---` or directives included) and runs to
 * the next document's start, so comments after a document stay with it.
 */
function documentRegions(text: string, documents: readonly Document.Parsed[]): Region[] {
  return documents.map((document, i) => {
    const next = documents[i + 1];
    return { start: i === 0 ? 0 : document.range[0], end: next ? next.range[0] : text.length };
  });
}

function isLineStart(text: string, offset: number): boolean {
  return offset === 0 || text[offset - 1] === '\n';
}

interface Work {
  index: number;
  edits: Edit[];
  expected: unknown;
  document: ParsedDocument;
}

/** Where the writer edits a document: its slice of the file, and where its root starts in the file. */
interface Target {
  region: Region;
  rootStart: number | undefined;
  /** The slice, parsed for editing, when that was needed to find the target. */
  parsed?: Document.Parsed;
}

/**
 * Where each document starts, for files the `yaml` library splits exactly at
 * their `---` lines: no directives (`%`), no document end markers (`...`),
 * no byte order mark. The start of document i is then the i-th `---` line,
 * or, when content comes before the first one, 0 and then the `---` lines.
 * Undefined for any other file.
 */
function plainDocumentStarts(text: string): number[] | undefined {
  if (text.startsWith('\uFEFF')) return undefined;
  const markers: number[] = [];
  let contentFirst = false;
  for (let line = 0; line < text.length;) {
    const lineEnd = text.indexOf('\n', line);
    const first = text.charCodeAt(line);
    if (first === 0x25 /* % */ || text.startsWith('...', line)) return undefined;
    if (text.startsWith('---', line)) {
      const after = text.charCodeAt(line + 3);
      if (Number.isNaN(after) || after === 0x20 || after === 0x09 || after === 0x0d || after === 0x0a) markers.push(line);
    } else if (markers.length === 0 && !contentFirst) {
      const content = text.slice(line, lineEnd === -1 ? text.length : lineEnd).trim();
      if (content !== '' && !content.startsWith('#')) contentFirst = true;
    }
    if (lineEnd === -1) break;
    line = lineEnd + 1;
  }
  return contentFirst ? [0, ...markers] : markers;
}

/**
 * Targets without parsing the whole file with the `yaml` library: each
 * edited document's slice is cut at its `---` lines and parsed alone, which
 * the writer needs anyway. Undefined (and the whole file is parsed, see
 * parsedTargets) unless every slice parses cleanly where the whole-file
 * parse would have put it, so the result is the same.
 */
function plainTargets(text: string, lines: LineIndex, work: readonly Work[], starts: readonly number[] | undefined): Map<number, Target> | undefined {
  if (!starts) return undefined;
  const targets = new Map<number, Target>();
  for (const { index, document } of work) {
    const start = starts[index];
    if (start === undefined) return undefined;
    const region = { start: index === 0 ? 0 : start, end: starts[index + 1] ?? text.length };
    let parsed: Document.Parsed;
    try {
      parsed = parseSingleDocument(text.slice(region.start, region.end));
    } catch (error) {
      if (error instanceof YamlEditError) return undefined;
      throw error;
    }
    const rootOffset = parsed.contents?.range[0];
    if (rootOffset === undefined) return undefined;
    const rootStart = region.start + rootOffset;
    if (lines.position(rootStart).line !== document.position.line) return undefined;
    targets.set(index, { region, rootStart, parsed });
  }
  return targets;
}

/**
 * True when parsing the rewritten file whole is known to give the original
 * documents with the rewritten ones in their places, so that check needs no
 * parse. parseManifests parses a file piece by piece, cutting at `---` lines
 * (and before directives, which a plain file has none of); a document's
 * value depends only on its piece. Here every region starts at a `---` line
 * (or the file's start) and ends at a line end, so the rewritten file's
 * pieces are the regions' own. The original file parsed without errors into
 * one document per region (every region holds at least one, so none holds
 * two), and each rewritten region was parsed alone into exactly one document
 * with the planned value and no error: the whole parse would agree.
 */
function readsBackPiecewise(text: string, starts: readonly number[], parsed: ParseResult, replacements: ReadonlyMap<number, string>, targets: ReadonlyMap<number, Target>): boolean {
  if (parsed.errors.length > 0 || parsed.documents.length !== starts.length || !parsed.documents.every((document, i) => document.index === i)) return false;
  for (const [index, after] of replacements) {
    const target = targets.get(index);
    if (!target || /(^|\n)%/.test(after)) return false;
    if (target.region.end < text.length && !after.endsWith('\n')) return false;
  }
  return true;
}

type Failure = [offset: number | undefined, code: string, message: string];

/** Targets from the whole file parsed by the `yaml` library, or why a document cannot be placed. */
function parsedTargets(text: string, lines: LineIndex, work: readonly Work[]): Map<number, Target | { failure: Failure }> {
  const documents = parseAllDocuments(text, YAML_PARSE_OPTIONS);
  const yamlDocuments = Array.isArray(documents) ? (documents as Document.Parsed[]) : [];
  const regions = documentRegions(text, yamlDocuments);
  const targets = new Map<number, Target | { failure: Failure }>();
  const fail = (index: number, ...failure: Failure): void => {
    targets.set(index, { failure });
  };
  for (const { index, document } of work) {
    const yamlDocument = yamlDocuments[index];
    const region = regions[index];
    if (!yamlDocument || !region) {
      fail(index, undefined, 'fix-unsupported', `document ${index + 1} was not found by the YAML editor`);
      continue;
    }
    const parseError = yamlDocument.errors[0];
    if (parseError) {
      fail(index, parseError.pos[0], 'fix-parse-error', `document ${index + 1} does not parse: ${parseError.message.split('\n')[0]}`);
      continue;
    }
    // Both parsers must agree on where the document starts, or edits could land in the wrong one.
    const rootStart = yamlDocument.contents?.range[0];
    const rootPosition = rootStart !== undefined ? lines.position(rootStart) : undefined;
    if (!rootPosition || rootPosition.line !== document.position.line || !isLineStart(text, region.start)) {
      fail(index, rootStart, 'fix-unsupported', `document ${index + 1} has a layout the fixer does not handle`);
      continue;
    }
    targets.set(index, { region, rootStart });
  }
  return targets;
}

export interface FileFixOptions {
  /** parseManifests(text, file), when the caller has it already. */
  parsed?: ParseResult;
  /**
   * Always parse the whole file with the `yaml` library and re-parse the
   * result whole, as files that are not split plainly at `---` lines are.
   * The result is the same; tests compare the two ways.
   */
  wholeFileParse?: boolean;
}

export function applyFileEdits(file: string, text: string, editsByDocument: ReadonlyMap<number, readonly Edit[]>, options: FileFixOptions = {}): FileFixResult {
  const unchanged: FileFixResult = { text, changedDocuments: [], errors: [] };
  const wanted = [...editsByDocument].filter(([, edits]) => edits.length > 0).sort(([a], [b]) => a - b);
  if (wanted.length === 0) return unchanged;

  const lines = new LineIndex(text);
  const errors: InputError[] = [];
  const fail = (offset: number | undefined, code: string, message: string): void => {
    const at = offset !== undefined ? lines.position(Math.min(offset, text.length)) : undefined;
    errors.push({ file, ...(at ? { line: at.line, column: at.column } : {}), code, message: `${message}; document not rewritten` });
  };

  const parsed = options.parsed ?? parseManifests(text, file);
  const byIndex = new Map<number, ParsedDocument>(parsed.documents.map((document) => [document.index, document]));

  // Documents whose edits change something, with the value they must end up as.
  const work: Work[] = [];
  for (const [index, rawEdits] of wanted) {
    const document = byIndex.get(index);
    if (!document) {
      const parseError = parsed.errors.find((e) => e.line !== undefined) ?? parsed.errors[0];
      errors.push({
        file,
        ...(parseError?.line !== undefined ? { line: parseError.line, column: parseError.column ?? 1 } : {}),
        code: 'fix-parse-error',
        message: `document ${index + 1} does not parse${parseError ? ` (${parseError.message})` : ''}; document not rewritten`,
      });
      continue;
    }
    const edits = dedupeEdits(rawEdits);
    try {
      const result = applyEdits(document.value, edits);
      if (result.changed) work.push({ index, edits, expected: result.value, document });
    } catch (error) {
      if (!(error instanceof EditError)) throw error;
      errors.push({ file, line: document.position.line, column: document.position.column, code: 'fix-invalid-edit', message: `${error.message}; document not rewritten` });
    }
  }
  if (work.length === 0) return { ...unchanged, errors };

  const starts = options.wholeFileParse ? undefined : plainDocumentStarts(text);
  const plain = plainTargets(text, lines, work, starts);
  const targets: Map<number, Target | { failure: Failure }> = plain ?? parsedTargets(text, lines, work);
  const replacements = new Map<number, string>();

  for (const { index, edits, expected } of work) {
    const target = targets.get(index);
    if (!target) continue;
    if ('failure' in target) {
      fail(...target.failure);
      continue;
    }
    const { region, rootStart } = target;
    const before = text.slice(region.start, region.end);
    let after: string;
    try {
      after = applyEditsToDocumentText(before, edits, target.parsed ? { parsed: target.parsed } : {}).text;
    } catch (error) {
      if (!(error instanceof YamlEditError)) throw error;
      fail(error.offset !== undefined ? region.start + error.offset : rootStart, 'fix-unsupported', error.message);
      continue;
    }
    const check = parseManifests(after, file);
    const [only] = check.documents;
    if (check.errors.length > 0 || check.documents.length !== 1 || !only || !deepEqual(only.value, expected)) {
      fail(rootStart, 'fix-verification-failed', `the rewritten document ${index + 1} would not read back as intended`);
      continue;
    }
    replacements.set(index, after);
  }
  if (replacements.size === 0) return { ...unchanged, errors };

  let out = '';
  let cursor = 0;
  for (const index of [...replacements.keys()].sort((a, b) => a - b)) {
    const region = (targets.get(index) as Target).region;
    out += text.slice(cursor, region.start) + (replacements.get(index) as string);
    cursor = region.end;
  }
  out += text.slice(cursor);

  // The documents around the edited ones must be exactly what they were.
  if (plain && starts && readsBackPiecewise(text, starts, parsed, replacements, targets as Map<number, Target>)) {
    return { text: out, changedDocuments: [...replacements.keys()], errors };
  }
  const whole = parseManifests(out, file);
  const same = whole.documents.length === parsed.documents.length
    && whole.errors.length === parsed.errors.length
    && whole.documents.every((d, i) => {
      const original = parsed.documents[i];
      if (!original || original.index !== d.index) return false;
      const target = work.find((w) => w.index === d.index && replacements.has(w.index));
      return deepEqual(d.value, target ? target.expected : original.value);
    });
  if (!same) {
    for (const index of replacements.keys()) fail((targets.get(index) as Target).rootStart, 'fix-verification-failed', `rewriting document ${index + 1} would change the rest of the file`);
    return { ...unchanged, errors };
  }
  return { text: out, changedDocuments: [...replacements.keys()], errors };
}
