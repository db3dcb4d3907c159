// The drift DaemonSet holds itself to rootlock's own audit: no error-level
// finding that is not waived with a reason, read-only host mounts only, and
// an immutable container of its own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../test/helpers/cli.js';
import { hostReadPaths } from './manifests.js';
import { DRIFT_FILE_CAPABILITIES, IMAGE_DRIFT_CLI, IMAGE_DRIFT_USER, fileCapabilityText } from '../image/rootlock-image.js';

interface AuditJson {
  summary: { bySeverity: Record<string, number>; exempted: number; errors: number };
  findings: { rule: string; severity: string; exemption?: { reason?: string } }[];
}

describe('rootlock drift manifests', () => {
  it('passes rootlock audit (all rules): no error-level finding except the two waived, with their reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-drift-manifests-'));
    try {
      const printed = await runCli(['drift', 'manifests', '--namespace', 'drift-test', '--image', 'ghcr.io/rootlock/rootlock:0.1.0@sha256:' + 'a'.repeat(64)], { cwd: dir });
      assert.equal(printed.code, 0, printed.stderr);
      writeFileSync(join(dir, 'drift.yaml'), printed.stdout);
      const audit = await runCli(['audit', 'drift.yaml', '--format', 'json', '--no-config'], { cwd: dir, allRules: true });
      assert.equal(audit.code, 0, audit.stdout);
      const report = JSON.parse(audit.stdout) as AuditJson;
      assert.equal(report.summary.bySeverity['error'], 0);
      assert.equal(report.summary.errors, 0);
      const errors = report.findings.filter((f) => f.severity === 'error');
      assert.deepEqual(errors.map((f) => [f.rule, f.exemption !== undefined]), [
        ['no-added-capabilities', true], ['no-added-capabilities', true], ['no-writable-host-path', true],
      ]);
      assert.ok(errors.every((f) => f.exemption?.reason?.startsWith('drift scanner: ')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mounts the host read-only, creates nothing on it, and keeps its own root filesystem read-only', async () => {
    const printed = await runCli(['drift', 'manifests'], { cwd: tmpdir() });
    const docs = parseAllDocuments(printed.stdout).map((d) => d.toJS() as Record<string, any>); // `any`: the test walks arbitrary manifest fields
    assert.deepEqual(docs.map((d) => d['kind']), ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'DaemonSet']);
    const pod = docs[4]!['spec']['template']['spec'];
    const container = pod['containers'][0];
    assert.equal(container['securityContext']['readOnlyRootFilesystem'], true);
    assert.equal(container['securityContext']['allowPrivilegeEscalation'], false);
    assert.deepEqual(container['securityContext']['capabilities'], { drop: ['ALL'], add: ['DAC_READ_SEARCH', 'SYS_PTRACE'] });
    assert.equal(pod['hostPID'], undefined);
    assert.equal(pod['automountServiceAccountToken'], false);
    const hostVolumes = pod['volumes'].filter((v: { hostPath?: unknown }) => v.hostPath);
    assert.deepEqual(hostVolumes.map((v: { hostPath: { path: string } }) => v.hostPath.path), hostReadPaths().map((p) => p.path));
    for (const volume of hostVolumes) assert.ok(!/OrCreate$/.test(volume.hostPath.type ?? ''), `${volume.name} must not create host paths`);
    for (const mount of container['volumeMounts']) assert.equal(mount.readOnly, true, `${mount.name} is read-only`);
    assert.ok(!hostReadPaths().some((p) => p.path === '/run/containerd' || p.path === '/run'), 'no mount holds the containerd socket');
    assert.deepEqual(docs[2]!['rules'], [], 'the service account may do nothing');
  });

  it('reads a containerd kept elsewhere (k3s, a custom config) where --containerd-root and --containerd-state say', async () => {
    const printed = await runCli(['drift', 'manifests', '--containerd-root', '/var/lib/rancher/k3s/agent/containerd', '--containerd-state', '/run/k3s/containerd/'], { cwd: tmpdir() });
    assert.equal(printed.code, 0, printed.stderr);
    const docs = parseAllDocuments(printed.stdout).map((d) => d.toJS() as Record<string, any>); // `any`: the test walks arbitrary manifest fields
    const pod = docs[4]!['spec']['template']['spec'];
    const hostPaths = Object.fromEntries(pod['volumes'].filter((v: { hostPath?: unknown }) => v.hostPath).map((v: { name: string; hostPath: { path: string } }) => [v.name, v.hostPath.path]));
    assert.equal(hostPaths['containerd-layers'], '/var/lib/rancher/k3s/agent/containerd');
    assert.equal(hostPaths['containerd-state'], '/run/k3s/containerd/io.containerd.runtime.v2.task');
    const mounts = Object.fromEntries(pod['containers'][0]['volumeMounts'].map((m: { name: string; mountPath: string }) => [m.name, m.mountPath]));
    assert.equal(mounts['containerd-layers'], '/host/var/lib/rancher/k3s/agent/containerd');
    assert.deepEqual(pod['containers'][0]['args'].slice(-2), ['--containerd-state', '/run/k3s/containerd/']);
    const relative = await runCli(['drift', 'manifests', '--containerd-root', 'var/lib/containerd'], { cwd: tmpdir() });
    assert.equal(relative.code, 2);
    assert.match(relative.stderr, /--containerd-root: "var\/lib\/containerd" is not an absolute path/);
  });

  it('runs the image\'s capped copy of rootlock as its command, which carries exactly the added capabilities, as the image\'s drift user', async () => {
    const printed = await runCli(['drift', 'manifests'], { cwd: tmpdir() });
    const docs = parseAllDocuments(printed.stdout).map((d) => d.toJS() as Record<string, any>); // `any`: the test walks arbitrary manifest fields
    const pod = docs[4]!['spec']['template']['spec'];
    const container = pod['containers'][0];
    // The runtime execs the capped copy itself: no shell, no entrypoint (the image's is the plain copy) in between.
    assert.deepEqual(container['command'], [IMAGE_DRIFT_CLI]);
    assert.deepEqual(container['args'].slice(0, 2), ['drift', 'watch']);
    assert.deepEqual(container['securityContext']['capabilities']['add'], [...DRIFT_FILE_CAPABILITIES]);
    assert.equal(fileCapabilityText(container['securityContext']['capabilities']['add']), 'cap_dac_read_search,cap_sys_ptrace=ep');
    assert.deepEqual([pod['securityContext']['runAsUser'], pod['securityContext']['runAsGroup']], [IMAGE_DRIFT_USER.uid, IMAGE_DRIFT_USER.gid]);
    assert.equal(container['securityContext']['allowPrivilegeEscalation'], false);
  });
});
