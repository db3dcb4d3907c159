// Finds, by rendering the chart, which values carry the fixes the planner
// wants in a chart's output. Nothing here guesses from a name alone: a name
// only proposes a candidate, and a candidate is kept when `helm template`
// with it changes the output exactly toward the planned result (the planned
// fields get the planned values, nothing else in any object changes).
//
// To keep renders few: one probe render first marks every values mapping and
// list whose name fits a changed field (securityContext, podSecurityContext,
// extraVolumes, resources, ...) and shows where each lands in the output; then
// candidates are tried in batches, one per unresolved change, and a batch
// whose output is wrong is split in halves until the culprit is alone.
import { getAt, isObject } from '../core/path.js';
import type { Edit, JsonObject, ObjectReference, Path, PathSegment } from '../core/types.js';
import { deepEqual } from '../fix/edit-semantics.js';
import { describeLeaf, differingLeaves, underPrefix } from './object-diff.js';
import type { RenderedObject } from './rendered-objects.js';

/** One planned edit of one rendered object that a value might carry. */
export interface WantedEdit {
  id: number;
  objectKey: string;
  ref: ObjectReference;
  helmSource?: string;
  rule: string;
  container?: string;
  message: string;
  /** The edit, its path relative to the object. */
  edit: Edit;
  /** Its normalized prefix (object-diff.ts) in the planned object. */
  prefix: string;
}

/** A values change to try: set a value, or add items to a list value. */
export interface ValueCandidate {
  key: string;
  path: string[];
  kind: 'set' | 'append';
  /** set: the value (null removes the chart's default); append: the items to add. */
  value: unknown;
  /** append: the list the chart and the user's values have now. */
  base?: unknown[];
  /** Ids of the wanted edits it is meant to carry. */
  targets: number[];
}

export interface AcceptedValue {
  candidate: ValueCandidate;
  /** The wanted edits it was seen to carry. */
  carries: number[];
}

export interface SearchInput {
  baseline: ReadonlyMap<string, RenderedObject>;
  target: ReadonlyMap<string, RenderedObject>;
  volatile: ReadonlyMap<string, ReadonlySet<string>>;
  wanted: readonly WantedEdit[];
  /** The chart's defaults merged with the user's values files. */
  values: JsonObject;
  /** Renders the chart with the user's values and then `override`; throws when helm fails. */
  render: (override: JsonObject) => Promise<Map<string, RenderedObject>>;
  /** Most candidates tried per edit from name matches alone. */
  maxNameCandidates?: number;
  /**
   * The wanted edits of each finding's fix: values are kept only for fixes they carry whole. Half a fix
   * (a volume without its mount) fixes nothing, and the planner would plan the rest differently next time.
   */
  fixes?: readonly (readonly number[])[];
}

export interface SearchResult {
  accepted: AcceptedValue[];
  override: JsonObject;
  /** Wanted edits the final render carries. */
  reached: Set<number>;
  /** The chart rendered with the user's values and the override. */
  final: Map<string, RenderedObject>;
  /** Candidates that were tried alone and changed the output the wrong way, with the first difference. */
  rejected: Array<{ candidate: ValueCandidate; why: string }>;
  probeRenders: number;
  candidateRenders: number;
}

const PROBE_KEY = 'x-rootlock-probe';
const PROBE_PREFIX = 'rootlock-probe-';
/** Path segments of every pod template: no chart names a value after them. */
const STRUCTURAL = new Set(['spec', 'template', 'metadata', 'jobTemplate']);
const MAX_VALUES_DEPTH = 12;

interface Probe {
  id: string;
  path: string[];
  kind: 'map' | 'list';
  base: unknown[];
}

interface Sighting {
  probe: Probe;
  objectKey: string;
  /** Where it landed: the mapping that holds the probe key, or the list that holds the probe item. */
  at: PathSegment[];
}

function pathKey(path: readonly string[]): string {
  return JSON.stringify(path);
}

function setIn(root: JsonObject, path: readonly string[], value: unknown): void {
  let node = root;
  for (const segment of path.slice(0, -1)) {
    if (!isObject(node[segment])) node[segment] = {};
    node = node[segment] as JsonObject;
  }
  node[path[path.length - 1] as string] = value;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The string segments after the last list index: the fields a values key could be named after. */
function anchors(wanted: WantedEdit, target: RenderedObject | undefined): Array<{ name: string; kind: 'map' | 'list' }> {
  const path = wanted.edit.path;
  let start = 0;
  path.forEach((segment, i) => {
    if (typeof segment === 'number') start = i + 1;
  });
  const out: Array<{ name: string; kind: 'map' | 'list' }> = [];
  for (let i = start; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment !== 'string' || STRUCTURAL.has(segment)) continue;
    const at = target ? getAt(target.object, path.slice(0, i + 1)) : undefined;
    if (isObject(at)) out.push({ name: segment, kind: 'map' });
    else if (Array.isArray(at) && at.some(isObject)) out.push({ name: segment, kind: 'list' });
  }
  return out;
}

function walkValues(values: JsonObject, visit: (path: string[], value: unknown) => void): void {
  const walk = (node: JsonObject, path: string[]): void => {
    if (path.length >= MAX_VALUES_DEPTH) return;
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      visit(here, value);
      if (isObject(value)) walk(value, here);
    }
  };
  walk(values, []);
}

function nameFits(key: string, field: string): boolean {
  return key.toLowerCase().endsWith(field.toLowerCase());
}

function collectProbes(input: SearchInput): Probe[] {
  const wantedAnchors = new Map<string, 'map' | 'list'>();
  for (const wanted of input.wanted) for (const anchor of anchors(wanted, input.target.get(wanted.objectKey))) wantedAnchors.set(anchor.name, anchor.kind);
  const probes: Probe[] = [];
  walkValues(input.values, (path, value) => {
    const key = path[path.length - 1] as string;
    if (key === PROBE_KEY) return;
    for (const [field, kind] of wantedAnchors) {
      if (!nameFits(key, field)) continue;
      if (kind === 'map' && (isObject(value) || value === null)) probes.push({ id: `${PROBE_PREFIX}${probes.length}`, path, kind, base: [] });
      else if (kind === 'list' && (Array.isArray(value) || value === null)) probes.push({ id: `${PROBE_PREFIX}${probes.length}`, path, kind, base: Array.isArray(value) ? value : [] });
      else continue;
      return;
    }
  });
  return probes;
}

function probeOverride(probes: readonly Probe[]): JsonObject {
  const override: JsonObject = {};
  for (const probe of probes) {
    if (probe.kind === 'map') setIn(override, [...probe.path, PROBE_KEY], probe.id);
    else setIn(override, probe.path, [...clone(probe.base), { name: probe.id, mountPath: `/${probe.id}` }]);
  }
  return override;
}

function findSightings(rendered: ReadonlyMap<string, RenderedObject>, probes: ReadonlyMap<string, Probe>): Sighting[] {
  const out: Sighting[] = [];
  for (const [objectKey, { object }] of rendered) {
    const walk = (node: unknown, at: PathSegment[]): void => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => {
          const name = isObject(item) ? item['name'] : undefined;
          const probe = typeof name === 'string' ? probes.get(name) : undefined;
          if (probe?.kind === 'list') out.push({ probe, objectKey, at });
          walk(item, [...at, i]);
        });
      } else if (isObject(node)) {
        const id = node[PROBE_KEY];
        const probe = typeof id === 'string' ? probes.get(id) : undefined;
        if (probe?.kind === 'map') out.push({ probe, objectKey, at });
        for (const [key, value] of Object.entries(node)) walk(value, [...at, key]);
      }
    };
    walk(object, []);
  }
  return out;
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}

/** What the planned object has at the edit's path, as a value to write (null: remove the key). */
function plannedValue(wanted: WantedEdit, target: RenderedObject | undefined): unknown {
  if (wanted.edit.op === 'delete') return null;
  const value = target ? getAt(target.object, wanted.edit.path) : undefined;
  return value === undefined ? null : clone(value);
}

function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 2);
}

/** How well a values path fits an object: words it shares with the object's name, container and template. */
function fitScore(path: readonly string[], wanted: WantedEdit): number {
  const context = new Set(words(`${wanted.ref.name} ${wanted.container ?? ''} ${wanted.helmSource ?? ''}`));
  return path.slice(0, -1).flatMap(words).filter((word) => context.has(word)).length;
}

function candidatesFor(wanted: WantedEdit, input: SearchInput, sightings: readonly Sighting[]): ValueCandidate[] {
  const target = input.target.get(wanted.objectKey);
  const out: ValueCandidate[] = [];
  const path = wanted.edit.path;
  for (const sighting of sightings) {
    if (sighting.objectKey !== wanted.objectKey || !isPrefix(sighting.at, path)) continue;
    const rest = path.slice(sighting.at.length);
    if (rest.some((segment) => typeof segment === 'number')) continue;
    if (sighting.probe.kind === 'map') {
      const valuesPath = [...sighting.probe.path, ...(rest as string[])];
      const value = plannedValue(wanted, target);
      if (rest.length === 0 && !isObject(value)) continue;
      out.push({ key: `set ${pathKey(valuesPath)} ${JSON.stringify(value)}`, path: valuesPath, kind: 'set', value, targets: [wanted.id] });
    } else if (rest.length === 0 && wanted.edit.op !== 'delete') {
      const items = wanted.edit.op === 'append' ? [wanted.edit.value] : Array.isArray(wanted.edit.value) ? wanted.edit.value : [];
      if (!items.length) continue;
      out.push({ key: `append ${pathKey(sighting.probe.path)} ${JSON.stringify(items)}`, path: sighting.probe.path, kind: 'append', value: clone(items), base: sighting.probe.base, targets: [wanted.id] });
    }
  }
  // A scalar field can also be a value of the same name (controller.image.readOnlyRootFilesystem).
  const field = path[path.length - 1];
  const value = plannedValue(wanted, target);
  if (typeof field === 'string' && !isObject(value) && !Array.isArray(value)) {
    const named: Array<{ path: string[]; score: number }> = [];
    walkValues(input.values, (valuesPath, current) => {
      if (valuesPath[valuesPath.length - 1] === field && !isObject(current) && !Array.isArray(current)) named.push({ path: valuesPath, score: fitScore(valuesPath, wanted) });
    });
    named.sort((a, b) => b.score - a.score);
    for (const { path: valuesPath } of named.slice(0, input.maxNameCandidates ?? 6)) {
      out.push({ key: `set ${pathKey(valuesPath)} ${JSON.stringify(value)}`, path: valuesPath, kind: 'set', value, targets: [wanted.id] });
    }
  }
  return out;
}

function conflicts(a: ValueCandidate, b: ValueCandidate): boolean {
  if (a.key === b.key) return false;
  const same = pathKey(a.path) === pathKey(b.path);
  if (same) return !(a.kind === 'append' && b.kind === 'append');
  return isPrefix(a.path, b.path) || isPrefix(b.path, a.path);
}

/** The values file content for a set of candidates: appends to one list are merged. */
export function buildOverride(candidates: readonly ValueCandidate[]): JsonObject {
  const override: JsonObject = {};
  const lists = new Map<string, { path: string[]; items: unknown[] }>();
  for (const candidate of candidates) {
    if (candidate.kind === 'set') {
      setIn(override, candidate.path, clone(candidate.value));
      continue;
    }
    const key = pathKey(candidate.path);
    let list = lists.get(key);
    if (!list) lists.set(key, (list = { path: candidate.path, items: clone(candidate.base ?? []) }));
    for (const item of candidate.value as unknown[]) if (!list.items.some((have) => deepEqual(have, item))) list.items.push(clone(item));
  }
  for (const list of lists.values()) setIn(override, list.path, list.items);
  return override;
}

interface Verdict {
  problems: string[];
  reached: Set<number>;
}

/** Whether a render moved only toward the planned objects, and which wanted edits it carries. */
export function judgeRender(rendered: ReadonlyMap<string, RenderedObject>, input: Pick<SearchInput, 'baseline' | 'target' | 'volatile' | 'wanted'>): Verdict {
  const problems: string[] = [];
  for (const key of input.baseline.keys()) if (!rendered.has(key)) problems.push(`${key.split('|').slice(1).join(' ')} is no longer rendered`);
  for (const key of rendered.keys()) if (!input.baseline.has(key)) problems.push(`${key.split('|').slice(1).join(' ')} is rendered in addition`);
  for (const [key, object] of rendered) {
    const before = input.baseline.get(key);
    const planned = input.target.get(key);
    if (!before || !planned) continue;
    const volatile = input.volatile.get(key);
    for (const leaf of differingLeaves(before.leaves, object.leaves)) {
      if (volatile?.has(leaf)) continue;
      if (object.leaves.get(leaf) !== planned.leaves.get(leaf)) problems.push(`${object.ref.kind} ${object.ref.name}: ${describeLeaf(leaf)} changed to ${object.leaves.get(leaf) ?? '(nothing)'}, not to ${planned.leaves.get(leaf) ?? '(nothing)'}`);
    }
  }
  const reached = new Set<number>();
  for (const wanted of input.wanted) {
    const object = rendered.get(wanted.objectKey);
    const planned = input.target.get(wanted.objectKey);
    if (!object || !planned) continue;
    const volatile = input.volatile.get(wanted.objectKey);
    const leaves = new Set([...planned.leaves.keys(), ...object.leaves.keys()].filter((leaf) => underPrefix(leaf, wanted.prefix) && !volatile?.has(leaf)));
    if ([...leaves].every((leaf) => object.leaves.get(leaf) === planned.leaves.get(leaf))) reached.add(wanted.id);
  }
  return { problems, reached };
}

export async function searchValues(input: SearchInput): Promise<SearchResult> {
  let probeRenders = 0;
  let candidateRenders = 0;
  const tryRender = async (override: JsonObject): Promise<Map<string, RenderedObject> | undefined> => {
    try {
      return await input.render(override);
    } catch {
      // A values change helm refuses (a schema, a template that expects another type) is a candidate that fails.
      return undefined;
    }
  };

  // Probes: where each plausibly named mapping or list lands in the output. A probe helm refuses is dropped by halving.
  const sightings: Sighting[] = [];
  const probeGroup = async (group: Probe[]): Promise<void> => {
    if (!group.length) return;
    probeRenders++;
    const rendered = await tryRender(probeOverride(group));
    if (rendered) {
      sightings.push(...findSightings(rendered, new Map(group.map((probe) => [probe.id, probe]))));
      return;
    }
    if (group.length === 1) return;
    const half = Math.ceil(group.length / 2);
    await probeGroup(group.slice(0, half));
    await probeGroup(group.slice(half));
  };
  await probeGroup(collectProbes(input));

  const queues = new Map<number, ValueCandidate[]>();
  for (const wanted of input.wanted) {
    const seen = new Set<string>();
    queues.set(wanted.id, candidatesFor(wanted, input, sightings).filter((c) => !seen.has(c.key) && seen.add(c.key)));
  }
  const accepted: AcceptedValue[] = [];
  const rejected: Array<{ candidate: ValueCandidate; why: string }> = [];
  // Edits the output already has (an append of a volume the user's values already add) need no value.
  let reached = judgeRender(input.baseline, input).reached;

  const evaluate = async (batch: ValueCandidate[]): Promise<void> => {
    candidateRenders++;
    const rendered = await tryRender(buildOverride([...accepted.map((a) => a.candidate), ...batch]));
    const verdict = rendered ? judgeRender(rendered, input) : undefined;
    if (verdict && verdict.problems.length === 0) {
      for (const candidate of batch) {
        // Alone in its render, a candidate carries every edit that render newly reaches.
        const carries = [...verdict.reached].filter((id) => !reached.has(id) && (batch.length === 1 || candidate.targets.includes(id)));
        if (carries.length) accepted.push({ candidate, carries });
      }
      reached = verdict.reached;
      return;
    }
    if (batch.length === 1) {
      rejected.push({ candidate: batch[0] as ValueCandidate, why: verdict ? (verdict.problems[0] as string) : 'helm could not render the chart with it' });
      return;
    }
    const half = Math.ceil(batch.length / 2);
    await evaluate(batch.slice(0, half));
    await evaluate(batch.slice(half));
  };

  for (;;) {
    const batch: ValueCandidate[] = [];
    for (const wanted of input.wanted) {
      if (reached.has(wanted.id)) continue;
      const queue = queues.get(wanted.id) ?? [];
      while (queue.length) {
        const candidate = queue[0] as ValueCandidate;
        const inBatch = batch.find((other) => other.key === candidate.key);
        if (inBatch) {
          // The same change already carries another edit: it is tried for this one too.
          if (!inBatch.targets.includes(wanted.id)) inBatch.targets.push(wanted.id);
          queue.shift();
          break;
        }
        if (accepted.some((a) => a.candidate.key === candidate.key || conflicts(a.candidate, candidate))) {
          queue.shift();
          continue;
        }
        if (batch.some((other) => conflicts(other, candidate))) break;
        batch.push({ ...candidate, targets: [...candidate.targets] });
        queue.shift();
        break;
      }
    }
    if (!batch.length) break;
    await evaluate(batch);
  }

  // The final render, without the values whose fixes stay incomplete; dropping one may leave another fix
  // incomplete, so this repeats until nothing more is dropped.
  let kept = accepted;
  for (;;) {
    const override = buildOverride(kept.map((a) => a.candidate));
    if (Object.keys(override).length) candidateRenders++;
    const final = Object.keys(override).length ? await input.render(override) : new Map(input.baseline);
    const verdict = judgeRender(final, input);
    if (verdict.problems.length) throw new Error(`the values found change the output in a way the fix did not plan: ${verdict.problems.slice(0, 3).join('; ')}`);
    const incomplete = new Set((input.fixes ?? []).filter((ids) => ids.some((id) => !verdict.reached.has(id))).flat());
    const next = kept.filter((a) => !a.carries.every((id) => incomplete.has(id)));
    if (next.length === kept.length) {
      const whole = new Set([...verdict.reached].filter((id) => !incomplete.has(id)));
      return { accepted: kept, override, reached: whole, final, rejected, probeRenders, candidateRenders };
    }
    kept = next;
  }
}
