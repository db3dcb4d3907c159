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
import type { ParsedDocument } from '../input/kube-yaml.js';
import type { Edit, InputError } from '../core/types.js';
import { applyEdits, deepEqual, dedupeEdits, EditError } from './edit-semantics.js';
import { applyEditsToDocumentText, YAML_PARSE_OPTIONS, YamlEditError } from './yaml-edits.js';

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

export function applyFileEdits(file: string, text: string, editsByDocument: ReadonlyMap<number, readonly Edit[]>): FileFixResult {
  const unchanged: FileFixResult = { text, changedDocuments: [], errors: [] };
  const wanted = [...editsByDocument].filter(([, edits]) => edits.length > 0).sort(([a], [b]) => a - b);
  if (wanted.length === 0) return unchanged;

  const lines = new LineIndex(text);
  const errors: InputError[] = [];
  const fail = (offset: number | undefined, code: string, message: string): void => {
    const at = offset !== undefined ? lines.position(Math.min(offset, text.length)) : undefined;
    errors.push({ file, ...(at ? { line: at.line, column: at.column } : {}), code, message: `${message}; document not rewritten` });
  };

  const parsed = parseManifests(text, file);
  const byIndex = new Map<number, ParsedDocument>(parsed.documents.map((document) => [document.index, document]));

  // Documents whose edits change something, with the value they must end up as.
  const work: Array<{ index: number; edits: Edit[]; expected: unknown; document: ParsedDocument }> = [];
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

  const documents = parseAllDocuments(text, YAML_PARSE_OPTIONS);
  const yamlDocuments = Array.isArray(documents) ? (documents as Document.Parsed[]) : [];
  const regions = documentRegions(text, yamlDocuments);
  const replacements = new Map<number, string>();

  for (const { index, edits, expected, document } of work) {
    const yamlDocument = yamlDocuments[index];
    const region = regions[index];
    if (!yamlDocument || !region) {
      fail(undefined, 'fix-unsupported', `document ${index + 1} was not found by the YAML editor`);
      continue;
    }
    const parseError = yamlDocument.errors[0];
    if (parseError) {
      fail(parseError.pos[0], 'fix-parse-error', `document ${index + 1} does not parse: ${parseError.message.split('\n')[0]}`);
      continue;
    }
    // Both parsers must agree on where the document starts, or edits could land in the wrong one.
    const rootStart = yamlDocument.contents?.range[0];
    const rootPosition = rootStart !== undefined ? lines.position(rootStart) : undefined;
    if (!rootPosition || rootPosition.line !== document.position.line || !isLineStart(text, region.start)) {
      fail(rootStart, 'fix-unsupported', `document ${index + 1} has a layout the fixer does not handle`);
      continue;
    }
    const before = text.slice(region.start, region.end);
    let after: string;
    try {
      after = applyEditsToDocumentText(before, edits).text;
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
  regions.forEach((region, i) => {
    const replacement = replacements.get(i);
    if (replacement === undefined) return;
    out += text.slice(cursor, region.start) + replacement;
    cursor = region.end;
  });
  out += text.slice(cursor);

  // The documents around the edited ones must be exactly what they were.
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
    for (const index of replacements.keys()) fail(yamlDocuments[index]?.contents?.range[0], 'fix-verification-failed', `rewriting document ${index + 1} would change the rest of the file`);
    return { ...unchanged, errors };
  }
  return { text: out, changedDocuments: [...replacements.keys()], errors };
}
