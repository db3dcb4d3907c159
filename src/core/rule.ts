// A rule is a self-describing module: metadata that docs, reports and policy
// generators read, and a check that reports findings with field paths. The
// engine, not the rule, applies exemptions, severity overrides and positions.
import type { KnowledgeBase } from '../knowledge/images.js';
import type { EffectiveSecurityContext } from './security-context.js';
import type { ContainerView, Workload } from './workloads.js';
import type { Edit, JsonObject, ObjectReference, Path, Severity } from './types.js';

export interface RuleDocs {
  /** One line: what the rule reports. */
  summary: string;
  /** Why it matters for immutability. */
  rationale: string;
  /** What to change, in words; the fix hint of each finding is more specific. */
  remediation: string;
  /** CKS / Kubernetes documentation links. */
  references?: string[];
}

/** Index of facts about the whole input, for rules that look across objects. */
export interface InputIndex {
  /** `namespace/name` (namespace may be empty) of ServiceAccounts in the input -> their automountServiceAccountToken. */
  serviceAccounts: Map<string, unknown>;
}

export class FixBuilder {
  readonly edits: Edit[] = [];
  set(path: Path, value: unknown): this {
    this.edits.push({ op: 'set', path, value });
    return this;
  }
  append(path: Path, value: unknown): this {
    this.edits.push({ op: 'append', path, value });
    return this;
  }
  delete(path: Path): this {
    this.edits.push({ op: 'delete', path });
    return this;
  }
}

export interface Report {
  /**
   * What is wrong, in a sentence. A function when building the sentence takes
   * work of its own (lists, lookups): the admission webhook shows messages
   * only for the findings that deny, and calls it for those alone.
   */
  message: string | (() => string);
  /** Field the finding is about; it need not exist (the engine then points at its nearest existing parent). */
  path: Path;
  /** One-line fix hint. */
  hint: string;
  container?: ContainerView;
  /** Overrides the rule's default severity for this finding (the config still wins). */
  severity?: Severity;
  fix?: (fix: FixBuilder) => void;
  /**
   * Drop the finding when the whole input shows it does not apply (e.g. its ServiceAccount disables token automount).
   * The function is kept until the whole input is read: capture copies of document strings (core/strings.ts
   * `detached`), not the strings themselves, which would keep their file's text in memory.
   */
  unlessInInput?: (index: InputIndex) => boolean;
}

export interface RuleContext {
  readonly object: JsonObject;
  readonly ref: ObjectReference;
  /** The object's pod spec and containers, when its kind embeds one. */
  readonly workload: Workload | undefined;
  readonly knowledge: KnowledgeBase;
  containers(): ContainerView[];
  effective(container: ContainerView): EffectiveSecurityContext;
  report(report: Report): void;
}

export interface RuleDefinition {
  id: string;
  severity: Severity;
  docs: RuleDocs;
  /** True when `check` offers fixes; a fix from a rule that is not fixable is a bug the engine reports loudly. */
  fixable: boolean;
  /** Checklist item of the seed document this rule enforces. */
  checklist?: string;
  check(context: RuleContext): void;
}

const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function defineRule(rule: RuleDefinition): RuleDefinition {
  if (!RULE_ID.test(rule.id)) throw new Error(`rule id "${rule.id}" must be kebab-case`);
  if (!rule.docs.summary || !rule.docs.rationale || !rule.docs.remediation) throw new Error(`rule ${rule.id} lacks docs`);
  return rule;
}
