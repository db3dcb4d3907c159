// Writes a digest into an image reference. Pure, so the fix engine can use it
// inside a path edit. The tag stays for readers (`nginx:1.25@sha256:...`, as
// Renovate and `crane` write it); the runtime pulls by digest and ignores it.
import { isDigest } from './digest.js';

/**
 * `image` pinned to `digest`: `repo:tag@sha256:...`. An existing digest, right
 * or wrong, is replaced; the rest of the reference stays as written (no
 * docker.io/library/ expansion), so the diff touches only the pin.
 */
export function pinImage(image: string, digest: string): string {
  if (!isDigest(digest)) throw new TypeError(`pinImage: ${JSON.stringify(digest)} is not a sha256 or sha512 digest`);
  const text = image.trim();
  const at = text.indexOf('@');
  const name = at === -1 ? text : text.slice(0, at);
  if (name === '') throw new TypeError(`pinImage: ${JSON.stringify(image)} names no repository`);
  return `${name}@${digest}`;
}
