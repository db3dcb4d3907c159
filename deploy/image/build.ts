// rootlock's container image, built without a container builder or a base
// image: `npm run image` writes an OCI archive of three layers and prints its
// digest and path.
//
//   1. runtime: exactly the shared libraries and loader `ldd` names for the
//      node binary (the one running this script), /etc/passwd and /etc/group
//      with root, nonroot (65532) and rootlock-drift (65533), an empty /tmp.
//      No shell, no package manager, no node of its own.
//   2. drift: rootlock's single executable (scripts/build-sea.js: that node
//      with the CLI inside) at /opt/rootlock/bin/rootlock-drift with the file
//      capabilities cap_dac_read_search,cap_sys_ptrace=ep, as a pax
//      SCHILY.xattr.security.capability record that the runtime applies on
//      unpack. Only the drift DaemonSet runs it; the kernel refuses to exec it
//      in a pod that drops ALL capabilities, so the webhook and the audit run
//      the plain copy.
//   3. rootlock: the same executable, plain, at /opt/rootlock/bin/rootlock:
//      the entrypoint. One file instead of node, dist/ and node_modules: a
//      smaller image, and a start that needs no writable cache (the code is
//      compiled ahead into V8's code cache inside the executable).
//
// Reproducible: every mtime is SOURCE_DATE_EPOCH (default 0), every owner
// root, modes normalised, entries sorted, so the same inputs give the same
// digest. The archive is cached under ~/.cache/rootlock/image/<key>, keyed by
// every input file's content, so building again with nothing changed is a
// cache hit. See deploy/image/README.md.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { writeFileAtomic } from '../../src/io/atomic-write.js';
import { buildOciArchive } from '../../src/image/oci-archive-writer.js';
import type { OciLayerInfo } from '../../src/image/oci-archive-writer.js';
import type { TarWriteEntry } from '../../src/image/tar-writer.js';
import { cacheRoot } from '../../src/image/unpack.js';
import {
  DRIFT_FILE_CAPABILITIES, IMAGE_APP_DIR, IMAGE_CLI, IMAGE_DRIFT_CLI, IMAGE_DRIFT_USER, IMAGE_USER,
  defaultImageReference, fileCapabilityText, fileCapabilityXattr,
} from '../../src/image/rootlock-image.js';

/** Bumped when the recipe changes what it writes for the same inputs, so older cached archives are not reused. */
const RECIPE_VERSION = 2;
const ARCHIVE_NAME = 'rootlock.oci.tar';

export interface BuildImageOptions {
  /** Copy the archive here as well (the cached copy stays). */
  out?: string;
  /** The name the archive gives the image (index.json); default ghcr.io/rootlock/rootlock:<version>. */
  reference?: string;
  /** The node binary the executable is built from; default the one running this (process.execPath). */
  node?: string;
  /** The built checkout (npm run build) whose executable goes in; default this checkout. */
  repository?: string;
  /** Where archives are cached; default ${ROOTLOCK_CACHE:-~/.cache/rootlock}/image. */
  cacheDir?: string;
  /** Build even when the cache holds an archive for these inputs (the cache entry is then replaced). */
  rebuild?: boolean;
  /** Seconds since the epoch for every mtime; default SOURCE_DATE_EPOCH or 0. */
  epoch?: number;
  /** Progress messages (default: none). */
  log?: (line: string) => void;
}

export interface RootlockImage {
  /** The OCI archive: `skopeo copy oci-archive:<archivePath> docker://...`, `ctr images import <archivePath>`. */
  archivePath: string;
  /** The manifest digest, as a registry reports it after a push. */
  digest: string;
  /** The name index.json gives the image (io.containerd.image.name; its tag is org.opencontainers.image.ref.name). */
  reference: string;
  /** Layers bottom first: runtime, drift, rootlock. */
  layers: Array<OciLayerInfo & { name: string; files: number }>;
  archiveSize: number;
  /** False when the archive came from the cache. */
  built: boolean;
}

export function repositoryRoot(): string {
  // dist/deploy/image/build.js -> the checkout.
  return fileURLToPath(new URL('../../..', import.meta.url));
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The shared libraries and loader `ldd` lists for a binary, as absolute paths (what the dynamic loader opens). */
export function sharedLibraries(binary: string): string[] {
  const output = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    if (/not found/.test(line)) throw new Error(`${binary}: ldd cannot find ${line.trim()}`);
    const match = /=>\s*(\/\S+)\s+\(/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match) paths.push(match[1]!);
  }
  if (paths.length === 0) throw new Error(`${binary}: ldd lists no libraries (a static binary, or not an ELF file): ${output.trim()}`);
  return [...new Set(paths)].sort();
}

/** Adds the parent directories a layer's entries lack (0755, root) and sorts by path, so parents come first. */
function layerEntries(entries: TarWriteEntry[]): TarWriteEntry[] {
  const byPath = new Map<string, TarWriteEntry>();
  for (const entry of entries) {
    const path = entry.path.replace(/^\/+/, '');
    if (byPath.has(path)) throw new Error(`the image layer lists ${path} twice`);
    byPath.set(path, { ...entry, path });
  }
  for (const path of [...byPath.keys()]) {
    for (let parent = dirname(path); parent !== '.' && parent !== '/'; parent = dirname(parent)) {
      if (!byPath.has(parent)) byPath.set(parent, { path: parent, type: 'dir', mode: 0o755 });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What the entries hold, for the cache key: path, type, mode and content hash of each. */
function fingerprint(entries: readonly TarWriteEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) {
    const detail = e.type === 'file' ? `${e.mode ?? ''} ${sha256(e.content)} ${JSON.stringify(Object.entries(e.xattrs ?? {}).map(([k, v]) => [k, v.toString('hex')]))}`
      : e.type === 'dir' ? `${e.mode ?? ''}` : e.target;
    hash.update(`${e.type} ${e.path} ${detail}\n`);
  }
  return hash.digest('hex');
}

function passwdFiles(): TarWriteEntry[] {
  const users = [{ name: 'root', uid: 0, gid: 0, home: '/root' }, { ...IMAGE_USER, home: '/nonexistent' }, { ...IMAGE_DRIFT_USER, home: '/nonexistent' }];
  const passwd = users.map((u) => `${u.name}:x:${u.uid}:${u.gid}:${u.name}:${u.home}:/sbin/nologin\n`).join('');
  const group = users.map((u) => `${u.name}:x:${u.gid}:\n`).join('');
  return [
    { path: 'etc/passwd', type: 'file', content: Buffer.from(passwd) },
    { path: 'etc/group', type: 'file', content: Buffer.from(group) },
  ];
}

/**
 * rootlock's single executable for this node (`scripts/build-sea.js --out`), built in a folder of its own and read
 * whole. The same tree and node give the same bytes, so the cache key below still finds the archive.
 */
function singleExecutable(repository: string, node: string, cacheDir: string, log: (line: string) => void): Buffer {
  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(cacheDir, '.executable-'));
  try {
    const out = join(staging, 'rootlock');
    log(`building the single executable (scripts/build-sea.js) with ${node}`);
    execFileSync(node, [join(repository, 'scripts', 'build-sea.js'), '--out', out], { cwd: repository, stdio: ['ignore', 'ignore', 'inherit'] });
    return readFileSync(out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function architectureOf(arch: string): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const name = names[arch];
  if (!name) throw new Error(`no OCI architecture name for ${arch}`);
  return name;
}

function defaultEpoch(): number {
  const value = process.env['SOURCE_DATE_EPOCH'];
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value)) throw new Error(`SOURCE_DATE_EPOCH must be a number of seconds, not "${value}"`);
  return Number(value);
}

/** Builds rootlock's image as an OCI archive, or returns the cached archive for the same inputs. */
export async function buildRootlockImage(options: BuildImageOptions = {}): Promise<RootlockImage> {
  const log = options.log ?? ((): void => undefined);
  const repository = resolve(options.repository ?? repositoryRoot());
  const node = options.node ?? process.execPath;
  const cacheDir = options.cacheDir ?? join(cacheRoot(), 'image');
  const epoch = options.epoch ?? defaultEpoch();
  const packageJson = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as { version: string };
  const reference = options.reference ?? defaultImageReference(packageJson.version);
  const entry = join(repository, 'dist', 'src', 'cli', 'single-executable.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);

  const executable = singleExecutable(repository, node, cacheDir, log);
  const runtime = layerEntries([
    ...passwdFiles(),
    // Each library at the path ldd names (where the loader looks), holding the file the path resolves to.
    ...sharedLibraries(node).map((path): TarWriteEntry => ({ path, type: 'file', content: readFileSync(path), mode: 0o755 })),
    { path: 'tmp', type: 'dir', mode: 0o1777 },
  ]);
  const drift = layerEntries([
    { path: IMAGE_DRIFT_CLI, type: 'file', content: executable, mode: 0o755, xattrs: { 'security.capability': fileCapabilityXattr(DRIFT_FILE_CAPABILITIES) } },
  ]);
  const app = layerEntries([{ path: IMAGE_CLI, type: 'file', content: executable, mode: 0o755 }]);
  const layers = [
    { name: 'runtime', entries: runtime, createdBy: `rootlock deploy/image: the libraries ldd lists for node ${process.version} (${node}), users root, ${IMAGE_USER.name}, ${IMAGE_DRIFT_USER.name}` },
    { name: 'drift', entries: drift, createdBy: `rootlock deploy/image: ${IMAGE_DRIFT_CLI} with ${fileCapabilityText(DRIFT_FILE_CAPABILITIES)}` },
    { name: 'rootlock', entries: app, createdBy: `rootlock deploy/image: rootlock ${packageJson.version} as one executable at ${IMAGE_CLI}` },
  ];
  const runConfig = {
    User: `${IMAGE_USER.uid}:${IMAGE_USER.gid}`,
    Env: [`PATH=${IMAGE_APP_DIR}/bin`],
    Entrypoint: [IMAGE_CLI],
    Cmd: ['--help'],
    WorkingDir: '/',
    Labels: {
      'org.opencontainers.image.title': 'rootlock',
      'org.opencontainers.image.version': packageJson.version,
      'org.opencontainers.image.licenses': 'Apache-2.0',
    },
  };
  const architecture = architectureOf(process.arch);
  const key = sha256([
    `recipe ${RECIPE_VERSION}`, `reference ${reference}`, `epoch ${epoch}`, `arch ${architecture}`, JSON.stringify(runConfig),
    ...layers.map((l) => `${l.name} ${l.createdBy} ${fingerprint(l.entries)}`),
  ].join('\n')).slice(0, 32);
  const entryDir = join(cacheDir, key);
  const archivePath = join(entryDir, ARCHIVE_NAME);
  const resultPath = join(entryDir, 'image.json');
  let image: RootlockImage;
  if (!options.rebuild && existsSync(archivePath) && existsSync(resultPath)) {
    image = { ...(JSON.parse(readFileSync(resultPath, 'utf8')) as RootlockImage), archivePath, built: false };
    log(`cached: ${archivePath}`);
  } else {
    log(`building ${reference} (${layers.map((l) => `${l.name}: ${l.entries.length} entries`).join(', ')})`);
    const built = buildOciArchive({ layers, runConfig, architecture, epoch, reference });
    mkdirSync(entryDir, { recursive: true });
    await writeFileAtomic(archivePath, built.chunks, { create: true });
    image = {
      archivePath, digest: built.digest, reference, archiveSize: built.size, built: true,
      layers: built.layers.map((info, i) => ({ ...info, name: layers[i]!.name, files: layers[i]!.entries.filter((e) => e.type === 'file').length })),
    };
    await writeFileAtomic(resultPath, `${JSON.stringify({ ...image, archivePath: undefined, built: undefined }, null, 2)}\n`, { create: true });
  }
  if (options.out) {
    const out = resolve(options.out);
    mkdirSync(dirname(out), { recursive: true });
    const temporary = `${out}.rootlock-${process.pid}.tmp`;
    copyFileSync(archivePath, temporary);
    renameSync(temporary, out);
    image = { ...image, archivePath: out };
  }
  return image;
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('npm run image --')
    .description('build rootlock\'s container image as an OCI archive: this checkout\'s single executable, built from the node binary running this')
    .option('-o, --out <file>', 'also write the archive here')
    .option('--reference <name>', 'the name the archive gives the image (default ghcr.io/rootlock/rootlock:<version>)')
    .option('--rebuild', 'build even when the cache holds an archive for the same inputs')
    .action(async (flags: { out?: string; reference?: string; rebuild?: boolean }) => {
      const image = await buildRootlockImage({
        ...(flags.out ? { out: flags.out } : {}), ...(flags.reference ? { reference: flags.reference } : {}), rebuild: flags.rebuild === true,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const lines = [
        `image    ${image.reference}`,
        `digest   ${image.digest}`,
        `archive  ${image.archivePath} (${mebibytes(image.archiveSize)})`,
        ...image.layers.map((l) => `layer    ${l.name}: ${mebibytes(l.size)} compressed, ${mebibytes(l.uncompressedSize)} unpacked, ${l.files} files`),
        '',
        'push it to your registry, then install with that name:',
        `  skopeo copy oci-archive:${image.archivePath} docker://REGISTRY/rootlock:${image.reference.slice(image.reference.lastIndexOf(':') + 1)}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  await program.parseAsync(argv, { from: 'user' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`npm run image: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
