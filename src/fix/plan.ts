// Plans the fixes for one document: runs the rules, keeps the fixes the
// policy allows, applies them to the data and runs the rules again until
// nothing changes. A fixpoint, because fixes enable each other: once a
// container is read-only, writable-paths-mounted asks for its emptyDirs; once
// it runs as non-root, dropping ALL capabilities is safe. The result is a list
// of path edits (rendered as YAML edits by `fix`, as JSONPatch by the
// webhook), what each change was for, and what still needs a person.
import { Engine } from '../core/engine.js';
import { KnowledgeBase } from '../knowledge/images.js';
import { BUILTIN_POD_SPEC_LOCATIONS, documentObjects, workloadOf } from '../core/workloads.js';
import { getAt, isObject } from '../core/path.js';
import { parseQuantity } from '../core/quantity.js';
import type { RootlockConfig } from '../core/config.js';
import type { InputIndex, RuleDefinition } from '../core/rule.js';
import type { Edit, Finding, JsonObject, ObjectReference } from '../core/types.js';
import { applyEdits, dedupeEdits, deepEqual } from './edit-semantics.js';
import { decide } from './policy.js';
import type { PolicyContext } from './policy.js';

const NANOS = 1_000_000_000n;

/** Enough rounds for every chain of fixes we have (read-only -> emptyDirs; non-root -> drop ALL), with room to spare. */
const MAX_ROUNDS = 6;

export interface MemoryTmpOptions {
  /** sizeLimit of each memory-backed emptyDir, e.g. 64Mi. */
  sizeLimit: string;
  /** Raise a container's memory limit that leaves no room for its tmpfs volumes (otherwise report it). */
  raiseLimits: boolean;
}

export interface FixPlanOptions {
  /** Rules whose findings may be fixed (and reported as needing a human). */
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  today: string;
  /** Rules the user named with --rules: opt-in fixes apply only then. */
  explicitRules?: ReadonlySet<string>;
  memoryTmp?: MemoryTmpOptions;
  defaultLimits?: { cpu?: string; memory?: string };
  /** Image as written -> pinned reference (`repo:tag@sha256:...`), from --pin-digests. */
  pinnedImages?: ReadonlyMap<string, string>;
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
    ...(options.inputIndex ? { inputIndex: options.inputIndex } : {}),
  });
  const findings = engine.audit({ file: '', value }).findings;
  findings.push(...engine.finish().findings);
  return findings.filter((finding) => !finding.exempted);
}

/** --memory-tmp: the emptyDirs fix adds are memory-backed with a size limit (seed pattern 2). */
function memoryBacked(edits: readonly Edit[], memoryTmp: MemoryTmpOptions | undefined): Edit[] {
  if (!memoryTmp) return [...edits];
  const convert = (volume: unknown): unknown =>
    isObject(volume) && isObject(volume['emptyDir']) && Object.keys(volume['emptyDir']).length === 0
      ? { ...volume, emptyDir: { medium: 'Memory', sizeLimit: memoryTmp.sizeLimit } }
      : volume;
  return edits.map((edit) => {
    if (edit.op === 'delete' || edit.path[edit.path.length - 1] !== 'volumes') return edit;
    return { ...edit, value: Array.isArray(edit.value) ? edit.value.map(convert) : convert(edit.value) };
  });
}

/** Edits that are not any rule's fix, asked for by flags: default limits, pinned digests, room for tmpfs. */
function flagEdits(document: unknown, options: FixPlanOptions, plan: PlanBuilder, human: (ref: ObjectReference, decision: HumanDecision) => void): Edit[] {
  const out: Edit[] = [];
  const locations = [...options.config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS];
  const enabled = new Set(options.rules.map((r) => r.id));
  for (const { object, path } of documentObjects(document)) {
    const workload = workloadOf(object, locations);
    if (!workload) continue;
    const ref = { apiVersion: String(object['apiVersion']), kind: String(object['kind']), name: String(getAt(object, ['metadata', 'name']) ?? '(unnamed)'), ...(typeof getAt(object, ['metadata', 'namespace']) === 'string' ? { namespace: getAt(object, ['metadata', 'namespace']) as string } : {}) };
    for (const container of workload.containers) {
      if (container.type === 'ephemeralContainer') continue;
      const base = [...path, ...container.path];
      const limits = getAt(container.spec, ['resources', 'limits']);
      if (options.defaultLimits && enabled.has('resource-limits')) {
        const edits: Edit[] = [];
        for (const resource of ['cpu', 'memory'] as const) {
          const wanted = options.defaultLimits[resource];
          if (wanted !== undefined && (!isObject(limits) || limits[resource] === undefined || limits[resource] === null)) {
            edits.push({ op: 'set', path: [...base, 'resources', 'limits', resource], value: wanted });
          }
        }
        if (edits.length) {
          out.push(...edits);
          plan.entry(ref).changes.push({ rule: 'resource-limits', container: container.name, message: `set default ${edits.map((e) => `${String(e.path[e.path.length - 1])} limit ${String((e as { value: unknown }).value)}`).join(' and ')} (--default-limits)`, edits });
        }
      }
      const pinned = container.image !== undefined ? options.pinnedImages?.get(container.image) : undefined;
      if (pinned !== undefined && pinned !== container.image && enabled.has('image-pinned-by-digest')) {
        const edit: Edit = { op: 'set', path: [...base, 'image'], value: pinned };
        out.push(edit);
        plan.entry(ref).changes.push({ rule: 'image-pinned-by-digest', container: container.name, message: `pinned ${container.image} to ${pinned} (--pin-digests)`, edits: [edit] });
      }
      if (options.memoryTmp) {
        const tmpfs = memoryVolumeBytes(workload.podSpec, container.spec);
        const limit = isObject(limits) ? parseQuantity(limits['memory']) : undefined;
        const limitBytes = limit === undefined ? undefined : limit.nanos / NANOS;
        if (tmpfs > 0n && limitBytes !== undefined && limitBytes < tmpfs * 2n) {
          // Keep at least as much memory for the process as its tmpfs volumes may hold.
          const raised = `${(limitBytes + tmpfs) / 1048576n + 1n}Mi`;
          if (options.memoryTmp.raiseLimits) {
            const edit: Edit = { op: 'set', path: [...base, 'resources', 'limits', 'memory'], value: raised };
            out.push(edit);
            plan.entry(ref).changes.push({ rule: 'memory-emptydir-size-limit', container: container.name, message: `raised the memory limit to ${raised} so its memory-backed emptyDirs leave room for the process (--raise-memory-limit)`, edits: [edit] });
          } else {
            human(ref, { rule: 'memory-emptydir-size-limit', container: container.name, message: `memory-backed emptyDirs of container "${container.name}" can hold ${tmpfs / 1048576n}Mi, which counts against its ${String(limits && isObject(limits) ? limits['memory'] : '')} memory limit`, why: `raise the memory limit (for example to ${raised}) or pass --raise-memory-limit` });
          }
        }
      }
    }
  }
  return out;
}

/** Bytes the memory-backed emptyDirs mounted by a container may hold. */
function memoryVolumeBytes(podSpec: JsonObject, container: JsonObject): bigint {
  const volumes = Array.isArray(podSpec['volumes']) ? podSpec['volumes'] : [];
  const mounts = Array.isArray(container['volumeMounts']) ? container['volumeMounts'] : [];
  const mounted = new Set(mounts.filter(isObject).map((m) => m['name']));
  let total = 0n;
  for (const volume of volumes) {
    if (!isObject(volume) || !mounted.has(volume['name']) || !isObject(volume['emptyDir']) || volume['emptyDir']['medium'] !== 'Memory') continue;
    const size = parseQuantity(volume['emptyDir']['sizeLimit']);
    if (size !== undefined) total += size.nanos / NANOS;
  }
  return total;
}

export function planDocumentFixes(document: unknown, helmSource: string | undefined, options: FixPlanOptions): DocumentPlan {
  const plan = new PlanBuilder(helmSource);
  const policy: PolicyContext = {
    knowledge: KnowledgeBase.withExtra(options.config.images),
    locations: [...options.config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS],
    boundServiceAccounts: options.boundServiceAccounts ?? new Set(),
    explicitRules: options.explicitRules ?? new Set(),
  };
  let value = document;
  const edits: Edit[] = [];
  // The findings on `value` as it is now, when it has been audited since it last changed.
  let current: Finding[] | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const roundEdits: Edit[] = [];
    const findings = auditOnce(value, options);
    current = findings;
    // `before`: the value with this round's accepted edits applied; its JSON is computed when first needed.
    let before = value;
    let beforeJson: string | undefined;
    for (const finding of findings) {
      if (!decide(finding, value, policy).apply) continue;
      const findingEdits = memoryBacked(finding.edits ?? [], options.memoryTmp);
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
      roundEdits.push(...findingEdits);
      plan.entry(finding.object).changes.push({ rule: finding.rule, ...(finding.container ? { container: finding.container } : {}), message: finding.message, edits: findingEdits });
    }
    if (roundEdits.length === 0) break;
    value = before;
    current = undefined;
    edits.push(...roundEdits);
  }
  const humans: Array<{ ref: ObjectReference; decision: HumanDecision }> = [];
  const extra = flagEdits(value, options, plan, (ref, decision) => humans.push({ ref, decision }));
  if (extra.length) {
    value = applyEdits(value, extra).value;
    current = undefined;
    edits.push(...extra);
  }
  // What is left after every fix: each needs a person, with the reason. The audit is pure, so a value
  // the last round audited without changing it (every document without fixes) is not audited again.
  for (const finding of current ?? auditOnce(value, options)) {
    // Capabilities the knowledge base says the image needs (often added back by drop-all-capabilities above) are information, not a decision.
    if (finding.rule === 'no-added-capabilities' && finding.severity === 'info') continue;
    const decision = decide(finding, value, policy);
    const why = decision.apply ? 'rootlock could not apply this fix; see the message' : decision.why;
    plan.entry(finding.object).needsHuman.push({ rule: finding.rule, ...(finding.container ? { container: finding.container } : {}), message: finding.message, why });
  }
  for (const { ref, decision } of humans) plan.entry(ref).needsHuman.push(decision);
  return { edits: dedupeEdits(edits), value, objects: plan.all() };
}
