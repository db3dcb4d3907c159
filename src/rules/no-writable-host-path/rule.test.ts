import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from './rule.js';
import { hostPathDanger } from './host-paths.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;
const mounting = (hostPath: string, mount = '') =>
  pod(`  containers:\n  - name: a\n    volumeMounts:\n    - {name: h, mountPath: /host${mount}}\n  volumes:\n  - name: h\n    hostPath: {path: "${hostPath}"}\n`);

describe('no-writable-host-path', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('reports the volumeMount item with its exact position, without a fix', () => {
    const run = runRule(rule, mounting('/srv/cache'));
    assert.equal(run.findings.length, 1);
    const [finding] = run.findings;
    assert.equal(finding?.path, 'spec.containers[0].volumeMounts[0]');
    assert.deepEqual([finding?.line, finding?.column], [8, 7]);
    assert.equal(finding?.message, 'container "a" mounts hostPath /srv/cache from volume "h" at /host without readOnly: true, so it can change files on the node that outlive the pod');
    assert.equal(finding?.fixable, false);
    assert.equal(rule.fixable, false);
  });

  it('accepts readOnly: true, and ignores other volume types and unmounted hostPaths', () => {
    assert.deepEqual(runRule(rule, mounting('/srv/cache', ', readOnly: true')).findings, []);
    const run = runRule(rule, pod(
      '  containers:\n  - name: a\n    volumeMounts:\n    - {name: e, mountPath: /e}\n    - {name: undeclared, mountPath: /u}\n' +
      '  volumes:\n  - {name: e, emptyDir: {}}\n  - {name: unused, hostPath: {path: /}}\n'));
    assert.deepEqual(run.findings, []);
  });

  it('calls out the paths that hand over the node', () => {
    const cases: Array<[string, RegExp]> = [
      ['/', /especially dangerous: \/ is the root of the node filesystem$/],
      ['/etc', /especially dangerous: \/etc is the node configuration/],
      ['/etc/kubernetes/pki', /\/etc\/kubernetes\/pki is inside \/etc, the node configuration/],
      ['/var/lib/kubelet/pods', /is inside \/var\/lib\/kubelet, the kubelet state/],
      ['/var', /\/var contains \/var\/lib\/kubelet, the kubelet state/],
      ['/run/containerd/containerd.sock', /is inside \/run\/containerd, the containerd socket/],
      ['/var/run/docker.sock', /\/var\/run\/docker\.sock is the Docker socket/],
    ];
    for (const [hostPath, expected] of cases) {
      const run = runRule(rule, mounting(hostPath));
      assert.match(run.findings[0]?.message ?? '', expected, hostPath);
    }
    assert.match(runRule(rule, mounting('/var/log/pods')).findings[0]?.message ?? '', /so it can change files on the node/);
  });

  it('reports a runtime socket even when mounted read-only, since connect() ignores readOnly', () => {
    const socket = runRule(rule, mounting('/run/containerd/containerd.sock', ', readOnly: true'));
    assert.equal(socket.findings.length, 1);
    assert.match(socket.findings[0]?.message ?? '', /read-only, but readOnly does not stop a process from connecting to the containerd socket/);
    assert.match(socket.findings[0]?.hint ?? '', /^remove the container runtime socket mount/);
    assert.equal(socket.findings[0]?.severity, 'error');
    const root = runRule(rule, mounting('/', ', readOnly: true'));
    assert.match(root.findings[0]?.message ?? '', /connecting to the containerd socket/, 'read-only / still reaches the socket');
    assert.match(root.findings[0]?.hint ?? '', /^mount only the narrowest node path/);
    assert.equal(root.findings[0]?.severity, 'warning', 'a read-only / only exposes the socket');
    assert.equal(runRule(rule, mounting('/')).findings[0]?.severity, 'error');
    assert.deepEqual(runRule(rule, mounting('/etc', ', readOnly: true')).findings, []);
  });

  it('applies a subPath to the host path it exposes', () => {
    const run = runRule(rule, mounting('/var/run/', ', subPath: docker.sock, readOnly: true'));
    assert.match(run.findings[0]?.message ?? '', /mounts hostPath \/var\/run\/docker\.sock from volume "h"/);
    assert.deepEqual(runRule(rule, mounting('/srv', ', subPath: app, readOnly: true')).findings, []);
  });

  it('reports per container mount across init, sidecar and ephemeral containers of a Deployment', () => {
    const run = runRule(rule, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: d}', 'spec:', '  template:', '    spec:',
      '      initContainers:', '      - {name: init, volumeMounts: [{name: h, mountPath: /a}, {name: h, mountPath: /b, readOnly: true}]}',
      '      - {name: side, restartPolicy: Always, volumeMounts: [{name: h, mountPath: /a}]}',
      '      containers:', '      - {name: app, volumeMounts: [{name: h, mountPath: /a}]}',
      '      ephemeralContainers:', '      - {name: dbg, volumeMounts: [{name: h, mountPath: /a}]}',
      '      volumes:', '      - {name: h, hostPath: {path: /srv}}', '',
    ].join('\n'));
    assert.deepEqual(run.findings.map((f) => [f.containerType, f.path]), [
      ['initContainer', 'spec.template.spec.initContainers[0].volumeMounts[0]'],
      ['initContainer', 'spec.template.spec.initContainers[1].volumeMounts[0]'],
      ['container', 'spec.template.spec.containers[0].volumeMounts[0]'],
      ['ephemeralContainer', 'spec.template.spec.ephemeralContainers[0].volumeMounts[0]'],
    ]);
    assert.match(run.findings[1]?.message ?? '', /^sidecar container "side"/);
  });

  it('classifies host paths', () => {
    assert.equal(hostPathDanger('/srv/data'), undefined);
    assert.equal(hostPathDanger('/var/log'), undefined);
    assert.equal(hostPathDanger('/etcd-data'), undefined, 'a sibling prefix is not inside /etc');
    assert.equal(hostPathDanger('/var/run/docker.sock')?.socket?.itself, true);
    assert.equal(hostPathDanger('/run')?.socket?.itself, false);
    assert.equal(hostPathDanger('/sys/fs/cgroup')?.socket, undefined);
  });
});
