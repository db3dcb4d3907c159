// Docker-style image references, normalised the way the container runtimes do
// (`nginx` is docker.io/library/nginx), so knowledge entries match however the
// manifest spells the image.

import { remember } from '../core/strings.js';

export interface ImageReference {
  registry: string;
  /** Repository path without registry, e.g. library/nginx. */
  repository: string;
  tag?: string;
  digest?: string;
  /** registry/repository, the key knowledge entries match on. */
  name: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function parseImageReference(image: string): ImageReference | undefined {
  const text = image.trim();
  if (text === '' || /\s/.test(text)) return undefined;
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  // "@sha256:..." or ":1.0" alone names no repository.
  if (rest === '') return undefined;
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  let repository = parts.join('/').toLowerCase();
  if (registry === 'docker.io' && parts.length === 1) repository = `library/${repository}`;
  if (repository === '') return undefined;
  const reference: ImageReference = { registry, repository, name: `${registry}/${repository}` };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** True when the reference carries a full sha256 digest (64 hex characters). */
export function isPinnedByDigest(image: string): boolean {
  return isPinnedReference(parseImageReference(image));
}

/** isPinnedByDigest for an image already parsed. */
export function isPinnedReference(ref: ImageReference | undefined): boolean {
  return ref?.digest !== undefined && DIGEST.test(ref.digest);
}

/**
 * Glob match for image patterns: `*` matches any run of characters, and a
 * pattern without a registry also matches the docker.io spelling.
 */
// The admission webhook matches every container image against every
// knowledge-base pattern on each request; compiling the same globs and parsing
// the same images again dominated its latency. Both caches are bounded.
const candidateCache = new Map<string, readonly string[]>();
const regExpCache = new Map<string, RegExp>();

const referenceCache = new Map<string, ImageReference | null>();

/**
 * parseImageReference, remembered per image: rules parse every container's
 * image on every admission, and a cluster runs few distinct images. The
 * answer is shared between callers, so it is read-only.
 */
export function imageReference(image: string): Readonly<ImageReference> | undefined {
  return remember(referenceCache, image, (own) => parseImageReference(own) ?? null) ?? undefined;
}

/** The names an image can be matched by: as written, name, repository, and each with its tag. */
export function imageCandidates(image: string): readonly string[] {
  return remember(candidateCache, image, (own) => {
    const ref = parseImageReference(own);
    const candidates = new Set([own]);
    if (ref) {
      candidates.add(ref.name);
      candidates.add(ref.repository);
      // Docker Hub's official images are written without docker.io/library/ as often as with it.
      const short = ref.registry === 'docker.io' && ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : undefined;
      if (short !== undefined) candidates.add(short);
      if (ref.tag !== undefined) {
        candidates.add(`${ref.name}:${ref.tag}`);
        candidates.add(`${ref.repository}:${ref.tag}`);
        if (short !== undefined) candidates.add(`${short}:${ref.tag}`);
      }
    }
    return [...candidates];
  });
}

export function imageMatches(pattern: string, image: string): boolean {
  const re = globToRegExp(pattern);
  for (const candidate of imageCandidates(image)) if (re.test(candidate)) return true;
  return false;
}

/** True when the glob has a wildcard; without one it matches exactly its own text. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function globToRegExp(pattern: string): RegExp {
  return remember(regExpCache, pattern, (own) => {
    const escaped = own.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${escaped}$`);
  });
}
