// Plans the fixes for one document: runs the rules, keeps the fixes the
// policy allows, applies them to the data and runs the rules again until
// nothing changes. A fixpoint, because fixes enable each other: once a
// container is read-only, writable-paths-mounted asks for its emptyDirs; once
// it runs as non-root, dropping ALL capabilities is safe. The result is a list
// of path edits (rendered as YAML edits by `fix`, as JSONPatch by the
// webhook), what each change was for, and what still needs a person.
import { Engine } from '../core/engine.js';
import { KnowledgeBase } from '../knowledge/images.js';
import { BUILTIN_POD_SPEC_LOCATIONS } from '../core/workloads.js';
import type { RootlockConfig } from '../core/config.js';
import type { FixOptions, InputIndex, RuleDefinition } from '../core/rule.js';
import type { Edit, Finding, ObjectReference } from '../core/types.js';
import { applyEdits, dedupeEdits, deepEqual } from './edit-semantics.js';
import { decide } from './policy.js';
import type { PolicyContext } from './policy.js';

/** Enough rounds for every chain of fixes we have (read-only -> emptyDirs; non-root -> drop ALL), with room to spare. */
const MAX_ROUNDS = 6;

export interface FixPlanOptions {
  /** Rules whose findings may be fixed (and reported as needing a human). */
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  today: string;
  /** Rules the user named with --rules: opt-in fixes apply only then. */
  explicitRules?: ReadonlySet<string>;
  /** --memory-tmp, --default-limits, --pin-digests: handed to the rules, which make the edits they ask for. */
  fixOptions?: FixOptions;
  /** ServiceAccounts elsewhere in the input (`namespace/name` -> automountServiceAccountToken), for token automount decisions. */
  inputIndex?: InputIndex;
  /** `namespace/name` of ServiceAccounts bound to roles in the input. */
  boundServiceAccounts?: ReadonlySet<string>;
}

export interface PlannedChange {
  rule: string;
  container?: string;
  message: string;
  edits: Edit[];
}

export interface HumanDecision {
  rule: string;
  container?: string;
  message: string;
  why: string;
}

export interface ObjectPlan {
  object: ObjectReference;
  helmSource?: string;
  changes: PlannedChange[];
  needsHuman: HumanDecision[];
}

export interface DocumentPlan {
  /** Every edit, in the order to apply them. */
  edits: Edit[];
  /** The document after the edits. */
  value: unknown;
  objects: ObjectPlan[];
}

function objectKey(ref: ObjectReference): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}

class PlanBuilder {
  private readonly objects = new Map<string, ObjectPlan>();
  constructor(private readonly helmSource: string | undefined) {}
  entry(ref: ObjectReference): ObjectPlan {
    const key = objectKey(ref);
    let plan = this.objects.get(key);
    if (!plan) {
      plan = { object: ref, ...(this.helmSource !== undefined ? { helmSource: this.helmSource } : {}), changes: [], needsHuman: [] };
      this.objects.set(key, plan);
    }
    return plan;
  }
  all(): ObjectPlan[] {
    return [...this.objects.values()];
  }
}

function auditOnce(value: unknown, options: FixPlanOptions): Finding[] {
  const engine = new Engine({
    rules: options.rules,
    config: options.config,
    today: options.today,
    unknownImageWritablePaths: options.config.fix.defaultWritablePaths,
    ...(options.fixOptions ? { fixOptions: options.fixOptions } : {}),
    ...(options.inputIndex ? { inputIndex: options.inputIndex } : {}),
  });
  const findings = engine.audit({ file: '', value }).findings;
  findings.push(...engine.finish().findings);
  return findings.filter((finding) => !finding.exempted);
}

/** Applies the fixes the policy allows, in order, skipping those that change nothing; records each in the plan. */
function acceptFixes(findings: readonly Finding[], value: unknown, policy: PolicyContext, plan: PlanBuilder): { edits: Edit[]; value: unknown } {
  const edits: Edit[] = [];
  // `before`: the value with the accepted edits applied; its JSON is computed when first needed.
  let before = value;
  let beforeJson: string | undefined;
  for (const finding of findings) {
    if (!decide(finding, value, policy).apply) continue;
    const findingEdits = finding.edits ?? [];
    const after = applyEdits(before, findingEdits).value;
    if (deepEqual(after, value)) continue;
    // Whether the finding's edits change this round's value, key order included. applyEdit returns its
    // input when it changes nothing and a value with different content otherwise, so one edit needs no JSON.
    if (after === before) continue;
    if (findingEdits.length > 1) {
      beforeJson ??= JSON.stringify(before);
      if (beforeJson === JSON.stringify(after)) continue;
    }
    before = after;
    beforeJson = undefined;
    edits.push(...findingEdits);
    plan.entry(finding.object).changes.push({ rule: finding.rule, ...(finding.container ? { container: finding.container } : {}), message: finding.fixFromOption ?? finding.message, edits: findingEdits });
  }
  return { edits, value: before };
}

export function planDocumentFixes(document: unknown, helmSource: string | undefined, options: FixPlanOptions): DocumentPlan {
  const plan = new PlanBuilder(helmSource);
  const policy: PolicyContext = {
    knowledge: KnowledgeBase.withExtra(options.config.images),
    locations: [...options.config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS],
    boundServiceAccounts: options.boundServiceAccounts ?? new Set(),
    explicitRules: options.explicitRules ?? new Set(),
    rules: new Map(options.rules.map((rule) => [rule.id, rule])),
  };
  let value = document;
  const edits: Edit[] = [];
  // The findings on `value` as it is now, when it has been audited since it last changed.
  let current: Finding[] | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const findings = auditOnce(value, options);
    current = findings;
    // The rules' own fixes first; what fix options asked for once those have settled (it sees their volumes).
    let roundEdits = acceptFixes(findings.filter((finding) => finding.fixFromOption === undefined), value, policy, plan);
    if (roundEdits.edits.length === 0) roundEdits = acceptFixes(findings.filter((finding) => finding.fixFromOption !== undefined), value, policy, plan);
    if (roundEdits.edits.length === 0) break;
    value = roundEdits.value;
    current = undefined;
    edits.push(...roundEdits.edits);
  }
  // What is left after every fix: each needs a person, with the reason. The audit is pure, so a value
  // the last round audited without changing it (every document without fixes) is not audited again.
  for (const finding of current ?? auditOnce(value, options)) {
    if (finding.severity === 'info' && policy.rules.get(finding.rule)?.fixSafety?.infoNeedsNoDecision === true) continue;
    const decision = decide(finding, value, policy);
    const why = decision.apply ? 'rootlock could not apply this fix; see the message' : decision.why;
    plan.entry(finding.object).needsHuman.push({ rule: finding.rule, ...(finding.container ? { container: finding.container } : {}), message: finding.message, why });
  }
  return { edits: dedupeEdits(edits), value, objects: plan.all() };
}
