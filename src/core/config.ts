// `.rootlock.yaml`: severity overrides, disabled rules, exemptions with reasons
// and expiry, extra image knowledge and pod spec paths for custom kinds.
// Validation is strict: an unknown key or a wrong type is an error with the
// field path, which the CLI turns into file:line:column.
import { parseDottedPath } from './path.js';
import type { ImageKnowledge } from '../knowledge/images.js';
import type { PodSpecLocation } from './workloads.js';
import { SEVERITIES } from './types.js';
import type { Path, Severity } from './types.js';

/** Accepted drift (`drift.allow` in .rootlock.yaml): paths and globs per image, each with a reason. */
export interface DriftAllowEntry {
  /** Image globs (reference or sha256 digest); empty or absent: every image. */
  images?: string[];
  /** Container path globs: * within a path segment, ** across segments, ? one character. */
  paths: string[];
  reason: string;
  /** Index in the config's drift.allow list, for messages. */
  index: number;
}

export interface Exemption {
  rules: string[] | '*';
  namespaces?: string[];
  kinds?: string[];
  names?: string[];
  images?: string[];
  containers?: string[];
  reason: string;
  /** ISO date (YYYY-MM-DD); the exemption stops applying after this day. */
  expires?: string;
  /** Index in the config's exemptions list, for messages. */
  index: number;
}

/** Not changed once loaded: engines keep what they derive from a config (enabled rules, pod spec locations, image knowledge) for as long as it lives. */
export interface RootlockConfig {
  severities: Map<string, Severity>;
  disabledRules: Set<string>;
  exemptions: Exemption[];
  images: ImageKnowledge[];
  podSpecPaths: PodSpecLocation[];
  failOn?: Severity;
  /** `fix` settings. */
  fix: { defaultWritablePaths: string[] };
  /** `drift` settings: changes accepted at runtime, per image, with reasons. */
  drift: { allow: DriftAllowEntry[] };
}

/** What `fix` mounts for images the knowledge base does not know. */
export const DEFAULT_UNKNOWN_IMAGE_WRITABLE_PATHS = ['/tmp'];

export function emptyConfig(): RootlockConfig {
  return { severities: new Map(), disabledRules: new Set(), exemptions: [], images: [], podSpecPaths: [], fix: { defaultWritablePaths: [...DEFAULT_UNKNOWN_IMAGE_WRITABLE_PATHS] }, drift: { allow: [] } };
}

export interface ConfigProblem {
  path: Path;
  message: string;
}

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  readonly problems: ConfigProblem[] = [];
  problem(path: Path, message: string): void {
    this.problems.push({ path, message });
  }
  keys(value: Record<string, Json>, path: Path, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.problem([...path, key], `unknown key "${key}"; expected one of ${allowed.join(', ')}`);
    }
  }
  stringList(value: Json, path: Path): string[] | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.problem(path, 'must be a list of strings');
      return undefined;
    }
    return value as string[];
  }
  string(value: Json, path: Path): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.problem(path, 'must be a string');
      return undefined;
    }
    return value;
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Validates a parsed config document. `knownRules` guards against typos in
 * rule ids, which would otherwise silently exempt nothing.
 */
export function readConfig(raw: Json, knownRules: ReadonlySet<string>): { config: RootlockConfig; problems: ConfigProblem[] } {
  const config = emptyConfig();
  const r = new Reader();
  if (raw === null || raw === undefined) return { config, problems: [] };
  if (!isRecord(raw)) return { config, problems: [{ path: [], message: 'config must be a mapping' }] };
  r.keys(raw, [], ['rules', 'exemptions', 'images', 'podSpecPaths', 'failOn', 'fix', 'drift']);

  const fix = raw['fix'];
  if (fix !== undefined) {
    if (!isRecord(fix)) r.problem(['fix'], 'must be a mapping');
    else {
      r.keys(fix, ['fix'], ['defaultWritablePaths']);
      const paths = r.stringList(fix['defaultWritablePaths'], ['fix', 'defaultWritablePaths']);
      paths?.forEach((p, i) => {
        if (!p.startsWith('/')) r.problem(['fix', 'defaultWritablePaths', i], 'must be an absolute path');
      });
      if (paths) config.fix.defaultWritablePaths = paths;
    }
  }

  const drift = raw['drift'];
  if (drift !== undefined) {
    if (!isRecord(drift)) r.problem(['drift'], 'must be a mapping');
    else {
      r.keys(drift, ['drift'], ['allow']);
      const allow = drift['allow'];
      if (allow !== undefined && !Array.isArray(allow)) r.problem(['drift', 'allow'], 'must be a list');
      else (allow ?? []).forEach((entry: Json, index: number) => {
        const path = ['drift', 'allow', index];
        if (!isRecord(entry)) return r.problem(path, 'must be a mapping');
        r.keys(entry, path, ['images', 'paths', 'reason']);
        const paths = r.stringList(entry['paths'], [...path, 'paths']);
        if (!paths || paths.length === 0) return r.problem([...path, 'paths'], 'needs at least one container path or glob');
        paths.forEach((p, i) => {
          if (!p.startsWith('/') && !p.startsWith('**')) r.problem([...path, 'paths', i], 'must be an absolute container path or glob');
        });
        const reason = r.string(entry['reason'], [...path, 'reason']);
        if (reason === undefined || reason.trim() === '') return r.problem([...path, 'reason'], 'every allowed drift needs a reason');
        const images = r.stringList(entry['images'], [...path, 'images']);
        config.drift.allow.push({ paths, reason, index, ...(images ? { images } : {}) });
      });
    }
  }

  const checkRule = (id: string, path: Path): boolean => {
    if (!knownRules.has(id)) {
      r.problem(path, `unknown rule "${id}"`);
      return false;
    }
    return true;
  };

  if (raw['failOn'] !== undefined) {
    if (SEVERITIES.includes(raw['failOn'] as Severity)) config.failOn = raw['failOn'] as Severity;
    else r.problem(['failOn'], `must be one of ${SEVERITIES.join(', ')}`);
  }

  const rules = raw['rules'];
  if (rules !== undefined) {
    if (!isRecord(rules)) r.problem(['rules'], 'must be a mapping of rule id to settings');
    else {
      for (const [id, setting] of Object.entries(rules)) {
        const path = ['rules', id];
        if (!checkRule(id, path)) continue;
        if (setting === 'off' || setting === false) config.disabledRules.add(id);
        else if (typeof setting === 'string' && SEVERITIES.includes(setting as Severity)) config.severities.set(id, setting as Severity);
        else if (isRecord(setting)) {
          r.keys(setting, path, ['severity', 'enabled']);
          if (setting['enabled'] === false) config.disabledRules.add(id);
          else if (setting['enabled'] !== undefined && setting['enabled'] !== true) r.problem([...path, 'enabled'], 'must be true or false');
          if (setting['severity'] !== undefined) {
            if (SEVERITIES.includes(setting['severity'] as Severity)) config.severities.set(id, setting['severity'] as Severity);
            else r.problem([...path, 'severity'], `must be one of ${SEVERITIES.join(', ')}`);
          }
        } else r.problem(path, `must be "off", a severity (${SEVERITIES.join(', ')}) or a mapping with severity/enabled`);
      }
    }
  }

  const exemptions = raw['exemptions'];
  if (exemptions !== undefined) {
    if (!Array.isArray(exemptions)) r.problem(['exemptions'], 'must be a list');
    else exemptions.forEach((entry: Json, index) => {
      const path = ['exemptions', index];
      if (!isRecord(entry)) return r.problem(path, 'must be a mapping');
      r.keys(entry, path, ['rules', 'namespaces', 'kinds', 'names', 'images', 'containers', 'reason', 'expires']);
      let ruleIds: string[] | '*' = '*';
      if (entry['rules'] !== '*' && entry['rules'] !== undefined) {
        const list = r.stringList(entry['rules'], [...path, 'rules']);
        if (list) {
          list.forEach((id, i) => checkRule(id, [...path, 'rules', i]));
          ruleIds = list.includes('*') ? '*' : list;
        }
      }
      const reason = r.string(entry['reason'], [...path, 'reason']);
      if (reason === undefined || reason.trim() === '') r.problem([...path, 'reason'], 'every exemption needs a reason');
      let expires: string | undefined;
      if (entry['expires'] !== undefined) {
        const value = entry['expires'];
        if (typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))) expires = value;
        else r.problem([...path, 'expires'], 'must be a date written YYYY-MM-DD');
      }
      const exemption: Exemption = { rules: ruleIds, reason: reason ?? '', index };
      for (const field of ['namespaces', 'kinds', 'names', 'images', 'containers'] as const) {
        const list = r.stringList(entry[field], [...path, field]);
        if (list) exemption[field] = list;
      }
      if (expires !== undefined) exemption.expires = expires;
      config.exemptions.push(exemption);
    });
  }

  const images = raw['images'];
  if (images !== undefined) {
    if (!Array.isArray(images)) r.problem(['images'], 'must be a list');
    else images.forEach((entry: Json, index) => {
      const path = ['images', index];
      if (!isRecord(entry)) return r.problem(path, 'must be a mapping');
      r.keys(entry, path, ['match', 'writablePaths', 'runAsUser', 'capabilities', 'notes', 'source']);
      const match = r.stringList(entry['match'], [...path, 'match']);
      if (!match || match.length === 0) return r.problem([...path, 'match'], 'needs at least one image pattern');
      const writable = r.stringList(entry['writablePaths'] ?? [], [...path, 'writablePaths']) ?? [];
      writable.forEach((p, i) => {
        if (!p.startsWith('/')) r.problem([...path, 'writablePaths', i], 'must be an absolute path');
      });
      const runAsUser = entry['runAsUser'];
      if (runAsUser !== undefined && !(Number.isInteger(runAsUser) && (runAsUser as number) >= 0)) r.problem([...path, 'runAsUser'], 'must be a non-negative integer uid');
      const knowledge: ImageKnowledge = {
        id: `config:${match[0]}`,
        images: match,
        writablePaths: writable.map((p) => ({ path: p, why: 'from .rootlock.yaml' })),
        sources: [r.string(entry['source'], [...path, 'source']) ?? '.rootlock.yaml'],
        verified: true,
      };
      if (typeof runAsUser === 'number') knowledge.runsAsUser = runAsUser;
      const caps = r.stringList(entry['capabilities'], [...path, 'capabilities']);
      if (caps) knowledge.capabilities = caps;
      const notes = r.string(entry['notes'], [...path, 'notes']);
      if (notes) knowledge.notes = notes;
      config.images.push(knowledge);
    });
  }

  const podSpecPaths = raw['podSpecPaths'];
  if (podSpecPaths !== undefined) {
    if (!Array.isArray(podSpecPaths)) r.problem(['podSpecPaths'], 'must be a list');
    else podSpecPaths.forEach((entry: Json, index) => {
      const path = ['podSpecPaths', index];
      if (!isRecord(entry)) return r.problem(path, 'must be a mapping');
      r.keys(entry, path, ['kind', 'apiVersion', 'group', 'path']);
      const kind = r.string(entry['kind'], [...path, 'kind']);
      const specPath = r.string(entry['path'], [...path, 'path']);
      if (!kind) return r.problem([...path, 'kind'], 'is required');
      if (!specPath) return r.problem([...path, 'path'], 'is required (e.g. spec.template.spec)');
      const location: PodSpecLocation = { kind, path: parseDottedPath(specPath) };
      const apiVersion = r.string(entry['apiVersion'], [...path, 'apiVersion']);
      const group = r.string(entry['group'], [...path, 'group']) ?? (apiVersion ? apiVersion.split('/').slice(0, -1).join('/') : undefined);
      if (group !== undefined) location.group = group;
      config.podSpecPaths.push(location);
    });
  }

  return { config, problems: r.problems };
}
