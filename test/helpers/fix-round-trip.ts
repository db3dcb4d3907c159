// Round trip of the fix machinery over every manifest of a directory of real
// manifests (the corpus excerpts in npm test, the whole corpus in the corpus suite): each
// container of each workload gets the edits typical fixes make, and the
// result must parse, mean exactly what the edits say, be stable under a
// second application, keep every comment line, and differ from the input
// only in lines an edit explains. Documents without workloads get edits that
// are already satisfied, and their files must come back byte-identical.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { structuredPatch } from 'diff';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';
import { isObject } from '../../src/core/path.js';
import { BUILTIN_POD_SPEC_LOCATIONS, workloadOf } from '../../src/core/workloads.js';
import type { Edit, Path } from '../../src/core/types.js';
import { parseManifests } from '../../src/input/kube-yaml.js';
import { MANIFEST_EXTENSIONS } from '../../src/input/sources.js';
import { applyFileEdits } from '../../src/fix/apply-file.js';
import { applyEdits } from '../../src/fix/edit-semantics.js';
import { toJsonPatch } from '../../src/fix/json-patch.js';
import { YAML_PARSE_OPTIONS } from '../../src/fix/yaml-edits.js';

const VOLUME = { name: 'rootlock-tmp', emptyDir: {} };
const MOUNT = { name: 'rootlock-tmp', mountPath: '/tmp' };

function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...manifestFiles(full));
    else if (MANIFEST_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))) out.push(full);
  }
  return out;
}

/** The objects of a document with their path prefix: the document itself, or each item of a List. */
function objectsOf(value: unknown): Array<{ prefix: Path; object: Record<string, unknown> }> {
  if (!isObject(value)) return [];
  if (typeof value['kind'] === 'string' && /List$/.test(value['kind']) && Array.isArray(value['items'])) {
    return value['items'].flatMap((item: unknown, i: number) => (isObject(item) ? [{ prefix: ['items', i] as Path, object: item }] : []));
  }
  return [{ prefix: [], object: value }];
}

/** Edits a real fix would make to every container, or already-satisfied edits for objects without containers. */
function editsFor(value: unknown): { edits: Edit[]; workloads: number } {
  const edits: Edit[] = [];
  let workloads = 0;
  for (const { prefix, object } of objectsOf(value)) {
    const workload = workloadOf(object, BUILTIN_POD_SPEC_LOCATIONS);
    if (!workload || workload.containers.length === 0) {
      if (typeof object['kind'] === 'string') edits.push({ op: 'set', path: [...prefix, 'kind'], value: object['kind'] });
      edits.push({ op: 'delete', path: [...prefix, 'metadata', 'rootlock-absent'] });
      continue;
    }
    workloads++;
    for (const container of workload.containers) {
      const at = [...prefix, ...container.path];
      edits.push({ op: 'set', path: [...at, 'securityContext', 'readOnlyRootFilesystem'], value: true });
      edits.push({ op: 'set', path: [...at, 'securityContext', 'allowPrivilegeEscalation'], value: false });
      edits.push({ op: 'append', path: [...at, 'volumeMounts'], value: MOUNT });
      edits.push({ op: 'delete', path: [...at, 'imagePullPolicy'] });
    }
    edits.push({ op: 'append', path: [...prefix, ...workload.podSpecPath, 'volumes'], value: VOLUME });
  }
  return { edits, workloads };
}

function commentLines(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) if (line.trimStart().startsWith('#')) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

// What an edit may add or remove, as whole lines (after indentation and an optional "- ").
const COMMENT = String.raw`(?:\s+#.*)?`;
const ADDED_LINE = new RegExp(String.raw`^(?:securityContext:|readOnlyRootFilesystem: true|allowPrivilegeEscalation: false|volumes:|volumeMounts:|name: rootlock-tmp|mountPath: /tmp|emptyDir: \{\})${COMMENT}$`);
const REMOVED_LINE = new RegExp(String.raw`^(?:imagePullPolicy: \S+|readOnlyRootFilesystem: \S+|allowPrivilegeEscalation: \S+|securityContext: (?:\{\}|null|~)|volumes: (?:\[\]|null|~)|volumeMounts: (?:\[\]|null|~))${COMMENT}$`);
// Members an edit may insert into (or remove from) a flow collection on an existing line.
const FLOW_FRAGMENTS = [
  /,? ?readOnlyRootFilesystem: true/g, /,? ?allowPrivilegeEscalation: false/g,
  /,? ?securityContext: \{[^{}]*\}/g, /,? ?volumeMounts: \[\{name: rootlock-tmp, mountPath: \/tmp\}\]/g,
  /,? ?volumes: \[\{name: rootlock-tmp, emptyDir: \{\}\}\]/g, /,? ?\{name: rootlock-tmp, (?:mountPath: \/tmp|emptyDir: \{\})\}/g,
];

function content(line: string): string {
  return line.trim().replace(/^- /, '');
}

/** Lines of a hunk that no edit explains: added or removed lines outside the edits' vocabulary. */
function unexplained(before: string, after: string): string[] {
  const patch = structuredPatch('a', 'b', before, after, '', '', { context: 0 });
  const problems: string[] = [];
  for (const hunk of patch.hunks) {
    const removed = hunk.lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1));
    const added = hunk.lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1));
    // A line changed inside a flow collection is explained when it equals a removed line once the inserted members are taken out.
    const strip = (line: string) => FLOW_FRAGMENTS.reduce((l, re) => l.replace(re, ''), line).replace(/\{, /, '{').replace(/\[, /, '[');
    const strippedRemoved = new Set(removed.map(strip));
    for (const line of added) {
      if (ADDED_LINE.test(content(line)) || strippedRemoved.has(strip(line))) continue;
      problems.push(`+${line}`);
    }
    const strippedAdded = new Set(added.map(strip));
    for (const line of removed) {
      if (REMOVED_LINE.test(content(line)) || strippedAdded.has(strip(line))) continue;
      problems.push(`-${line}`);
    }
  }
  return problems;
}

export interface RoundTripMinimum {
  files: number;
  changedFiles: number;
  unchangedFiles: number;
  workloads: number;
}

/** One test per manifest file of `dir`, and one that the run changed and kept enough files to mean something. */
export function describeFixRoundTrip(title: string, dir: string, minimum: RoundTripMinimum): void {
  describe(title, () => {
    const files = manifestFiles(dir);

    it('finds the manifests', () => {
      assert.ok(files.length >= minimum.files, `expected at least ${minimum.files} manifest files under ${dir}, found ${files.length}`);
    });

    const totals = { files: 0, changedFiles: 0, unchangedFiles: 0, workloads: 0, refusedDocuments: 0 };

    for (const path of files) {
      const name = relative(dir, path);
      it(name, () => {
        const text = readFileSync(path, 'utf8');
        const parsed = parseManifests(text, name);
        const byDocument = new Map<number, Edit[]>();
        const expected = new Map<number, unknown>();
        let workloads = 0;
        for (const document of parsed.documents) {
          const { edits, workloads: count } = editsFor(document.value);
          workloads += count;
          if (edits.length === 0) continue;
          byDocument.set(document.index, edits);
          expected.set(document.index, applyEdits(document.value, edits).value);
        }
        // Documents that do not parse get edits too: they must be refused with a position, never rewritten.
        const broken = parsed.errors.length;
        if (broken > 0) {
          const all = parseAllDocuments(text, YAML_PARSE_OPTIONS);
          (Array.isArray(all) ? all : []).forEach((document, index) => {
            if (document.errors.length > 0) byDocument.set(index, [{ op: 'set', path: ['metadata', 'labels', 'fixed'], value: 'yes' }]);
          });
        }

        const result = applyFileEdits(name, text, byDocument);
        totals.files++;
        totals.workloads += workloads;
        totals.refusedDocuments += result.errors.length;

        for (const error of result.errors) {
          assert.equal(error.code, 'fix-parse-error', `${name}: unexpected refusal: ${error.message}`);
          assert.ok(error.line !== undefined && error.column !== undefined, `${name}: refusal without a position: ${error.message}`);
        }
        if (broken > 0) assert.ok(result.errors.length > 0, `${name}: a document that does not parse must be refused`);

        if (workloads === 0) {
          assert.equal(result.text, text, `${name}: a file without workloads must come back byte-identical`);
          totals.unchangedFiles++;
          return;
        }
        if (result.text !== text) totals.changedFiles++;

        // It parses, to exactly what the edits mean.
        const after = parseManifests(result.text, name);
        assert.equal(after.errors.length, parsed.errors.length, `${name}: the output must parse`);
        assert.equal(after.documents.length, parsed.documents.length);
        for (const document of after.documents) {
          const original = parsed.documents.find((d) => d.index === document.index);
          const want = result.changedDocuments.includes(document.index) ? expected.get(document.index) : original?.value;
          assert.deepEqual(document.value, want, `${name}: document ${document.index + 1} does not mean what the edits say`);
        }
        for (const index of expected.keys()) {
          const original = parsed.documents.find((d) => d.index === index);
          if (original && JSON.stringify(original.value) !== JSON.stringify(expected.get(index)) && !result.errors.length) {
            assert.ok(result.changedDocuments.includes(index), `${name}: document ${index + 1} needed changes but was not rewritten`);
          }
        }
        const yamlErrors = (parseAllDocuments(result.text, YAML_PARSE_OPTIONS) as unknown as Array<{ errors: unknown[] }>).flatMap((d) => d.errors);
        assert.equal(yamlErrors.length, broken > 0 ? yamlErrors.length : 0, `${name}: the output must parse with the yaml library too`);

        // The JSONPatch rendering of the same edits lands on the same objects.
        for (const document of parsed.documents) {
          const edits = byDocument.get(document.index);
          if (!edits || !result.changedDocuments.includes(document.index)) continue;
          const patch = toJsonPatch(document.value, edits) as Operation[];
          const patched = jsonPatch.applyPatch(structuredClone(document.value), patch, true, true).newDocument;
          assert.deepEqual(patched, after.documents.find((d) => d.index === document.index)?.value, `${name}: JSONPatch and YAML renderings disagree`);
        }

        // A second application changes nothing.
        assert.equal(applyFileEdits(name, result.text, byDocument).text, result.text, `${name}: applying the same edits twice must be a no-op`);

        // Every comment line survives.
        const comments = commentLines(result.text);
        for (const [line, count] of commentLines(text)) {
          assert.ok((comments.get(line) ?? 0) >= count, `${name}: lost the comment line ${JSON.stringify(line)}`);
        }

        // Every changed line belongs to an edit; all others are byte-identical (the diff proves it).
        assert.deepEqual(unexplained(text, result.text), [], `${name}: lines changed that no edit explains`);
      });
    }

    it('changed the files with workloads and left the others alone', (t) => {
      t.diagnostic(`files ${totals.files}, rewritten ${totals.changedFiles}, byte-identical without workloads ${totals.unchangedFiles}, workloads ${totals.workloads}, documents refused ${totals.refusedDocuments}`);
      assert.ok(totals.changedFiles >= minimum.changedFiles, `only ${totals.changedFiles} files changed`);
      assert.ok(totals.unchangedFiles >= minimum.unchangedFiles, `only ${totals.unchangedFiles} files had no workloads`);
      assert.ok(totals.workloads >= minimum.workloads, `only ${totals.workloads} workloads found`);
    });
  });
}
