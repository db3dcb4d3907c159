// Content digests as OCI defines them: `algorithm:hex`. Registries and image
// layouts use sha256; sha512 is allowed by the spec and verified the same way.
import { createHash, type Hash } from 'node:crypto';

const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

export function isDigest(text: string): boolean {
  return DIGEST.test(text);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A hash for the algorithm of `digest`, to compute the same kind of digest over streamed content. */
export function hasherFor(digest: string): Hash {
  if (!isDigest(digest)) throw new TypeError(`not a sha256 or sha512 digest: ${JSON.stringify(digest)}`);
  return createHash(digest.slice(0, digest.indexOf(':')));
}

export function digestOf(bytes: Uint8Array, algorithmOf: string): string {
  const hash = hasherFor(algorithmOf).update(bytes);
  return `${algorithmOf.slice(0, algorithmOf.indexOf(':'))}:${hash.digest('hex')}`;
}
