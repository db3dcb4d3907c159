// Real Debian software for the profile and verify tests: the rootfs that
// test/profile/build-debian-rootfs.sh debootstraps (nginx-light, python3),
// packaged as one OCI image layout with two images sharing its layer:
//   <layout>:nginx   Entrypoint nginx -g 'daemon off;' (as the nginx image runs it), as root
//   <layout>:python  python3 -m http.server 8080 as user 1000, plus a layer
//                    linking /usr/local/bin/python to python3 (as python:3.11-slim has
//                    python), so the seed's example runs with its own `python` command
// The layer is an uncompressed tar written by GNU tar; the layout is cached
// beside the rootfs (built again only for a new rootfs or new image configs).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { repoRoot } from './repo.js';
import { tarLayer } from './oci-image.js';
import type { ImageConfigFields } from './oci-image.js';

const BUILD_SCRIPT = 'test/profile/build-debian-rootfs.sh';

/** The debootstrapped rootfs; builds it first when it is missing (about two minutes, needs root and the apt mirror). */
export function debianRootfs(): string {
  const script = join(repoRoot(), BUILD_SCRIPT);
  const path = execFileSync('bash', [script, '--print-path'], { encoding: 'utf8' }).trim();
  if (!existsSync(join(path, 'usr', 'sbin', 'nginx'))) execFileSync('bash', [script], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(join(path, 'usr', 'sbin', 'nginx'))) throw new Error(`${BUILD_SCRIPT} did not produce ${path}`);
  return path;
}

const ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8'];

export const NGINX_CONFIG: ImageConfigFields = { Entrypoint: ['nginx', '-g', 'daemon off;'], Env: ENV, WorkingDir: '/' };
export const PYTHON_CONFIG: ImageConfigFields = { Cmd: ['python3', '-m', 'http.server', '8080'], Env: ENV, WorkingDir: '/srv', User: '1000' };

interface Blob { digest: string; size: number }

function putBlob(layout: string, bytes: Buffer): Blob {
  const hex = createHash('sha256').update(bytes).digest('hex');
  const path = join(layout, 'blobs', 'sha256', hex);
  if (!existsSync(path)) writeFileSync(path, bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/** A blob written by a command straight into the layout, then named by its digest. */
function putBlobFile(layout: string, file: string): Blob {
  const bytes = readFileSync(file);
  const blob = putBlob(layout, bytes);
  rmSync(file);
  return blob;
}

function imageManifest(layout: string, config: ImageConfigFields, layers: Blob[], diffIds: string[]): Blob {
  const configBlob = putBlob(layout, Buffer.from(JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch, os: 'linux', config,
    rootfs: { type: 'layers', diff_ids: diffIds },
  })));
  return putBlob(layout, Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
    layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer })),
  })));
}

function buildLayout(rootfs: string, layout: string): void {
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const tarFile = join(layout, 'rootfs.tar');
  // As image builders do: no device nodes, and /proc and /sys empty (the sandbox mounts its own /dev and /proc).
  execFileSync('tar', ['--create', '--file', tarFile, '--numeric-owner', '--sort=name', '--directory', rootfs,
    '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '.']);
  const base = putBlobFile(layout, tarFile);
  const pythonTar = tarLayer([
    { path: 'usr/local/bin/python', type: 'symlink', target: '/usr/bin/python3' },
    { path: 'srv', type: 'dir', mode: 0o755 },
  ]);
  const pythonLayer = putBlob(layout, pythonTar);
  // Uncompressed layers: the diff id is the layer digest.
  const nginx = imageManifest(layout, NGINX_CONFIG, [base], [base.digest]);
  const python = imageManifest(layout, PYTHON_CONFIG, [base, pythonLayer], [base.digest, pythonLayer.digest]);
  writeFileSync(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...nginx, annotations: { 'org.opencontainers.image.ref.name': 'nginx' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...python, annotations: { 'org.opencontainers.image.ref.name': 'python' } },
    ],
  }));
}

/**
 * The OCI layout holding the `nginx` and `python` images (open `<layout>:nginx`
 * or `<layout>:python`), built once beside the rootfs and reused.
 */
export function debianImageLayout(): string {
  const rootfs = debianRootfs();
  // The rootfs directory's inode: a rootfs built again (deleted, then rebuilt) gets a layout of its own.
  const layout = join(dirname(rootfs), `${basename(rootfs).replace('debian-rootfs-', 'debian-oci-')}-${configKey()}-${statSync(rootfs).ino}`);
  if (existsSync(join(layout, 'index.json'))) return layout;
  const staging = `${layout}.partial`;
  rmSync(staging, { recursive: true, force: true });
  buildLayout(rootfs, staging);
  renameSync(staging, layout);
  return layout;
}

/** The image configs are part of the cached layout's identity. */
function configKey(): string {
  return createHash('sha256').update(JSON.stringify([NGINX_CONFIG, PYTHON_CONFIG, 'python-link-srv'])).digest('hex').slice(0, 8);
}

