// Falco: the runtime side of immutability. Admission policies keep mutable
// containers out; these rules catch what happens inside a running container
// anyway: writes below binary, /etc and other system directories, package
// managers, and binaries that were not in the image. Images the knowledge base
// says legitimately write below such a directory get an exception for that
// directory only.
import type { KnowledgeBase } from '../knowledge/images.js';

export type FalcoItem = Record<string, unknown>;

const BINARY_DIRS = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];
const SYSTEM_DIRS = ['/boot', '/lib', '/lib64', '/lib32', '/usr', '/opt', '/var/lib/dpkg', '/var/lib/rpm', '/var/lib/apk'];
const PACKAGE_MANAGERS = [
  'apt', 'apt-get', 'aptitude', 'dpkg', 'yum', 'dnf', 'microdnf', 'rpm', 'zypper', 'apk', 'pacman',
  'pip', 'pip3', 'npm', 'yarn', 'gem', 'go', 'cargo', 'conda', 'snap',
];

const OUTPUT_CONTEXT =
  'container_id=%container.id container_name=%container.name image=%container.image.repository:%container.image.tag ' +
  'k8s_ns=%k8s.ns.name k8s_pod=%k8s.pod.name user=%user.name uid=%user.uid command=%proc.cmdline parent=%proc.pname';

function directoryOf(path: string, roots: readonly string[]): string | undefined {
  return roots.find((root) => path === root || path.startsWith(root + '/'));
}

/** (image repository, path prefix) pairs: images the knowledge base says write below these system paths. */
export function knownWriters(knowledge: KnowledgeBase, roots: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const entry of knowledge.all()) {
    for (const writable of entry.writablePaths) {
      if (!directoryOf(writable.path, roots)) continue;
      for (const image of entry.images) {
        if (image.includes('*')) continue;
        out.push([image, writable.path]);
      }
    }
  }
  return out;
}

function writerException(name: string, pairs: Array<[string, string]>): FalcoItem[] {
  if (pairs.length === 0) return [];
  return [{ name, fields: ['container.image.repository', 'fd.name'], comps: ['=', 'startswith'], values: pairs.map(([image, path]) => [image, `${path}/`]) }];
}

export function falcoRules(knowledge: KnowledgeBase, priority: 'ERROR' | 'WARNING' | 'NOTICE'): FalcoItem[] {
  const tags = ['container', 'filesystem', 'rootlock', 'immutability'];
  return [
    { list: 'rootlock_binary_dirs', items: BINARY_DIRS },
    { list: 'rootlock_system_dirs', items: SYSTEM_DIRS },
    { list: 'rootlock_package_managers', items: PACKAGE_MANAGERS },
    { macro: 'rootlock_in_container', condition: 'container.id != host and container.id != ""' },
    { macro: 'rootlock_open_write', condition: "evt.type in (open, openat, openat2, creat) and evt.is_open_write=true and fd.typechar='f' and fd.num>=0" },
    { macro: 'rootlock_spawned_process', condition: 'evt.type in (execve, execveat) and evt.dir=<' },
    {
      rule: 'Write below binary dir in container (rootlock)',
      desc: 'A process in a container opened a file below a binary directory for writing. With readOnlyRootFilesystem this cannot happen; it means the root filesystem is writable and the container is drifting from its image (the runtime check of Falco\'s "Write below binary dir" rule, for containers).',
      condition: 'rootlock_open_write and rootlock_in_container and fd.directory in (rootlock_binary_dirs)',
      output: `File below a binary directory opened for writing in a container (file=%fd.name ${OUTPUT_CONTEXT})`,
      priority,
      tags: [...tags, 'mitre_persistence'],
    },
    {
      rule: 'Write below etc in container (rootlock)',
      desc: 'A process in a container opened a file below /etc for writing: configuration changed at run time, which an immutable container never does.',
      condition: 'rootlock_open_write and rootlock_in_container and fd.name startswith /etc/',
      output: `File below /etc opened for writing in a container (file=%fd.name ${OUTPUT_CONTEXT})`,
      priority,
      tags: [...tags, 'mitre_persistence'],
      exceptions: writerException('rootlock_known_writers', knownWriters(knowledge, ['/etc'])),
    },
    {
      rule: 'Write below system dir in container (rootlock)',
      desc: 'A process in a container opened a file for writing below a system directory (libraries, /usr, /opt, package databases).',
      condition: 'rootlock_open_write and rootlock_in_container and fd.name pmatch (rootlock_system_dirs)',
      output: `File below a system directory opened for writing in a container (file=%fd.name ${OUTPUT_CONTEXT})`,
      priority,
      tags: [...tags, 'mitre_persistence'],
      exceptions: writerException('rootlock_known_writers', knownWriters(knowledge, SYSTEM_DIRS)),
    },
    {
      rule: 'Package manager launched in container (rootlock)',
      desc: 'A package manager ran in a container: software installed at run time is not in the scanned, approved image.',
      condition: 'rootlock_spawned_process and rootlock_in_container and proc.name in (rootlock_package_managers)',
      output: `Package manager launched in a container (package_manager=%proc.name ${OUTPUT_CONTEXT})`,
      priority,
      tags: [...tags, 'process', 'mitre_execution'],
    },
    {
      rule: 'Executable not in the image launched in container (rootlock)',
      desc: 'A container ran a binary from its writable upper layer: a file that was not in the image, written and executed at run time (drift).',
      condition: 'rootlock_spawned_process and rootlock_in_container and proc.is_exe_upper_layer=true',
      output: `Executable not in the image launched in a container (exe=%proc.exepath ${OUTPUT_CONTEXT})`,
      priority,
      tags: [...tags, 'process', 'mitre_execution'],
    },
  ].map((item) => (Array.isArray(item['exceptions']) && item['exceptions'].length === 0 ? Object.fromEntries(Object.entries(item).filter(([key]) => key !== 'exceptions')) : item));
}
