import { defineRule } from '../../core/rule.js';
import { canonicalPath, isWritableMount, mountCovers, mountsOf, volumesByName } from '../../core/volumes.js';
import type { FixBuilder, RuleContext } from '../../core/rule.js';
import type { ContainerView } from '../../core/workloads.js';
import type { MountView } from '../../core/volumes.js';
import type { WritablePath } from '../../knowledge/images.js';
import type { Path } from '../../core/types.js';
import { describeContainer, joinList } from '../describe.js';

/** A volume name is a DNS-1123 label. */
const MAX_VOLUME_NAME = 63;
/** Volume types that can never be written through. */
const READ_ONLY_VOLUME_TYPES: ReadonlySet<string> = new Set(['configMap', 'secret', 'downwardAPI', 'projected', 'image']);

/** `/var/cache/nginx` -> `var-cache-nginx`: a DNS-1123 label that says where the volume goes. */
export function volumeNameFor(path: string): string {
  const base = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  // Room for a -NNN suffix when the name is taken.
  return (base === '' ? 'writable' : base).slice(0, MAX_VOLUME_NAME - 4).replace(/-+$/, '');
}

/** The first of name, name-2, name-3, ... not in `taken`; records it as taken. */
export function reserveName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${name}-${suffix}`;
  taken.add(candidate);
  return candidate;
}

/** Why a mount over a needed path does not make it writable. */
function whyNotWritable(mount: MountView): string {
  const at = `${mount.mountPath ?? ''} is mounted`;
  if (mount.volume === undefined) return `${at} from volume "${mount.name ?? ''}", which the pod does not declare`;
  if (mount.readOnly) return `${at} with readOnly: true`;
  if (mount.volumeType === 'persistentVolumeClaim') return `${at} from a persistentVolumeClaim with readOnly: true`;
  if (mount.volumeType !== undefined && READ_ONLY_VOLUME_TYPES.has(mount.volumeType)) return `${at} from a ${mount.volumeType} volume, which is read-only`;
  return `${at} from a ${mount.volumeType ?? 'typeless'} volume, which rootlock cannot tell is writable`;
}


/** Appends to a list, or creates it with `set` when the manifest has none yet. */
function addToList(fix: FixBuilder, path: Path, exists: boolean, value: unknown): void {
  if (exists) fix.append(path, value);
  else fix.set(path, [value]);
}

/** An info finding for the paths the image writes only in some configurations, each with its condition. */
function reportConditional(context: RuleContext, container: ContainerView, paths: readonly WritablePath[]): void {
  const named = paths.map((writable) => `to ${writable.path} (${writable.why.replace(/\s*\(([^()]*)\)/g, ', $1')}) if ${writable.when ?? ''}`);
  context.report({
    container,
    path: [...container.path, 'volumeMounts'],
    severity: 'info',
    message: () => `${describeContainer(container)} has a read-only root filesystem and no writable volume at ${joinList(paths.map((writable) => writable.path))}; its image ${container.image ?? ''} writes ${named.join('; and ')}`,
    hint: `if the pod is configured that way, mount an emptyDir at ${joinList(paths.map((writable) => writable.path))}`,
  });
}

export default defineRule({
  id: 'writable-paths-mounted',
  severity: 'error',
  enforcement: 'deny',
  admission: () => import('./admission.js'),
  fixable: true,
  fixSafety: {
    manualReason: 'an emptyDir there would hide files the image ships: copy them in with an init container first (the CKS study guide\'s init-container pattern)',
    // Paths an image writes only in some configurations are reported at info: whether the pod is configured so is the owner's to say.
    infoNeedsNoDecision: true,
  },
  checklist: 'emptyDir volumes provided for necessary writable directories (/tmp, /var/run, etc.)',
  docs: {
    summary: 'Read-only container whose image needs writable paths that no writable volume covers',
    rationale:
      'readOnlyRootFilesystem: true without writable directories makes many images crash at start: nginx cannot ' +
      'write /var/run/nginx.pid, shells cannot create here-documents in /tmp, databases cannot create their lock ' +
      'files. The usual reaction is to switch readOnlyRootFilesystem back off, losing immutability for the whole ' +
      'container. rootlock knows the paths common images write to (its image knowledge base names a source for every ' +
      'entry) and reports the ones that no writable volume (emptyDir, generic ephemeral volume, ' +
      'persistentVolumeClaim or a hostPath mounted without readOnly) covers. A mount covers a path when it is mounted ' +
      'at that path or at a parent directory; /var/run and /run count as the same directory because /var/run is a ' +
      'symlink to /run on Debian and Alpine images. configMap, secret, downwardAPI and projected volumes are ' +
      'read-only and never count; neither do NFS, CSI and other volumes whose writability rootlock cannot see ' +
      'in the manifest. Images the knowledge base does not know are not reported.',
    remediation:
      'Mount an emptyDir volume at each path the finding names (rootlock fix adds one volume and one volumeMount per ' +
      'path, named after the path, such as tmp, var-run and var-cache-nginx). Use a persistentVolumeClaim instead ' +
      'for data that must outlive the pod. Where the image ships files at the path (for example /etc/rabbitmq), an ' +
      'empty volume would hide them: add an init container that copies the files from the image into the volume ' +
      'first (the CKS study guide\'s init-container pattern); rootlock fix does not do this for you.',
    references: [
      'https://kubernetes.io/docs/concepts/storage/volumes/#emptydir',
      'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      'https://kubernetes.io/docs/concepts/workloads/pods/init-containers/',
    ],
  },
  check(context) {
    const workload = context.workload;
    if (!workload) return;
    const volumesPath: Path = [...workload.podSpecPath, 'volumes'];
    // --memory-tmp: the volumes are tmpfs with a size limit, the CKS study guide's memory-backed /tmp pattern.
    const memoryTmp = context.fixOptions.memoryTmp;
    // Once one finding's fix creates the volumes list, later findings append to it: fixes are applied in report order.
    let volumesExist = Array.isArray(workload.podSpec['volumes']);
    // Names are reserved across containers so two containers' fixes never add the same volume name.
    // Read when a first container lacks a volume: most pods never get that far.
    let takenNames: Set<string> | undefined;

    for (const container of context.containers()) {
      if (context.effective(container).readOnlyRootFilesystem.value !== true) continue;
      const knowledge = context.knowledge.lookup(container.image);
      if (!knowledge) continue;
      const mounts = mountsOf(workload, container).filter((mount) => mount.mountPath !== undefined);
      const missing: WritablePath[] = [];
      // Missing paths under a read-only mount: an emptyDir cannot simply be added there (a second mount at the
      // same directory is rejected, and the runtime cannot create a mount point inside a read-only volume).
      const blockedBy = new Map<string, MountView>();
      // Paths the image writes only in some configurations: named at info, never mounted by the fix.
      const conditional: WritablePath[] = [];
      for (const writable of knowledge.writablePaths) {
        if (mounts.some((mount) => isWritableMount(mount) && mountCovers(mount.mountPath as string, writable.path))) continue;
        if (writable.when !== undefined) {
          conditional.push(writable);
          continue;
        }
        missing.push(writable);
        const deepest = mounts
          .filter((mount) => mountCovers(mount.mountPath as string, writable.path))
          .sort((a, b) => canonicalPath(b.mountPath as string).length - canonicalPath(a.mountPath as string).length)[0];
        if (deepest) blockedBy.set(writable.path, deepest);
      }
      if (conditional.length) reportConditional(context, container, conditional);
      if (missing.length === 0) continue;

      const shipsFiles = missing.filter((writable) => writable.shipsFiles === true).map((writable) => writable.path);
      const blocked = [...blockedBy.keys()].filter((path) => !shipsFiles.includes(path) && blockedBy.get(path)?.volume !== undefined);
      const undeclared = [...new Set([...blockedBy.values()].filter((mount) => mount.volume === undefined).map((mount) => `"${mount.name ?? ''}"`))];
      const fixable = missing.filter((writable) => writable.shipsFiles !== true && !blockedBy.has(writable.path));
      const named = missing.map((writable) => {
        // The reason goes in parentheses; flatten any the knowledge text has of its own.
        const why = writable.why.replace(/\s*\(([^()]*)\)/g, ', $1');
        const blocker = blockedBy.get(writable.path);
        return blocker ? `${writable.path} (${why}; ${whyNotWritable(blocker)})` : `${writable.path} (${why})`;
      });
      const copyNote = shipsFiles.length
        ? `; the image ships files in ${joinList(shipsFiles)}, so an emptyDir there needs an init container that copies them in first`
        : '';
      const mountsPath: Path = [...container.path, 'volumeMounts'];
      const planned = fixable.map((writable) => ({ name: reserveName(volumeNameFor(writable.path), (takenNames ??= new Set(volumesByName(workload.podSpec).keys()))), mountPath: writable.path }));
      const volumesExistBefore = volumesExist;
      if (planned.length) volumesExist = true;
      context.report({
        container,
        path: mountsPath,
        message:
          `${describeContainer(container)} has a read-only root filesystem, but its image ${container.image ?? ''} writes to ` +
          `${joinList(named)} and no writable volume is mounted there, so it will fail with "Read-only file system"${copyNote}`,
        hint: [
          planned.length ? `mount an emptyDir volume at ${joinList(planned.map((p) => p.mountPath))} (rootlock fix adds ${planned.length === 1 ? 'it' : 'them'})` : '',
          blocked.length ? `make the mount over ${joinList(blocked)} writable or mount a writable volume there instead` : '',
          undeclared.length ? `declare volume ${joinList(undeclared)} in the pod (an emptyDir for scratch space)` : '',
          shipsFiles.length ? `mount an emptyDir at ${joinList(shipsFiles)} and fill it from an init container that copies the image's files (the CKS study guide's init-container pattern)` : '',
        ].filter((part) => part !== '').join('; '),
        ...(planned.length
          ? {
              fix: (fix: FixBuilder) => {
                let volumesListExists = volumesExistBefore;
                let mountsListExists = Array.isArray(container.spec['volumeMounts']);
                for (const { name, mountPath } of planned) {
                  addToList(fix, volumesPath, volumesListExists, { name, emptyDir: memoryTmp ? { medium: 'Memory', sizeLimit: memoryTmp.sizeLimit } : {} });
                  addToList(fix, mountsPath, mountsListExists, { name, mountPath });
                  volumesListExists = mountsListExists = true;
                }
              },
            }
          : {}),
      });
    }
  },
});
