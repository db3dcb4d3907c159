// What the HTML report knows beyond the findings: every workload of the input
// (clean ones too, so scores count them) and, for each document `rootlock fix`
// would change, its diff and fixed YAML. Fixes come from the same planner as
// `rootlock fix` (src/fix/plan.ts) applied to the document's own text; they
// wait in a temporary file, since at 20,000 workloads they are most of the
// report's bytes.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RootlockConfig } from '../core/config.js';
import type { RuleDefinition } from '../core/rule.js';
import { objectReference } from '../core/exemptions.js';
import type { ObjectReference } from '../core/types.js';
import { apiVersionProblem, BUILTIN_POD_SPEC_LOCATIONS, documentObjects, workloadOf } from '../core/workloads.js';
import type { ParsedDocument } from '../input/kube-yaml.js';
import { accountFacts } from '../app/fix.js';
import { applyFileEdits } from '../fix/apply-file.js';
import { unifiedDiff } from '../fix/diff.js';
import { minimalEdits } from '../fix/minimal-edits.js';
import { planDocumentFixes } from '../fix/plan.js';
import { readJsonLines } from '../report/finding-store.js';

export interface WorkloadEntry {
  file: string;
  documentIndex?: number;
  line?: number;
  object: ObjectReference;
  helmSource?: string;
  /** Index of the fix preview of the workload's document, when `rootlock fix` changes it. */
  fix?: number;
}

export interface FixPreview {
  /** Unified diff of the document. */
  diff: string;
  /** The document as `rootlock fix` writes it. */
  fixed: string;
  /** The fixes it makes (`rule [container]`), and what it leaves to a person and why. */
  changes: string[];
  needsHuman: string[];
}

/** The key that joins a finding to its workload: file, document and object. */
export function entryKey(file: string, documentIndex: number | undefined, ref: ObjectReference): string {
  return `${file}\u0000${documentIndex ?? ''}\u0000${ref.kind}\u0000${ref.namespace ?? ''}\u0000${ref.name}`;
}

export interface WorkloadSource {
  readonly workloads: readonly WorkloadEntry[];
  /** The fix previews in index order; readable once per call. */
  fixes(): Iterable<FixPreview>;
  readonly fixCount: number;
}

export interface CollectorOptions {
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  today: string;
  /** Rules named with --rules: their opt-in fixes are previewed too, as `rootlock fix --rules` applies them. */
  explicitRules?: ReadonlySet<string>;
}

export class WorkloadCollector implements WorkloadSource {
  readonly workloads: WorkloadEntry[] = [];
  fixCount = 0;
  private directory: string | undefined;
  private fd: number | undefined;
  /** ServiceAccounts seen so far (`namespace/name` -> automountServiceAccountToken), by namespace. */
  private readonly serviceAccounts = new Map<string, Map<string, unknown>>();
  private readonly bound = new Set<string>();
  private readonly locations;
  private readonly cleanup = () => this.dispose();

  constructor(private readonly options: CollectorOptions) {
    this.locations = [...options.config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS];
  }

  /** Records the workloads of one audited document and previews its fix. */
  add(file: string, document: ParsedDocument): void {
    // ServiceAccounts and bindings seen so far decide whether a token may go, as the whole input does for `rootlock fix`.
    const facts = accountFacts([document]);
    for (const [key, value] of facts.inputIndex.serviceAccounts) {
      const namespace = key.slice(0, key.indexOf('/'));
      const accounts = this.serviceAccounts.get(namespace) ?? new Map<string, unknown>();
      accounts.set(key, value);
      this.serviceAccounts.set(namespace, accounts);
    }
    for (const key of facts.bound) this.bound.add(key);
    const entries: WorkloadEntry[] = [];
    for (const { object, path } of documentObjects(document.value)) {
      if (apiVersionProblem(object, this.locations) || !workloadOf(object, this.locations)) continue;
      const at = document.locate(path);
      entries.push({
        file,
        documentIndex: document.index,
        line: at.line,
        object: objectReference(object),
        ...(document.helmSource !== undefined ? { helmSource: document.helmSource } : {}),
      });
    }
    if (entries.length === 0) return;
    const fix = this.preview(file, document, new Set(entries.map((entry) => entry.object.namespace ?? '')));
    for (const entry of entries) {
      if (fix !== undefined) entry.fix = fix;
      this.workloads.push(entry);
    }
  }

  /** The fix of a document as `rootlock fix` makes it, stored; its index, or undefined when nothing changes. */
  private preview(file: string, document: ParsedDocument, namespaces: ReadonlySet<string>): number | undefined {
    if (document.source === undefined) return undefined;
    // A pod can only use a ServiceAccount of its own namespace. Handing the planner only those keeps its work
    // per document flat: it copies the index for each of its rounds, and a large input has thousands.
    const serviceAccounts = new Map<string, unknown>();
    for (const namespace of namespaces) for (const [key, value] of this.serviceAccounts.get(namespace) ?? []) serviceAccounts.set(key, value);
    let preview: FixPreview;
    try {
      const plan = planDocumentFixes(document.value, document.helmSource, {
        rules: this.options.rules,
        config: this.options.config,
        today: this.options.today,
        ...(this.options.explicitRules ? { explicitRules: this.options.explicitRules } : {}),
        inputIndex: { serviceAccounts },
        boundServiceAccounts: this.bound,
      });
      const needsHuman = plan.objects.flatMap((object) => object.needsHuman.map((human) => `${human.rule}${human.container ? ` [${human.container}]` : ''}: ${human.why}`));
      if (plan.edits.length === 0) return undefined;
      const edits = minimalEdits(document.value, plan.value);
      const result = applyFileEdits(file, document.source.text, new Map([[document.source.index, edits]]));
      if (result.text === document.source.text) return undefined;
      preview = {
        diff: unifiedDiff(file, document.source.text, result.text),
        fixed: result.text,
        // Rule and container only: the finding's message is in the findings table above the fix.
        changes: plan.objects.flatMap((object) => object.changes.map((change) => `${change.rule}${change.container ? ` [${change.container}]` : ''}`)),
        needsHuman,
      };
    } catch {
      // A document the planner cannot fix is reported by `rootlock fix`; the report shows its findings without a diff.
      return undefined;
    }
    if (this.fd === undefined) {
      this.directory = mkdtempSync(join(tmpdir(), 'rootlock-html-'));
      process.on('exit', this.cleanup);
      this.fd = openSync(join(this.directory, 'fixes.jsonl'), 'w', 0o600);
    }
    writeSync(this.fd, `${JSON.stringify(preview)}\n`);
    return this.fixCount++;
  }

  fixes(): Iterable<FixPreview> {
    const directory = this.directory;
    if (directory === undefined) return [];
    return { [Symbol.iterator]: () => readJsonLines<FixPreview>(join(directory, 'fixes.jsonl')) };
  }

  dispose(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.directory !== undefined) {
      rmSync(this.directory, { recursive: true, force: true });
      this.directory = undefined;
      process.removeListener('exit', this.cleanup);
    }
  }
}
