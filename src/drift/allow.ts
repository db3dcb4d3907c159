// Accepted drift: allow-list entries from .rootlock.yaml (paths and globs per
// image, each with a reason) and baselines recorded per image. Pure.
import type { ChangeKind } from './differ.js';
import type { DriftAllowEntry } from '../core/config.js';

export interface DriftBaseline {
  version: 1;
  /** Image key (digest, else reference) -> accepted changes. */
  images: Record<string, { path: string; kind: ChangeKind }[]>;
}

export type Suppression = { by: 'allow'; reason: string; entry: number } | { by: 'baseline'; reason: string };

const globCache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let cached = globCache.get(glob);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      // "/**/" matches one or more segments or none; a trailing "**" matches everything below.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  cached = new RegExp(`^${source}$`);
  globCache.set(glob, cached);
  return cached;
}

export function matchesGlob(value: string, glob: string): boolean {
  return globToRegExp(glob).test(value);
}

function imageMatches(entry: DriftAllowEntry, images: readonly string[]): boolean {
  if (!entry.images || entry.images.length === 0) return true;
  return entry.images.some((glob) => images.some((image) => matchesGlob(image, glob)));
}

/**
 * Why a change is accepted, if it is. `images` are every name the container's
 * image goes by (reference and digest); `imageKey` picks the baseline.
 */
export function suppression(
  change: { path: string; kind: ChangeKind },
  images: readonly string[],
  imageKey: string | undefined,
  allow: readonly DriftAllowEntry[],
  baseline: DriftBaseline | undefined,
): Suppression | undefined {
  for (const entry of allow) {
    if (imageMatches(entry, images) && entry.paths.some((glob) => matchesGlob(change.path, glob))) return { by: 'allow', reason: entry.reason, entry: entry.index };
  }
  if (baseline && imageKey !== undefined) {
    const accepted = baseline.images[imageKey];
    if (accepted?.some((a) => a.path === change.path && a.kind === change.kind)) return { by: 'baseline', reason: `in the baseline for ${imageKey}` };
  }
  return undefined;
}

/** Validates a baseline file's parsed JSON. */
export function readBaseline(raw: unknown): { baseline?: DriftBaseline; error?: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { error: 'baseline must be a JSON object' };
  const record = raw as Record<string, unknown>;
  if (record['version'] !== 1) return { error: 'baseline version must be 1' };
  const images = record['images'];
  if (typeof images !== 'object' || images === null || Array.isArray(images)) return { error: 'baseline "images" must be an object' };
  for (const [key, list] of Object.entries(images)) {
    if (!Array.isArray(list) || list.some((c) => typeof c !== 'object' || c === null || typeof (c as Record<string, unknown>)['path'] !== 'string' || !['added', 'changed', 'deleted', 'touched'].includes((c as Record<string, unknown>)['kind'] as string))) {
      return { error: `baseline entry for ${key} must be a list of { path, kind }` };
    }
  }
  return { baseline: raw as DriftBaseline };
}

/** Adds changes to a baseline (union per image; sorted for stable diffs). */
export function extendBaseline(baseline: DriftBaseline, imageKey: string, changes: readonly { path: string; kind: ChangeKind }[]): DriftBaseline {
  const existing = baseline.images[imageKey] ?? [];
  const seen = new Set(existing.map((c) => `${c.kind} ${c.path}`));
  const merged = [...existing];
  for (const change of changes) {
    if (seen.has(`${change.kind} ${change.path}`)) continue;
    seen.add(`${change.kind} ${change.path}`);
    merged.push({ path: change.path, kind: change.kind });
  }
  merged.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind < b.kind ? -1 : 1));
  return { version: 1, images: { ...baseline.images, [imageKey]: merged } };
}
