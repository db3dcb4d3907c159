// `rootlock fix` for manifests: reads every input, plans the fixes of each
// document (src/fix/plan.ts: rules, policy, fixpoint) and applies the edits to
// the text without disturbing anything else. Nothing is written here: the
// command decides whether to print a diff, write files or print to stdout.
import type { InputIndex } from '../core/rule.js';
import { objectReference } from '../core/exemptions.js';
import { isObject } from '../core/path.js';
import { apiVersionProblem, BUILTIN_POD_SPEC_LOCATIONS, documentObjects, workloadOf } from '../core/workloads.js';
import { isPinnedByDigest } from '../knowledge/image-ref.js';
import type { Edit, InputError, Notice } from '../core/types.js';
import { parseManifests } from '../input/kube-yaml.js';
import type { ParsedDocument, ParseResult } from '../input/kube-yaml.js';
import { readSources } from '../input/sources.js';
import { applyFileEdits } from '../fix/apply-file.js';
import { planDocumentFixes } from '../fix/plan.js';
import { minimalEdits } from '../fix/minimal-edits.js';
import type { FixPlanOptions, ObjectPlan } from '../fix/plan.js';

export interface FixRunOptions extends Omit<FixPlanOptions, 'inputIndex' | 'boundServiceAccounts'> {
  paths: readonly string[];
  /** --pin-digests: given every image not yet pinned, returns image -> pinned reference (and reports its own failures). */
  pinImages?: (images: readonly string[]) => Promise<{ pinned: ReadonlyMap<string, string>; errors: InputError[] }>;
  cwd: string;
  /** Largest file fix will rewrite, in characters. */
  maxFileBytes?: number;
  stdin?: AsyncIterable<unknown>;
}

export interface FixedFile {
  /** The name inputs are reported under: as given, relative to cwd, or `-`. */
  file: string;
  before: string;
  after: string;
  /** Per object: the changes made and what needs a person. */
  objects: ObjectPlan[];
}

export interface FixRun {
  files: FixedFile[];
  /** Unreadable inputs, documents that do not parse, edits that could not be applied. */
  errors: InputError[];
  notices: Notice[];
}

/** ServiceAccounts of the input, and those a (Cluster)RoleBinding grants permissions to (the HTML report gathers them as it reads). */
export function accountFacts(documents: readonly ParsedDocument[]): { inputIndex: InputIndex; bound: Set<string> } {
  const serviceAccounts = new Map<string, unknown>();
  const bound = new Set<string>();
  for (const document of documents) {
    for (const { object } of documentObjects(document.value)) {
      if (object['kind'] === 'ServiceAccount') {
        const ref = objectReference(object);
        serviceAccounts.set(`${ref.namespace ?? ''}/${ref.name}`, object['automountServiceAccountToken']);
      }
      if (object['kind'] !== 'RoleBinding' && object['kind'] !== 'ClusterRoleBinding') continue;
      const metadata = isObject(object['metadata']) ? object['metadata'] : {};
      const subjects = Array.isArray(object['subjects']) ? object['subjects'] : [];
      for (const subject of subjects) {
        if (!isObject(subject) || subject['kind'] !== 'ServiceAccount') continue;
        const namespace = typeof subject['namespace'] === 'string' ? subject['namespace'] : typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
        bound.add(`${namespace}/${String(subject['name'])}`);
      }
    }
  }
  return { inputIndex: { serviceAccounts }, bound };
}

/** fix rewrites whole files, so it holds them whole; larger ones are refused rather than risked. */
export const DEFAULT_MAX_FIX_FILE_CHARS = 64 * 1024 * 1024;

/** The whole text of an input, or the first read error (a file that cannot be read whole is never rewritten). */
async function wholeText(file: string, chunks: AsyncIterable<string | InputError>, maxChars: number): Promise<string | InputError> {
  const parts: string[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    if (typeof chunk !== 'string') return chunk;
    size += chunk.length;
    if (size > maxChars) return { file, code: 'file-too-large', message: `file is over the ${Math.round(maxChars / 1048576)} MiB that fix rewrites (--max-file-size); not changed` };
    parts.push(chunk);
  }
  return parts.join('');
}

export async function fixManifests(options: FixRunOptions): Promise<FixRun> {
  const errors: InputError[] = [];
  const notices: Notice[] = [];
  // Texts are kept until the end: whether a pod may lose its API token depends on the whole input.
  const inputs: Array<{ file: string; text: string; documents: ParsedDocument[]; parsed: ParseResult }> = [];
  const sourceOptions = { cwd: options.cwd, ...(options.stdin ? { stdin: options.stdin } : {}) };
  for await (const item of readSources(options.paths, sourceOptions)) {
    if (item.kind === 'error') errors.push(item.error);
    else if (item.kind === 'notice') notices.push(item.notice);
    else {
      const text = await wholeText(item.file, item.chunks, options.maxFileBytes ?? DEFAULT_MAX_FIX_FILE_CHARS);
      if (typeof text !== 'string') {
        errors.push(text);
        continue;
      }
      if (text.trim() === '') continue;
      const parsed = parseManifests(text, item.file);
      errors.push(...parsed.errors);
      inputs.push({ file: item.file, text, documents: parsed.documents, parsed });
    }
  }
  const facts = accountFacts(inputs.flatMap((input) => input.documents));
  let pinnedImages: ReadonlyMap<string, string> | undefined;
  const locations = [...options.config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS];
  if (options.pinImages) {
    const images = new Set<string>();
    for (const input of inputs) for (const document of input.documents) for (const { object } of documentObjects(document.value)) {
      for (const container of workloadOf(object, locations)?.containers ?? []) {
        if (container.image !== undefined && !isPinnedByDigest(container.image)) images.add(container.image);
      }
    }
    const result = await options.pinImages([...images]);
    pinnedImages = result.pinned;
    errors.push(...result.errors);
  }
  const fixOptions = pinnedImages ? { ...options.fixOptions, pinnedImages } : options.fixOptions;
  const files: FixedFile[] = [];
  for (const input of inputs) {
    const byDocument = new Map<number, Edit[]>();
    const objectsByDocument = new Map<number, ObjectPlan[]>();
    for (const document of input.documents) {
      // A document the API server would reject is reported and left as it is.
      const rejected = documentObjects(document.value).flatMap(({ object, path }) => {
        const problem = apiVersionProblem(object, locations);
        return problem ? [{ problem, at: document.locate([...path, 'apiVersion']) }] : [];
      });
      if (rejected.length) {
        for (const { problem, at } of rejected) errors.push({ file: input.file, line: at.line, column: at.column, code: 'unknown-api-version', message: problem.message });
        continue;
      }
      try {
        const plan = planDocumentFixes(document.value, document.helmSource, { ...options, inputIndex: facts.inputIndex, boundServiceAccounts: facts.bound, ...(fixOptions ? { fixOptions } : {}) });
        if (plan.edits.length) byDocument.set(document.index, minimalEdits(document.value, plan.value));
        objectsByDocument.set(document.index, plan.objects);
      } catch (error) {
        errors.push({ file: input.file, line: document.position.line, column: document.position.column, code: 'fix-failed', message: `could not plan fixes for document ${document.index + 1}: ${(error as Error).message}` });
      }
    }
    const result = applyFileEdits(input.file, input.text, byDocument, { parsed: input.parsed });
    errors.push(...result.errors);
    const objects: ObjectPlan[] = [];
    for (const [index, plans] of objectsByDocument) {
      // A document the writer refused keeps its text, so none of its planned changes happened.
      const applied = !byDocument.has(index) || result.changedDocuments.includes(index);
      objects.push(...plans.map((plan) => (applied ? plan : { ...plan, changes: [] })));
    }
    files.push({ file: input.file, before: input.text, after: result.text, objects });
  }
  return { files, errors, notices };
}
