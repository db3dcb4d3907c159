// Runs the engine over live objects and reports each finding once per
// workload. A controller is audited twice over: its pod template (what it
// will create) and each of its Pods as the API server stored them (what runs,
// after admission webhooks injected sidecars or `kubectl debug` added an
// ephemeral container). Each Pod is audited as its top-level controller with
// the Pod's spec in place of the template, so exemptions, names and field
// paths are the controller's, and findings that are the same rule, container
// and field collapse into one with the number of Pods that have it.
// Pure: no I/O; the lister hands the objects over.
import type { AuditResult, Engine } from '../core/engine.js';
import { isObject } from '../core/path.js';
import type { Finding, InputError, JsonObject, Notice, Path } from '../core/types.js';
import { BUILTIN_POD_SPEC_LOCATIONS, findPodSpecPath } from '../core/workloads.js';
import type { WorkloadGroup } from './owners.js';
import { objectApiReference } from './resources.js';

export interface LiveObjects {
  /** Objects reported as themselves: Namespaces, ServiceAccounts. */
  standalone: readonly JsonObject[];
  groups: readonly WorkloadGroup[];
  /** False when the Pods of a namespace could not be listed: a pod count there would be a guess. */
  podsListed: (namespace: string | undefined) => boolean;
}

interface Unit {
  /** The object findings of this unit are reported on. */
  reportAs: JsonObject;
  group?: WorkloadGroup;
  /** Set for a Pod audited in its controller's place. */
  pod?: JsonObject;
}

/** A copy of `object` with `value` at `path`, copying only the objects along the path. */
export function withValueAt(object: JsonObject, path: Path, value: unknown): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined || typeof head === 'number') return object;
  const child = object[head];
  return { ...object, [head]: rest.length === 0 ? value : withValueAt(isObject(child) ? child : {}, rest, value) };
}

/** The controller as this Pod runs it: the Pod's spec, labels and annotations in place of the template's. */
export function controllerAsPod(controller: JsonObject, pod: JsonObject): JsonObject | undefined {
  const specPath = findPodSpecPath(controller, BUILTIN_POD_SPEC_LOCATIONS);
  if (!specPath || specPath.length < 2 || !isObject(pod['spec'])) return undefined;
  const podMetadata = isObject(pod['metadata']) ? pod['metadata'] : {};
  const templateMetadata = {
    ...(isObject(podMetadata['labels']) ? { labels: podMetadata['labels'] } : {}),
    ...(isObject(podMetadata['annotations']) ? { annotations: podMetadata['annotations'] } : {}),
  };
  const withSpec = withValueAt(controller, specPath, pod['spec']);
  return withValueAt(withSpec, [...specPath.slice(0, -1), 'metadata'], templateMetadata);
}

export function findingKey(finding: Finding): string {
  return JSON.stringify([finding.rule, finding.path, finding.containerType ?? '', finding.container ?? '']);
}

function namespaceOf(object: JsonObject): string | undefined {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  return typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
}

/** Audits live objects; call once per run (it calls engine.finish()). */
export function auditLiveObjects(engine: Engine, objects: LiveObjects, configFile?: string): AuditResult {
  const units = new Map<string, Unit>();
  const raw: AuditResult = { findings: [], errors: [], notices: [] };
  const run = (value: JsonObject, unit: Unit) => {
    // The unit's id travels through the engine as the file name and is replaced below.
    const id = `unit:${units.size}`;
    units.set(id, unit);
    const result = engine.audit({ file: id, value });
    raw.findings.push(...result.findings);
    raw.errors.push(...result.errors);
    raw.notices.push(...result.notices);
  };

  for (const object of objects.standalone) run(object, { reportAs: object });
  for (const group of objects.groups) {
    run(group.root, { reportAs: group.root, group });
    for (const pod of group.pods) {
      const asPod = controllerAsPod(group.root, pod);
      if (asPod) run(asPod, { reportAs: group.root, group, pod });
    }
  }
  const last = engine.finish(configFile);
  raw.findings.push(...last.findings);
  raw.notices.push(...last.notices);

  const result: AuditResult = { findings: [], errors: [], notices: [] };
  const unitOf = (file: string): Unit | undefined => units.get(file);
  const fileOf = (file: string): string => {
    const unit = unitOf(file);
    return unit ? objectApiReference(unit.reportAs) : file;
  };

  // Controllers: one finding per rule, container and field, counting the Pods that have it.
  const merged = new Map<WorkloadGroup, Map<string, { finding: Finding; fromTemplate: boolean; pods: Set<JsonObject> }>>();
  for (const finding of raw.findings) {
    const unit = unitOf(finding.file);
    if (!unit) {
      result.findings.push(finding);
      continue;
    }
    const group = unit.group;
    const owner = group?.owner ? { owner: group.owner } : {};
    const reported: Finding = { ...finding, file: objectApiReference(unit.reportAs), ...owner };
    if (!group || group.root['kind'] === 'Pod') {
      result.findings.push(reported);
      continue;
    }
    const byKey = merged.get(group) ?? new Map();
    merged.set(group, byKey);
    const key = findingKey(finding);
    const entry = byKey.get(key);
    if (!entry) byKey.set(key, { finding: reported, fromTemplate: !unit.pod, pods: new Set(unit.pod ? [unit.pod] : []) });
    else {
      if (unit.pod) entry.pods.add(unit.pod);
      // The template's wording wins: it is what `rootlock fix` and the manifest would change.
      else if (!entry.fromTemplate) Object.assign(entry, { finding: reported, fromTemplate: true });
    }
  }
  for (const [group, byKey] of merged) {
    const counted = objects.podsListed(namespaceOf(group.root));
    for (const { finding, pods } of byKey.values()) result.findings.push(counted ? { ...finding, pods: pods.size } : finding);
  }

  const seen = new Set<string>();
  const once = <T extends InputError | Notice>(item: T, into: T[]) => {
    const moved = { ...item, file: fileOf(item.file) };
    const key = JSON.stringify([moved.file, moved.code, moved.message]);
    if (seen.has(key)) return;
    seen.add(key);
    into.push(moved);
  };
  for (const error of raw.errors) once(error, result.errors);
  for (const notice of raw.notices) once(notice, result.notices);
  return result;
}
