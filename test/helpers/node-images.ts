// Images for the test node (test/helpers/node.ts), as OCI archives that
// node.importImage() takes: the sandbox's pause (test/node/pause.c, compiled
// by test/node/build.sh), the busybox image of the sandbox tests, and the
// Debian nginx and python images of the profile tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBusyboxImage } from './busybox-image.js';
import { debianImageLayout } from './debian-image.js';
import { ociArchive } from './image-archives.js';
import { writeOciLayout } from './oci-image.js';

/** containerd's sandbox image on the test node; imported by startNode. */
export const PAUSE_IMAGE = 'localhost/rootlock-test/pause:1';
/** writeBusyboxImage's image, as importBusyboxImage names it. */
export const BUSYBOX_IMAGE = 'localhost/rootlock-test/busybox:latest';
/** The Debian images of test/helpers/debian-image.ts, as importDebianImages names them. */
export const NGINX_IMAGE = 'localhost/rootlock-test/debian:nginx';
export const PYTHON_IMAGE = 'localhost/rootlock-test/debian:python';

interface Importer {
  importImage(archivePath: string, options?: { baseName?: string }): Promise<string[]>;
}

const baseName = (image: string): string => image.slice(0, image.lastIndexOf(':'));

/** The pause image (one layer: /pause) as an OCI archive in `dir`; returns the archive's path. */
export function writePauseImage(dir: string, pauseBinary: string): string {
  const layout = join(dir, 'pause');
  writeOciLayout(layout, [[{ path: 'pause', type: 'file', content: readFileSync(pauseBinary), mode: 0o755 }]],
    { Entrypoint: ['/pause'], User: '65535:65535' }, PAUSE_IMAGE.slice(PAUSE_IMAGE.lastIndexOf(':') + 1));
  const archive = join(dir, 'pause.tar');
  writeFileSync(archive, ociArchive(layout));
  return archive;
}

/** Imports the busybox image (test/helpers/busybox-image.ts, its entrypoint writes a few files and sleeps) as BUSYBOX_IMAGE. */
export async function importBusyboxImage(node: Importer, dir: string): Promise<string> {
  const layout = join(dir, 'busybox');
  writeBusyboxImage(layout);
  const archive = join(dir, 'busybox.tar');
  writeFileSync(archive, ociArchive(layout));
  await node.importImage(archive, { baseName: baseName(BUSYBOX_IMAGE) });
  return BUSYBOX_IMAGE;
}

/**
 * Imports the Debian nginx and python images (the cached OCI layout of
 * test/helpers/debian-image.ts, built first when missing) as NGINX_IMAGE and
 * PYTHON_IMAGE. The archive is written to `dir` with GNU tar: its layer is
 * too big to hold in memory comfortably.
 */
export async function importDebianImages(node: Importer, dir: string): Promise<{ nginx: string; python: string }> {
  const layout = debianImageLayout();
  mkdirSync(dir, { recursive: true });
  const archive = join(dir, 'debian.tar');
  execFileSync('tar', ['--create', '--file', archive, '--directory', layout, 'oci-layout', 'index.json', 'blobs']);
  await node.importImage(archive, { baseName: baseName(NGINX_IMAGE) });
  return { nginx: NGINX_IMAGE, python: PYTHON_IMAGE };
}
