import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Change } from './differ.js';
import { withoutMountTargets } from './mount-points.js';

const added = (path: string, type: 'file' | 'dir', size = 0): Change => ({ path, kind: 'added', aspects: [], type, size, executableBit: false });
const paths = (changes: Change[]): string[] => changes.map((c) => c.path);

describe('runtime mount targets in an upper layer', () => {
  // What runc leaves in a Kubernetes container's upper layer before the workload runs (seen on a real node).
  const KUBELET_MOUNTS = ['/', '/proc', '/dev', '/sys', '/etc/hosts', '/etc/resolv.conf', '/dev/termination-log', '/run/secrets/kubernetes.io/serviceaccount'];

  it('drops the empty files and directories made to hold mounts, and the directories made to hold those', () => {
    const changes = [
      added('/etc/hosts', 'file'), added('/etc/resolv.conf', 'file'),
      added('/run/secrets', 'dir'), added('/run/secrets/kubernetes.io', 'dir'), added('/run/secrets/kubernetes.io/serviceaccount', 'dir'),
    ];
    assert.deepEqual(withoutMountTargets(changes, KUBELET_MOUNTS), []);
    // A sandbox image with nothing but its binary: /dev, /proc, /sys and /etc itself come from the runtime.
    assert.deepEqual(withoutMountTargets([added('/dev', 'dir'), added('/etc', 'dir'), added('/etc/resolv.conf', 'file'), added('/proc', 'dir'), added('/sys', 'dir')], KUBELET_MOUNTS), []);
  });

  it('keeps what the workload wrote, also next to or beneath the runtime\'s directories', () => {
    const changes = [
      added('/etc', 'dir'), added('/etc/resolv.conf', 'file'), added('/etc/cron.d', 'dir'), added('/etc/cron.d/job', 'file', 40),
      added('/run/secrets', 'dir'), added('/run/secrets/kubernetes.io', 'dir'), added('/run/secrets/stolen-token', 'file', 900),
      added('/usr/bin/tool', 'file', 1000),
    ];
    assert.deepEqual(paths(withoutMountTargets(changes, KUBELET_MOUNTS)), ['/etc', '/etc/cron.d', '/etc/cron.d/job', '/run/secrets', '/run/secrets/stolen-token', '/usr/bin/tool']);
  });

  it('keeps a mount target that is not empty or that the image already had', () => {
    const written: Change = added('/etc/hosts', 'file', 12);
    const changed: Change = { path: '/etc/resolv.conf', kind: 'changed', aspects: ['content'], type: 'file', size: 0, executableBit: false };
    assert.deepEqual(paths(withoutMountTargets([written, changed], KUBELET_MOUNTS)), ['/etc/hosts', '/etc/resolv.conf']);
    assert.deepEqual(paths(withoutMountTargets([added('/etc/hosts', 'file')], ['/'])), ['/etc/hosts'], 'no mounts: nothing is plumbing');
  });
});
