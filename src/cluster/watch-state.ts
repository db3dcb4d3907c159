// What the continuous audit (`audit --cluster --watch`) remembers: for each
// object a small record (its reference, owner, a fingerprint of what the rules
// read) and its findings, never the object itself. Controllers keep a skeleton
// (the object without its pod template), because a Pod is audited as its
// top-level controller with the Pod's spec in place of the template, as the
// one-shot audit does. The Pods of one controller that run the same spec share
// one verdict (one audit, one findings list), and a controller owned by another
// one (a Deployment's ReplicaSet) is not audited at all while its owner is
// known: only the top-level controller's findings are reported. Findings are
// grouped the one-shot way when a scope (a namespace, or the cluster) is
// viewed: one per workload, rule, container and field, with the number of Pods
// that have it. Pure: the informers hand the objects over and the caller
// passes the time.
import { createHash } from 'node:crypto';
import { Engine } from '../core/engine.js';
import type { RootlockConfig } from '../core/config.js';
import { IGNORE_ANNOTATION } from '../core/exemptions.js';
import { isObject } from '../core/path.js';
import type { InputIndex, RuleDefinition } from '../core/rule.js';
import type { Finding, InputError, JsonObject, ObjectReference } from '../core/types.js';
import { BUILTIN_POD_SPEC_LOCATIONS, findPodSpecPath } from '../core/workloads.js';
import { controllerAsPod, findingKey, withValueAt } from './live-audit.js';
import { controllerReference } from './owners.js';
import { apiVersionOf, objectApiReference, WORKLOAD_CONTROLLERS } from './resources.js';
import type { ResourceType } from './resources.js';

/** The scope of cluster-scoped findings (Namespaces); every other scope is a namespace's name. */
export const CLUSTER_SCOPE = '';

/** How a report names the object a result is about. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
}

/**
 * What a report says of a finding: the rule's verdict without the object it
 * is about (the record knows that). Kept once for all the records that have
 * the same one, which across a cluster's workloads is most of them.
 */
export type ReportedFinding = Pick<Finding, 'rule' | 'severity' | 'message' | 'hint' | 'path' | 'container' | 'containerType' | 'fixable' | 'exempted' | 'exemption'>;

/** An interned finding: its key (rule, path, container) and how many verdicts hold it. */
interface Held {
  /** Unique for the life of the state: lists of findings are shared by these, never by a released Held's equal. */
  id: number;
  finding: ReportedFinding;
  key: string;
  /** Every report field, joined: the interning key. */
  identity: string;
  users: number;
}

interface Deferred {
  held: Held;
  unlessInInput: (index: InputIndex) => boolean;
}

/** The rules' verdict on one object, with the time (seconds since the epoch) each finding was first seen. */
interface Judged {
  findings: readonly Held[];
  deferred: readonly Deferred[];
  errors: readonly InputError[];
  /** Parallel to findings, then deferred. */
  since: readonly number[];
}

type Role = 'standalone' | 'controller' | 'pod';

/** An owner reference, flat: one object per record, its strings shared with the owner's own record when it is known. */
interface Owner {
  uid: string;
  /** `apiVersion/kind`. */
  type: string;
  apiVersion: string;
  kind: string;
  name: string;
}

/** A verdict shared by the Pods of one controller whose specs are the same; dropped when its last Pod goes. */
interface SharedVerdict {
  key: string;
  judged: Judged;
  users: number;
}

const NOTHING_JUDGED: Judged = { findings: [], deferred: [], errors: [], since: [] };

interface ObjectRecord {
  role: Role;
  ref: ResourceRef;
  /** Hash of what the rules read (everything but status): a MODIFIED event that changes only status is not re-audited. */
  fingerprint: string;
  /** Controllers and Pods: the controller that owns this object (in the same namespace). */
  owner?: Owner;
  /** Top-level controllers: the object without its pod template, to audit its Pods with. */
  skeleton?: JsonObject;
  /** Controllers: hash of its exemption annotations, which its Pods' findings use. */
  metadataFingerprint?: string;
  /** Controllers owned by a known controller: not audited (their owner is reported), judged when they become top-level. */
  unjudged?: boolean;
  /** Pods: the verdict they share with their controller's other Pods of the same spec. */
  shared?: SharedVerdict;
  judged: Judged;
}

/** One result in a scope's view: a finding on a workload (merged over its Pods), an error, or a clean workload. */
export interface ViewEntry {
  resource: ResourceRef;
  /** The controller that owns the resource when it is not itself audited (a Pod of an unknown controller kind). */
  owner?: ObjectReference;
  findings: Array<{ finding: ReportedFinding; pods?: number; since: number }>;
  errors: InputError[];
}

export interface ChangeEffect {
  /** Scopes whose view may have changed. */
  scopes: Set<string>;
  /** Pods to read again: their controller's metadata changed, and their findings were judged under the old one. */
  refetch: ResourceRef[];
}

export interface WatchStateOptions {
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  today: string;
}

const CONTROLLER_KINDS = new Set(WORKLOAD_CONTROLLERS.map((type) => `${apiVersionOf(type)}/${type.kind}`));

function metadataOf(object: JsonObject): JsonObject {
  return isObject(object['metadata']) ? object['metadata'] : {};
}

function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** 16 characters of a SHA-1 in base64, as a string of its own (a slice of a longer one would keep that alive). */
function short(digest: Buffer): string {
  return digest.toString('base64', 0, 12);
}

function hash(value: unknown): string {
  return short(createHash('sha1').update(JSON.stringify(value) ?? '').digest());
}

/**
 * One copy of equal arrays (a verdict's findings, its first-seen times): the
 * workloads of a cluster are mostly alike. Bounded, as the engine's shared
 * strings are: when full it starts over, and arrays already shared stay so.
 */
class ArrayInterner<T> {
  private readonly known = new Map<string, readonly T[]>();
  constructor(private readonly keyOf: (item: T) => string, private readonly max = 50_000) {}

  get(items: readonly T[]): readonly T[] {
    if (items.length === 0) return EMPTY;
    const key = short(createHash('sha1').update(items.map(this.keyOf).join('\n')).digest());
    const known = this.known.get(key);
    if (known) return known;
    if (this.known.size >= this.max) this.known.clear();
    this.known.set(key, items);
    return items;
  }
}
const EMPTY: readonly never[] = [];

/** The fields of a live object the rules can read: status and managedFields never matter, resourceVersion changes every write. */
function fingerprintOf(object: JsonObject): string {
  const { status: _status, metadata, ...rest } = object;
  const { resourceVersion: _rv, managedFields: _mf, generation: _generation, ...meta } = isObject(metadata) ? metadata : {};
  return hash([rest, meta]);
}

/** The API token volume the ServiceAccount admission plugin adds to every Pod, named with a random suffix. */
const TOKEN_VOLUME = /"kube-api-access-[a-z0-9]{5}"/g;

/**
 * A Pod's spec as JSON, as far as the rules tell its Pods apart: the node it
 * was scheduled to (no rule reads it) and the random suffix of its API token
 * volume's name are left out, so a controller's Pods come out the same.
 */
function podSpecText(spec: unknown): string {
  if (!isObject(spec)) return JSON.stringify(spec ?? null);
  const { nodeName: _node, ...rest } = spec;
  return JSON.stringify(rest).replace(TOKEN_VOLUME, '"kube-api-access"');
}

/** A Pod's fingerprint (everything but status, with its spec as podSpecText) and its spec key (what its verdict as its controller depends on). */
function podHashes(pod: JsonObject): { fingerprint: string; specKey: string } {
  const { status: _status, metadata, spec, ...rest } = pod;
  const { resourceVersion: _rv, managedFields: _mf, generation: _generation, labels, annotations, ...meta } = isObject(metadata) ? metadata : {};
  const specText = podSpecText(spec);
  const labelText = JSON.stringify([labels ?? null, annotations ?? null]);
  return {
    fingerprint: short(createHash('sha1').update(specText).update(labelText).update(JSON.stringify([rest, meta])).digest()),
    specKey: short(createHash('sha1').update(specText).update(labelText).digest()),
  };
}

/** One copy of each of the few strings that repeat across records (kinds, API versions, namespaces). */
const interned = new Map<string, string>();
function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < 100_000) interned.set(value, value);
  return value;
}

export function resourceRefOf(object: JsonObject): ResourceRef | undefined {
  const metadata = metadataOf(object);
  const apiVersion = stringField(object, 'apiVersion');
  const kind = stringField(object, 'kind');
  const name = stringField(metadata, 'name');
  const uid = stringField(metadata, 'uid');
  if (!apiVersion || !kind || !name || !uid) return undefined;
  const namespace = stringField(metadata, 'namespace');
  return { apiVersion: intern(apiVersion), kind: intern(kind), name, uid, ...(namespace !== undefined ? { namespace: intern(namespace) } : {}) };
}

function scopeOf(ref: ResourceRef): string {
  return ref.namespace ?? CLUSTER_SCOPE;
}

/**
 * What of a controller's own metadata its Pods' findings depend on: its
 * exemption annotations (its name and namespace never change). Not the rest:
 * a Deployment's revision annotation changes with every rollout.
 */
function exemptionFingerprint(controller: JsonObject): string {
  const annotations = metadataOf(controller)['annotations'];
  const exemptions = isObject(annotations) ? Object.entries(annotations).filter(([key]) => key.startsWith(IGNORE_ANNOTATION)).sort() : [];
  return exemptions.length ? hash(exemptions) : '';
}

/**
 * A controller without its pod template: enough to audit its Pods as the
 * controller. Of its metadata only what a finding can depend on stays: its
 * name and namespace (findings and .rootlock.yaml exemptions name them) and
 * its exemption annotations; not its labels, nor annotations such as
 * kubectl's last-applied-configuration, a second copy of the whole object.
 */
function skeletonOf(controller: JsonObject): JsonObject {
  const specPath = findPodSpecPath(controller, BUILTIN_POD_SPEC_LOCATIONS);
  const metadata = metadataOf(controller);
  const annotations = isObject(metadata['annotations']) ? Object.entries(metadata['annotations']).filter(([key]) => key.startsWith(IGNORE_ANNOTATION)) : [];
  const slim: JsonObject = {
    ...(metadata['name'] !== undefined ? { name: metadata['name'] } : {}),
    ...(metadata['namespace'] !== undefined ? { namespace: metadata['namespace'] } : {}),
    ...(annotations.length ? { annotations: Object.fromEntries(annotations) } : {}),
  };
  const slimmed = { ...controller, metadata: slim };
  if (!specPath || specPath.length < 2) return slimmed;
  return withValueAt(slimmed, specPath.slice(0, -1), { spec: {} });
}

export class WatchState {
  private readonly engine: Engine;
  private readonly records = new Map<string, ObjectRecord>();
  /** scope -> uids of the records in it. */
  private readonly byScope = new Map<string, Set<string>>();
  /** Controllers that own a controller which arrived first and was audited: when they come, it need not be any more. */
  private readonly awaitedOwners = new Set<string>();
  private readonly findingLists = new ArrayInterner<Held>((held) => String(held.id));
  private nextHeld = 0;
  private readonly sinceLists = new ArrayInterner<number>(String);
  /** Interned findings, by their identity (every report field). */
  private readonly held = new Map<string, Held>();
  /** Verdicts shared by Pods: top-level controller uid, its metadata and the Pod's spec key -> the verdict. */
  private readonly shared = new Map<string, SharedVerdict>();
  /** `namespace/name` of ServiceAccounts -> their automountServiceAccountToken, for the rules' held-back findings. */
  private readonly index: InputIndex = { serviceAccounts: new Map() };
  /** Pods whose controller (a kind rootlock lists) has not arrived yet: kept whole until it does, or until expirePending. */
  private readonly pending = new Map<string, { pod: JsonObject; since: number }>();
  /** False while Pods cannot be listed: a pod count would then be a guess. */
  podsListed = true;

  constructor(options: WatchStateOptions) {
    this.engine = new Engine({ rules: options.rules, config: options.config, today: options.today, keepEdits: false });
  }

  get size(): number {
    return this.records.size;
  }

  get pendingPods(): number {
    return this.pending.size;
  }

  /** How many verdicts the Pods share (each is one audit): the benchmark reports it. */
  get sharedVerdicts(): number {
    return this.shared.size;
  }

  /** Audits an added or changed object; `now` is seconds since the epoch, the time a new finding is first seen. */
  upsert(object: JsonObject, now: number): ChangeEffect {
    const effect: ChangeEffect = { scopes: new Set(), refetch: [] };
    const ref = resourceRefOf(object);
    if (!ref) return effect;
    const isPod = ref.kind === 'Pod' && ref.apiVersion === 'v1';
    const hashes = isPod ? podHashes(object) : { fingerprint: fingerprintOf(object), specKey: '' };
    const previous = this.records.get(ref.uid);
    if (previous && previous.fingerprint === hashes.fingerprint) return effect;
    const typeKey = `${ref.apiVersion}/${ref.kind}`;
    if (isPod) this.upsertPod(object, ref, hashes, now, effect);
    else if (CONTROLLER_KINDS.has(typeKey)) this.upsertController(object, ref, hashes.fingerprint, now, effect, previous);
    else this.upsertStandalone(object, ref, hashes.fingerprint, now, effect);
    return effect;
  }

  /** Forgets a deleted object. */
  remove(object: JsonObject): ChangeEffect {
    const effect: ChangeEffect = { scopes: new Set(), refetch: [] };
    const ref = resourceRefOf(object);
    if (!ref) return effect;
    this.pending.delete(ref.uid);
    const record = this.records.get(ref.uid);
    if (ref.kind === 'ServiceAccount' && ref.apiVersion === 'v1') {
      this.index.serviceAccounts.delete(`${ref.namespace ?? ''}/${ref.name}`);
      effect.scopes.add(scopeOf(ref));
    }
    if (!record) return effect;
    // An owner it waited for may never come (RBAC may hide its kind): a sibling that still waits only keeps a verdict it need not.
    if (record.owner) this.awaitedOwners.delete(record.owner.uid);
    this.unstore(record);
    effect.scopes.add(scopeOf(record.ref));
    // Controllers it owned that were not audited are top-level now (an orphaning delete): read them again to judge them.
    for (const child of this.ownedBy(record)) if (child.unjudged) this.askAgain(child, effect);
    return effect;
  }

  /**
   * After a re-list: forgets the objects of `type` (in `namespace`, or all)
   * that the new list no longer has, since their DELETED events were missed.
   */
  retainOnly(type: ResourceType, uids: ReadonlySet<string>, namespace?: string): ChangeEffect {
    const effect: ChangeEffect = { scopes: new Set(), refetch: [] };
    const apiVersion = apiVersionOf(type);
    const gone: ResourceRef[] = [];
    for (const record of this.records.values()) {
      const ref = record.ref;
      if (ref.apiVersion !== apiVersion || ref.kind !== type.kind || uids.has(ref.uid)) continue;
      if (namespace !== undefined && ref.namespace !== namespace) continue;
      gone.push(ref);
    }
    for (const [uid, { pod }] of this.pending) {
      if (type.kind === 'Pod' && !uids.has(uid) && (namespace === undefined || metadataOf(pod)['namespace'] === namespace)) this.pending.delete(uid);
    }
    for (const ref of gone) {
      const removed = this.remove({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, uid: ref.uid, ...(ref.namespace !== undefined ? { namespace: ref.namespace } : {}) } });
      for (const scope of removed.scopes) effect.scopes.add(scope);
      effect.refetch.push(...removed.refetch);
    }
    return effect;
  }

  /** Audits Pods whose controller has not shown up within `maxAgeSeconds` as workloads of their own. */
  expirePending(now: number, maxAgeSeconds: number): ChangeEffect {
    const effect: ChangeEffect = { scopes: new Set(), refetch: [] };
    for (const [uid, { pod, since }] of [...this.pending]) {
      if (now - since < maxAgeSeconds) continue;
      this.pending.delete(uid);
      const ref = resourceRefOf(pod);
      if (ref) this.auditPod(pod, ref, podHashes(pod), now, effect, true);
    }
    return effect;
  }

  /** Scopes that hold anything. */
  scopes(): string[] {
    return [...this.byScope.keys()];
  }

  /** What a scope's report says: one entry per workload or standalone object, findings merged over a controller's Pods. */
  view(scope: string): ViewEntry[] {
    const uids = this.byScope.get(scope);
    if (!uids) return [];
    const entries = new Map<string, { entry: ViewEntry; merged: Map<string, { finding: ReportedFinding; pods: number; lastPod: string; since: number; fromTemplate: boolean }> }>();
    const entryFor = (record: ObjectRecord) => {
      let slot = entries.get(record.ref.uid);
      if (!slot) {
        slot = { entry: { resource: record.ref, findings: [], errors: [] }, merged: new Map() };
        if (record.role === 'pod' && record.owner) slot.entry.owner = { apiVersion: record.owner.apiVersion, kind: record.owner.kind, name: record.owner.name, ...(record.ref.namespace !== undefined ? { namespace: record.ref.namespace } : {}) };
        entries.set(record.ref.uid, slot);
      }
      return slot;
    };
    for (const uid of uids) {
      const record = this.records.get(uid);
      if (!record) continue;
      const root = this.rootOf(record);
      if (record.role === 'controller' && root !== record) continue;
      const slot = entryFor(root);
      const judged = record.judged;
      if (judged.errors.length) slot.entry.errors.push(...judged.errors);
      const isPodOfController = record.role === 'pod' && root !== record;
      const add = (held: Held, since: number) => {
        const existing = slot.merged.get(held.key);
        if (!existing) slot.merged.set(held.key, { finding: held.finding, pods: isPodOfController ? 1 : 0, lastPod: isPodOfController ? uid : '', since, fromTemplate: !isPodOfController });
        else {
          // A Pod counts once per key, even if a rule reported the same field twice.
          if (isPodOfController && existing.lastPod !== uid) {
            existing.pods++;
            existing.lastPod = uid;
          }
          // The template's wording wins, as in the one-shot audit.
          else if (!isPodOfController && !existing.fromTemplate) Object.assign(existing, { finding: held.finding, fromTemplate: true });
          existing.since = Math.min(existing.since, since);
        }
      };
      judged.findings.forEach((held, i) => add(held, judged.since[i] ?? 0));
      judged.deferred.forEach((d, i) => {
        if (!d.unlessInInput(this.index)) add(d.held, judged.since[judged.findings.length + i] ?? 0);
      });
    }
    const result: ViewEntry[] = [];
    for (const { entry, merged } of entries.values()) {
      const root = this.records.get(entry.resource.uid);
      const counted = this.podsListed && root?.role === 'controller';
      for (const { finding, pods, since } of merged.values()) entry.findings.push({ finding, since, ...(counted ? { pods } : {}) });
      result.push(entry);
    }
    return result;
  }

  private judge(value: JsonObject, now: number, previous: Judged | undefined): Judged {
    const audited = this.engine.audit({ file: objectApiReference(value), value });
    const deferred = this.engine.takeDeferred();
    const firstSeen = new Map<string, number>();
    if (previous) [...previous.findings, ...previous.deferred.map((d) => d.held)].forEach((held, i) => firstSeen.set(held.key, previous.since[i] ?? now));
    const findings = audited.findings.map((finding) => this.hold(finding));
    const held = deferred.map((d) => ({ held: this.hold(d.finding), unlessInInput: d.unlessInInput }));
    const since = [...findings, ...held.map((d) => d.held)].map((h) => firstSeen.get(h.key) ?? now);
    return { findings: this.findingLists.get(findings), deferred: held.length ? held : EMPTY, errors: audited.errors.length ? audited.errors : EMPTY, since: this.sinceLists.get(since) };
  }

  /** The one copy of this finding's report fields. */
  private hold(finding: Finding): Held {
    const reported: ReportedFinding = {
      rule: finding.rule, severity: finding.severity, message: finding.message, hint: finding.hint, path: finding.path,
      ...(finding.container !== undefined ? { container: finding.container } : {}),
      ...(finding.containerType !== undefined ? { containerType: finding.containerType } : {}),
      fixable: finding.fixable, exempted: finding.exempted,
      ...(finding.exemption ? { exemption: finding.exemption } : {}),
    };
    // Cheaper than JSON.stringify; \0 appears in none of these fields.
    const identity = [finding.rule, finding.severity, finding.message, finding.hint, finding.path, finding.container ?? '\u0001', finding.containerType ?? '', finding.fixable, finding.exempted, finding.exemption ? JSON.stringify(finding.exemption) : ''].join('\0');
    let held = this.held.get(identity);
    if (!held) this.held.set(identity, (held = { id: this.nextHeld++, finding: reported, key: findingKey(finding), identity, users: 0 }));
    held.users++;
    return held;
  }

  /** Lets go of a verdict that no record uses any more. */
  private release(judged: Judged): void {
    if (judged === NOTHING_JUDGED) return;
    for (const held of [...judged.findings, ...judged.deferred.map((d) => d.held)]) {
      if (--held.users === 0) this.held.delete(held.identity);
    }
  }

  private store(record: ObjectRecord, effect: ChangeEffect): void {
    const previous = this.records.get(record.ref.uid);
    if (previous) this.unstore(previous);
    const scope = scopeOf(record.ref);
    this.records.set(record.ref.uid, record);
    let uids = this.byScope.get(scope);
    if (!uids) this.byScope.set(scope, (uids = new Set()));
    uids.add(record.ref.uid);
    effect.scopes.add(scope);
  }

  /** Takes a record out of every index. */
  private unstore(record: ObjectRecord): void {
    const uid = record.ref.uid;
    this.records.delete(uid);
    const scope = scopeOf(record.ref);
    this.byScope.get(scope)?.delete(uid);
    if (this.byScope.get(scope)?.size === 0) this.byScope.delete(scope);
    if (!record.shared) this.release(record.judged);
    else if (--record.shared.users === 0) {
      this.shared.delete(record.shared.key);
      this.release(record.shared.judged);
    }
  }

  /** The records `owner` controls directly: owners and what they own share a namespace, so its scope is all there is to search. */
  private *ownedBy(owner: ObjectRecord | undefined): Generator<ObjectRecord> {
    if (!owner) return;
    for (const uid of this.byScope.get(scopeOf(owner.ref)) ?? []) {
      const record = this.records.get(uid);
      if (record?.owner?.uid === owner.ref.uid) yield record;
    }
  }

  /** Marks a record as judged under what has changed, so that reading it again re-audits it. */
  private askAgain(record: ObjectRecord, effect: ChangeEffect): void {
    record.fingerprint = '';
    effect.refetch.push(record.ref);
  }

  private upsertStandalone(object: JsonObject, ref: ResourceRef, fingerprint: string, now: number, effect: ChangeEffect): void {
    if (ref.kind === 'ServiceAccount' && ref.apiVersion === 'v1') {
      this.index.serviceAccounts.set(`${ref.namespace ?? ''}/${ref.name}`, object['automountServiceAccountToken']);
    }
    const previous = this.records.get(ref.uid);
    this.store({ role: 'standalone', ref, fingerprint, judged: this.judge(object, now, previous?.judged) }, effect);
  }

  private ownerOf(object: JsonObject): Owner | undefined {
    const reference = controllerReference(object);
    if (!reference) return undefined;
    const apiVersion = intern(reference.apiVersion);
    const kind = intern(reference.kind);
    // The owner's record holds the same uid and name: point at its strings rather than keep copies.
    const known = this.records.get(reference.uid)?.ref;
    const same = known && known.name === reference.name;
    return { uid: same ? known.uid : reference.uid, type: intern(`${apiVersion}/${kind}`), apiVersion, kind, name: same ? known.name : reference.name };
  }

  /** The known controller that owns `owner`'s uid, in the same namespace: the record is then reported under it. */
  private ownedByKnown(ref: ResourceRef, owner: Owner | undefined): boolean {
    const known = owner ? this.records.get(owner.uid) : undefined;
    return known !== undefined && known.role === 'controller' && known.ref.namespace === ref.namespace;
  }

  private upsertController(object: JsonObject, ref: ResourceRef, fingerprint: string, now: number, effect: ChangeEffect, previous: ObjectRecord | undefined): void {
    const skeleton = skeletonOf(object);
    const metadataFingerprint = exemptionFingerprint(skeleton);
    const owner = this.ownerOf(object);
    // Its owner is reported with its own template; auditing this one too would only be thrown away.
    const unjudged = this.ownedByKnown(ref, owner);
    if (owner && !unjudged && CONTROLLER_KINDS.has(owner.type)) this.awaitedOwners.add(owner.uid);
    this.store({
      role: 'controller',
      ref,
      fingerprint,
      // An owned controller's Pods are audited as its owner; it is read again if it is ever orphaned.
      ...(unjudged ? {} : { skeleton }),
      metadataFingerprint,
      ...(owner ? { owner } : {}),
      ...(unjudged ? { unjudged } : {}),
      judged: unjudged ? NOTHING_JUDGED : this.judge(object, now, previous?.judged),
    }, effect);
    // Controllers it owns that were audited before it arrived (lists of two kinds race) need no verdict of their own.
    const awaited = !previous && this.awaitedOwners.delete(ref.uid);
    for (const child of awaited ? this.ownedBy(this.records.get(ref.uid)) : []) {
      if (child.role === 'controller' && !child.unjudged) {
        this.release(child.judged);
        delete child.skeleton;
        child.unjudged = true;
        child.judged = NOTHING_JUDGED;
      }
    }
    if (previous?.metadataFingerprint !== undefined && previous.metadataFingerprint !== metadataFingerprint) {
      // Annotations (exemptions) and labels of a controller are part of every Pod's audit under it.
      const me = this.records.get(ref.uid);
      for (const uid of this.byScope.get(scopeOf(ref)) ?? []) {
        const record = this.records.get(uid);
        if (record?.role === 'pod' && me && this.rootOf(record) === me) this.askAgain(record, effect);
      }
    }
    // Pods that waited for this controller.
    for (const [uid, { pod }] of [...this.pending]) {
      if (this.ownerOf(pod)?.uid !== ref.uid) continue;
      this.pending.delete(uid);
      const podRef = resourceRefOf(pod);
      if (podRef) this.auditPod(pod, podRef, podHashes(pod), now, effect, false);
    }
  }

  private upsertPod(pod: JsonObject, ref: ResourceRef, hashes: { fingerprint: string; specKey: string }, now: number, effect: ChangeEffect): void {
    const owner = this.ownerOf(pod);
    if (owner && CONTROLLER_KINDS.has(owner.type) && !this.records.has(owner.uid) && !this.records.has(ref.uid)) {
      // Its controller's event is on another watch and may come a moment later.
      this.pending.set(ref.uid, { pod, since: now });
      return;
    }
    this.auditPod(pod, ref, hashes, now, effect, false);
  }

  private auditPod(pod: JsonObject, ref: ResourceRef, hashes: { fingerprint: string; specKey: string }, now: number, effect: ChangeEffect, ownerMissing: boolean): void {
    const owner = this.ownerOf(pod);
    const previous = this.records.get(ref.uid);
    const record: ObjectRecord = { role: 'pod', ref, fingerprint: hashes.fingerprint, ...(owner ? { owner } : {}), judged: NOTHING_JUDGED };
    const root = ownerMissing ? record : this.rootOf(record);
    if (root === record || !root.skeleton) {
      // A Pod reported as itself: its name and metadata are part of its findings, so it shares nothing.
      record.judged = this.judge(pod, now, previous?.judged);
      this.store(record, effect);
      return;
    }
    const key = `${root.ref.uid} ${root.metadataFingerprint ?? ''} ${hashes.specKey}`;
    let shared = this.shared.get(key);
    if (!shared) {
      const asController = controllerAsPod(root.skeleton, pod);
      shared = { key, users: 0, judged: this.judge(asController ?? pod, now, previous?.judged) };
      this.shared.set(key, shared);
    }
    // Counted before store(), which releases the previous record's hold on a verdict that may be this one.
    shared.users++;
    record.shared = shared;
    record.judged = shared.judged;
    this.store(record, effect);
  }

  /** The top-level controller a record is reported under, following owners through the controllers that are known. */
  private rootOf(record: ObjectRecord): ObjectRecord {
    const seen = new Set<ObjectRecord>([record]);
    let current = record;
    for (;;) {
      const owner = current.owner ? this.records.get(current.owner.uid) : undefined;
      if (!owner || owner.role !== 'controller' || owner.ref.namespace !== current.ref.namespace || seen.has(owner)) return current;
      seen.add(owner);
      current = owner;
    }
  }
}
