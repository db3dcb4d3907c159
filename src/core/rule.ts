// A rule is a self-describing module: metadata that docs, reports and policy
// generators read, and a check that reports findings with field paths. The
// engine, not the rule, applies exemptions, severity overrides and positions.
import type { KnowledgeBase } from '../knowledge/images.js';
import type { AdmissionLoader, NoAdmission } from './admission.js';
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
  /** Set when a fix option asked for these edits (--default-limits): what they do, said in place of the finding's message. */
  option: string | undefined;
  /**
   * Marks the edits as asked for by a fix option. `rootlock fix` applies them
   * once the rules' own fixes have settled, so they see the final volumes.
   */
  fromOption(description: string): this {
    this.option = description;
    return this;
  }
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
  /** What `rootlock fix` was asked to do beyond the rules' own fixes; empty in an audit. */
  readonly fixOptions: FixOptions;
  containers(): ContainerView[];
  effective(container: ContainerView): EffectiveSecurityContext;
  report(report: Report): void;
}

/** Options of `rootlock fix` that reach the rules through their context. */
export interface FixOptions {
  /** --memory-tmp: the emptyDirs fixes add are memory-backed (medium: Memory) with this sizeLimit. */
  memoryTmp?: {
    sizeLimit: string;
    /** --raise-memory-limit: raise a memory limit that leaves no room for the tmpfs volumes. */
    raiseLimits: boolean;
  };
  /** --default-limits: set these limits where a container has none. */
  defaultLimits?: { cpu?: string; memory?: string };
  /** --pin-digests: image as written -> pinned reference (`repo:tag@sha256:...`). */
  pinnedImages?: ReadonlyMap<string, string>;
}

/** The workload and container a finding is about, in the document being fixed. */
export interface FixTarget {
  workload: Workload;
  container: ContainerView | undefined;
  namespace: string | undefined;
}

/** What the rest of the input tells about a fix's safety. */
export interface FixSafetyContext {
  knowledge: KnowledgeBase;
  /** `namespace/name` of ServiceAccounts bound by a RoleBinding or ClusterRoleBinding in the input. */
  boundServiceAccounts: ReadonlySet<string>;
}

/** Whether `rootlock fix` applies a rule's fixes on its own. A fix that would stop the container from starting is not a fix. */
export interface FixSafety {
  /** Why the fix changes more than the object itself, so it is applied only when --rules names the rule. */
  optIn?: string;
  /** Why a finding without an automatic fix needs a person, where the rule's hint alone does not say it. */
  manualReason?: string;
  /** The rule's info-level findings only inform (what an image needs), so what is left of them after fixing asks nothing of a person. */
  infoNeedsNoDecision?: boolean;
  /** Fix options that let a rule fix what it otherwise only reports (a rule that is not `fixable` may then offer fixes). */
  options?: ReadonlyArray<keyof FixOptions>;
  /** Why this finding's fix could stop this pod from working, or undefined when it is safe to apply. */
  risk?(target: FixTarget, context: FixSafetyContext): string | undefined;
}

/**
 * What the admission webhook does by default in enforce mode with a rule's
 * findings: deny the rules whose findings make a workload mutable (a writable
 * root filesystem, writable paths without a volume, settings that let a
 * process regain write access), warn on the rest, so a cluster can adopt the
 * webhook without first settling capabilities, uids and limits everywhere.
 */
export type Enforcement = 'deny' | 'warn';

export interface RuleDefinition {
  id: string;
  severity: Severity;
  docs: RuleDocs;
  /** True when `check` offers fixes; a fix from a rule that is not fixable is a bug the engine reports loudly. */
  fixable: boolean;
  fixSafety?: FixSafety;
  /** The item of the CKS study guide's immutability checklist this rule enforces. */
  checklist?: string;
  enforcement: Enforcement;
  /** The rule restated for the admission engines (its folder's admission.ts), or why admission cannot enforce it. */
  admission: AdmissionLoader | NoAdmission;
  /** Why a cluster audit cannot run this rule (it never reads the objects the rule checks). */
  notInClusterAudit?: string;
  check(context: RuleContext): void;
}

const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function defineRule(rule: RuleDefinition): RuleDefinition {
  if (!RULE_ID.test(rule.id)) throw new Error(`rule id "${rule.id}" must be kebab-case`);
  if (!rule.docs.summary || !rule.docs.rationale || !rule.docs.remediation) throw new Error(`rule ${rule.id} lacks docs`);
  return rule;
}
