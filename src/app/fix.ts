// `rootlock fix` for manifests: runs the audit engine over every input to get
// findings with edits, groups the edits by file and document (in finding
// order, repeats removed), and applies them. Nothing is written here: the
// command decides whether to print a diff, write files or print to stdout.
import { Engine } from '../core/engine.js';
import type { RuleDefinition } from '../core/rule.js';
import type { RootlockConfig } from '../core/config.js';
import type { Edit, Finding, InputError, Notice } from '../core/types.js';
import { parseManifests } from '../input/kube-yaml.js';
import { readSources } from '../input/sources.js';
import { applyFileEdits } from '../fix/apply-file.js';

export interface FixOptions {
  paths: readonly string[];
  cwd: string;
  /** Rules to run; only their findings are fixed. */
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  today: string;
  maxFileBytes?: number;
  stdin?: NodeJS.ReadableStream;
}

export interface FixedFile {
  /** The name inputs are reported under: as given, relative to cwd, or `-`. */
  file: string;
  before: string;
  after: string;
  /** Findings whose edits changed the file. */
  fixes: number;
}

export interface FixRun {
  files: FixedFile[];
  /** Unreadable inputs, documents that do not parse, edits that could not be applied. */
  errors: InputError[];
  notices: Notice[];
}

/** Edits of the findings that can and may be fixed, by document index. */
export function editsByDocument(findings: readonly Finding[]): Map<number, Edit[]> {
  const out = new Map<number, Edit[]>();
  for (const finding of findings) {
    if (finding.exempted || !finding.edits?.length) continue;
    const index = finding.documentIndex ?? 0;
    const list = out.get(index) ?? [];
    list.push(...finding.edits);
    out.set(index, list);
  }
  return out;
}

export async function fixManifests(options: FixOptions): Promise<FixRun> {
  const engine = new Engine({ rules: options.rules, config: options.config, today: options.today });
  const errors: InputError[] = [];
  const notices: Notice[] = [];
  // Texts are kept until the end: some findings depend on the whole input (engine.finish()).
  const inputs: Array<{ file: string; text: string; findings: Finding[] }> = [];
  const sourceOptions = { cwd: options.cwd, ...(options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}), ...(options.stdin ? { stdin: options.stdin } : {}) };
  for await (const item of readSources(options.paths, sourceOptions)) {
    if (item.kind === 'error') {
      errors.push(item.error);
      continue;
    }
    if (item.kind === 'notice') {
      notices.push(item.notice);
      continue;
    }
    const { file, text } = item.source;
    const parsed = parseManifests(text, file);
    errors.push(...parsed.errors);
    const findings: Finding[] = [];
    for (const document of parsed.documents) {
      const result = engine.audit({
        file,
        value: document.value,
        documentIndex: document.index,
        locate: document.locate,
        ...(document.helmSource !== undefined ? { helmSource: document.helmSource } : {}),
      });
      findings.push(...result.findings);
      errors.push(...result.errors.filter((e) => e.code === 'rule-crashed'));
      notices.push(...result.notices.filter((n) => n.code !== 'not-kubernetes'));
    }
    inputs.push({ file, text, findings });
  }
  const late = engine.finish();
  notices.push(...late.notices);
  for (const finding of late.findings) inputs.find((input) => input.file === finding.file)?.findings.push(finding);

  const files: FixedFile[] = [];
  for (const input of inputs) {
    const byDocument = editsByDocument(input.findings);
    const result = applyFileEdits(input.file, input.text, byDocument);
    errors.push(...result.errors);
    const fixes = input.findings.filter((f) => !f.exempted && f.edits?.length && result.changedDocuments.includes(f.documentIndex ?? 0)).length;
    files.push({ file: input.file, before: input.text, after: result.text, fixes });
  }
  return { files, errors, notices };
}
