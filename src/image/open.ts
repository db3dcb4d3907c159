// What `profile <image>` and `verify --image-source` accept: a local image
// (OCI layout directory, image archive, root filesystem directory; see
// source.ts) when the path exists, otherwise an image reference pulled from
// its registry (pull.ts).
import { resolve } from 'node:path';
import { isImageReference, pullImage } from './pull.js';
import type { PullOptions } from './pull.js';
import { isLocalImage, openImage } from './source.js';
import type { OpenedImage } from './source.js';

export async function openImageSpec(spec: string, cwd: string, pull: PullOptions = {}): Promise<OpenedImage> {
  const local = resolve(cwd, spec);
  if (isLocalImage(local) || !isImageReference(spec)) return openImage(local, pull.cache);
  try {
    return await pullImage(spec, pull);
  } catch (error) {
    throw new Error(`${spec}: no such local image, and pulling it failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
