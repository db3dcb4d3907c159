// A profile result as a knowledge-base entry, so `rootlock fix --profile`
// mounts what the profile saw the image write, ahead of the built-in knowledge.
// The result comes from readProfileFile, which checks its shape.
import type { ImageKnowledge } from '../knowledge/images.js';
import type { ProfileResult } from './profile.js';

export function profileKnowledge(result: ProfileResult, file: string): ImageKnowledge {
  if (!result.imageName) throw new Error(`${file}: the profile names no image (profile with --pod, or with --image-name)`);
  const knowledge: ImageKnowledge = {
    id: `profile:${result.imageName}`,
    images: [result.imageName],
    writablePaths: result.proposals.map((p) => ({ path: p.path, why: `rootlock profile saw ${p.paths.length} path${p.paths.length === 1 ? '' : 's'} written (${p.bytes} bytes)` })),
    sources: [file],
    verified: false,
  };
  if (result.user?.uid !== undefined && result.workload === undefined) knowledge.runsAsUser = result.user.uid;
  return knowledge;
}
