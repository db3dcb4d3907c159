// Profile results in the HTML report (`audit --format html --profile FILE`):
// for each profiled image, the directories `rootlock profile` saw it write,
// and for every container of the input that runs that image, whether each of
// those paths lies under a writable volume or would meet a read-only root
// filesystem. Images are matched as `fix --profile` matches them (the
// profile's imageName against the container's image), and mounts are judged
// by the same volume rules as writable-paths-mounted (src/core/volumes.ts).
import type { RootlockConfig } from '../core/config.js';
import { objectReference } from '../core/exemptions.js';
import { effectiveSecurityContext } from '../core/security-context.js';
import type { ObjectReference } from '../core/types.js';
import { canonicalPath, isWritableMount, mountCovers, mountsOf } from '../core/volumes.js';
import type { MountView } from '../core/volumes.js';
import { BUILTIN_POD_SPEC_LOCATIONS, documentObjects, workloadOf } from '../core/workloads.js';
import type { ContainerView, Workload } from '../core/workloads.js';
import type { ParsedDocument } from '../input/kube-yaml.js';
import { imageMatches } from '../knowledge/image-ref.js';
import type { ProfileResult } from '../profile/profile.js';

/** Containers listed per profile; beyond this the page says how many more there are. */
const MAX_USES = 1000;

export type PathStatus = 'covered' | 'read-only-mount' | 'fails' | 'would-fail';

export interface PathCoverage {
  /** A path the profile saw written (a proposed directory, a path the profiled pod's volumes held, or a file at /). */
  path: string;
  status: PathStatus;
  /** The mount that decides: the writable one that covers the path, else the deepest mount over it. */
  mount?: { mountPath: string; volume: string; volumeType: string };
}

export interface ProfileUse {
  file: string;
  line?: number;
  object: ObjectReference;
  container: string;
  /** Whether the container already runs with readOnlyRootFilesystem: true. */
  readOnlyRoot: boolean;
  paths: PathCoverage[];
}

export interface ProfileView {
  /** The profile file as the user named it. */
  file: string;
  profile: ProfileResult;
  uses: ProfileUse[];
  /** Containers that use the image beyond the ones listed. */
  moreUses: number;
}

/** Every path the profile saw written, once each, in the order the profile lists them. */
export function writtenPaths(profile: ProfileResult): string[] {
  return [...new Set([...profile.proposals.map((proposal) => proposal.path), ...profile.coveredByVolumes, ...profile.atRoot])];
}

function deepest(mounts: readonly MountView[]): MountView | undefined {
  return [...mounts].sort((a, b) => canonicalPath(b.mountPath as string).length - canonicalPath(a.mountPath as string).length)[0];
}

/** How the container's mounts meet each path the profile saw written. */
export function pathCoverage(profile: ProfileResult, workload: Workload, container: ContainerView): PathCoverage[] {
  const mounts = mountsOf(workload, container).filter((mount) => mount.mountPath !== undefined);
  const readOnlyRoot = effectiveSecurityContext(workload, container).readOnlyRootFilesystem.value === true;
  return writtenPaths(profile).map((path) => {
    const over = mounts.filter((mount) => mountCovers(mount.mountPath as string, path));
    // Any writable mount over the path makes it writable, as writable-paths-mounted counts it.
    const writable = deepest(over.filter(isWritableMount));
    const decides = writable ?? deepest(over);
    const status: PathStatus = writable ? 'covered' : decides ? 'read-only-mount' : readOnlyRoot ? 'fails' : 'would-fail';
    return {
      path,
      status,
      ...(decides ? { mount: { mountPath: decides.mountPath as string, volume: decides.name ?? '', volumeType: decides.volumeType ?? (decides.volume ? 'typeless' : 'undeclared') } } : {}),
    };
  });
}

/** Collects, document by document, the containers of the input that run a profiled image. */
export class ProfileMatcher {
  private readonly views: ProfileView[];
  private readonly locations;

  constructor(profiles: ReadonlyArray<{ file: string; profile: ProfileResult }>, config: Pick<RootlockConfig, 'podSpecPaths'>) {
    this.views = profiles.map(({ file, profile }) => ({ file, profile, uses: [], moreUses: 0 }));
    this.locations = [...config.podSpecPaths, ...BUILTIN_POD_SPEC_LOCATIONS];
  }

  add(file: string, document: ParsedDocument): void {
    for (const { object, path } of documentObjects(document.value)) {
      const workload = workloadOf(object, this.locations);
      if (!workload) continue;
      for (const container of workload.containers) {
        if (container.image === undefined) continue;
        for (const view of this.views) {
          const imageName = view.profile.imageName;
          if (imageName === undefined || !imageMatches(imageName, container.image)) continue;
          if (view.uses.length >= MAX_USES) {
            view.moreUses++;
            continue;
          }
          const line = document.locate(path).line;
          view.uses.push({
            file,
            ...(line !== undefined ? { line } : {}),
            object: objectReference(object),
            container: container.name,
            readOnlyRoot: effectiveSecurityContext(workload, container).readOnlyRootFilesystem.value === true,
            paths: pathCoverage(view.profile, workload, container),
          });
        }
      }
    }
  }

  result(): ProfileView[] {
    return this.views;
  }
}
