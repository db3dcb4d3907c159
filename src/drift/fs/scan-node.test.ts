// The scanner against real overlayfs mounts of real processes (needs root,
// as CI has): every kind of change docker diff knows, plus the ones it
// conflates, asserted exactly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { installBinary, startOverlayContainer, writeFiles } from '../../../test/helpers/overlay.js';
import type { OverlayContainer } from '../../../test/helpers/overlay.js';
import { DOCKER_DIFF_LETTER } from '../differ.js';
import { scanNode } from './scan-node.js';
import type { ScannedContainer } from './scan-node.js';

function summary(scanned: ScannedContainer): string[] {
  return scanned.drift.changes.map((c) => {
    const extra = [c.kind, c.class, c.priority, ...c.aspects, ...(c.metacopy ? ['metacopy'] : []), ...(c.via ? [c.via] : [])];
    return `${DOCKER_DIFF_LETTER[c.kind]} ${c.path} ${extra.join(' ')}`;
  });
}

function scanOnly(container: OverlayContainer): ScannedContainer {
  const result = scanNode({ root: '/', accepted: { allow: [] }, filter: (c) => c.layers.upperdir === container.upper });
  assert.equal(result.containers.length, 1, 'the scan finds the overlay container by its process');
  return result.containers[0]!;
}

const imageBase = (layer: string): void => {
  installBinary(layer, execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), '/usr/bin/sleep');
  installBinary(layer, '/bin/sh', '/bin/sh');
  writeFiles(layer, {
    '/etc/hosts': '127.0.0.1 localhost\n',
    '/etc/old.conf': 'obsolete=1\n',
    '/etc/hidden-by-image.conf': 'the upper image layer deletes this\n',
    '/var/lib/dpkg/status': 'Package: base-files\nStatus: install ok installed\n',
    '/var/cache/app/seed': 'x\n',
    '/opt/app/a.txt': 'a\n',
    '/opt/app/b.txt': 'b\n',
    '/opt/tools/helper.sh': { content: '#!/bin/sh\necho helper\n', mode: 0o644 },
  });
  mkdirSync(join(layer, 'tmp'), { mode: 0o1777 });
  // The runtime would mount /dev; sh needs /dev/null for a background job's stdin.
  mkdirSync(join(layer, 'dev'));
  execFileSync('mknod', [join(layer, 'dev/null'), 'c', '1', '3']);
};
const imageTop = (layer: string): void => {
  writeFiles(layer, { '/etc/app.conf': 'listen=8080\n' });
  execFileSync('mknod', [join(layer, 'etc/hidden-by-image.conf'), 'c', '0', '0']);
};

/** The pid of the process named `name` whose parent is `parent`. */
async function waitForChild(parent: number, name: string): Promise<number> {
  for (let attempt = 0; attempt < 250; attempt++) {
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    const found = children.find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name && readlinkSync(`/proc/${pid}/exe`).endsWith(`/${name}`));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no child ${name} of ${parent}`);
}

describe('drift scan of a real overlay container', () => {
  let container: OverlayContainer;
  let gonePid: number;
  before(async () => {
    container = await startOverlayContainer({
      layers: [imageTop, imageBase],
      changes: [
        'cp usr/bin/sleep usr/bin/dropped', // a new binary in /usr/bin, started below
        'echo "listen=9090" > etc/app.conf', // edited config
        'rm etc/old.conf', // deleted file: a whiteout
        'rm -r opt/app && mkdir opt/app && echo new > opt/app/new.txt', // replaced directory: opaque
        'chmod +x opt/tools/helper.sh', // made executable
        'touch etc/hosts', // copied up, unchanged
        'echo "Package: curl" >> var/lib/dpkg/status', // a package installed
        'echo back > etc/hidden-by-image.conf', // recreated what a lower layer's whiteout hid
        'echo scratch > tmp/scratch.txt',
        'cp usr/bin/sleep tmp/gone', // started, then deleted while it runs
        // A volume over a copied-up directory hides the lower entries in the merged view: that is not an opaque directory.
        'echo n > var/cache/new && mount -t tmpfs tmpfs var/cache',
      ].join('\n'),
      command: ['/bin/sh', '-c', '/tmp/gone 300 & exec /usr/bin/dropped 300'],
      readyExe: '/usr/bin/dropped',
    });
    gonePid = await waitForChild(container.pid, 'gone');
    unlinkSync(`/proc/${gonePid}/root/tmp/gone`);
  });
  after(async () => {
    await container?.stop();
  });

  it('reports every change as docker diff would, classified, with touched and replaced told apart', () => {
    const scanned = scanOnly(container);
    assert.deepEqual(summary(scanned), [
      'C /etc/app.conf changed config warning content',
      'A /etc/hidden-by-image.conf added config warning',
      'C /etc/hosts touched touched informational',
      'D /etc/old.conf deleted config warning whiteout',
      'C /opt/app changed other notice replaced',
      'D /opt/app/a.txt deleted other notice opaque-directory',
      'D /opt/app/b.txt deleted other notice opaque-directory',
      'A /opt/app/new.txt added other notice',
      'C /opt/tools/helper.sh changed executable error mode',
      'A /tmp/scratch.txt added other notice',
      'A /usr/bin/dropped added executable error',
      'A /var/cache/new added other notice',
      'C /var/lib/dpkg/status changed package-database warning content',
    ]);
    const dropped = scanned.drift.changes.find((c) => c.path === '/usr/bin/dropped');
    assert.equal(dropped?.header, undefined, 'exec bit set: executable without reading the header');
    assert.equal(dropped?.executableBit, true);
    assert.deepEqual(scanned.drift.lowerdirs, container.lowerdirs);
    assert.deepEqual(scanned.drift.problems, []);
  });

  it('reports processes running a dropped binary or a deleted file as the most severe drift', () => {
    const scanned = scanOnly(container);
    assert.deepEqual(scanned.drift.pids, [container.pid, gonePid]);
    assert.deepEqual(scanned.drift.processes, [
      { pid: container.pid, command: 'dropped', exe: '/usr/bin/dropped', reason: 'upper-layer', class: 'running-executable', priority: 'critical' },
      { pid: gonePid, command: 'gone', exe: '/tmp/gone', reason: 'deleted', class: 'running-executable', priority: 'critical' },
    ]);
  });

  it('marks allow-listed and baselined changes as accepted, with the reason', () => {
    const result = scanNode({
      root: '/',
      accepted: {
        allow: [{ paths: ['/tmp/**'], reason: 'scratch space', index: 0 }],
        baseline: { version: 1, images: {} },
      },
      filter: (c) => c.layers.upperdir === container.upper,
    });
    const changes = result.containers[0]!.drift.changes;
    assert.deepEqual(changes.filter((c) => c.suppressed).map((c) => [c.path, c.suppressed]), [
      ['/tmp/scratch.txt', { by: 'allow', reason: 'scratch space', entry: 0 }],
    ]);
  });
});

describe('drift scan with metacopy=on', () => {
  let container: OverlayContainer;
  before(async () => {
    container = await startOverlayContainer({
      layers: [imageBase],
            // touch opens the file for writing, so even with metacopy it copies the data up; chmod to the same mode does not.
      changes: ['chmod +x opt/tools/helper.sh', 'chown 1000 etc/hosts', 'touch etc/old.conf', 'chmod 644 opt/app/a.txt'].join('\n'),
      command: ['/usr/bin/sleep', '300'],
      metacopy: true,
    });
  });
  after(async () => {
    await container?.stop();
  });

  it('reports metadata-only copy-ups as metadata changes, not content changes', () => {
    const scanned = scanOnly(container);
    assert.deepEqual(summary(scanned), [
      'C /etc/hosts changed config warning owner metacopy',
      'C /etc/old.conf touched touched informational',
      'C /opt/app/a.txt touched touched informational metacopy',
      'C /opt/tools/helper.sh changed executable error mode metacopy',
    ]);
    assert.deepEqual(scanned.drift.processes, [], 'sleep from the image is not drift');
  });
});
