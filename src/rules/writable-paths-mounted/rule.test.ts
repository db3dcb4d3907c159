import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule, { reserveName, volumeNameFor } from './rule.js';
import { checkFixtures, runRule } from '../../../test/helpers/rule-tester.js';
import { emptyConfig } from '../../core/config.js';

const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;

describe('writable-paths-mounted', () => {
  it('passes and fails its fixtures', () => checkFixtures(rule));

  it('names the paths the study guide\'s basic nginx example lacks and mounts the ones the official image always writes', () => {
    const run = runRule(rule, pod('  containers:\n  - name: app\n    image: nginx:1.25\n    securityContext:\n      readOnlyRootFilesystem: true\n'));
    assert.deepEqual(run.findings.map((f) => f.severity), ['info', 'error']);
    const [conditional, finding] = run.findings;
    assert.match(conditional?.message ?? '', /no writable volume at \/var\/log\/nginx; .* writes to \/var\/log\/nginx \(access and error logs\) if its configuration logs to files other than access\.log and error\.log/);
    assert.equal(conditional?.fixable, false, 'paths written only in some configurations are never mounted by the fix');
    assert.equal(finding?.path, 'spec.containers[0].volumeMounts');
    assert.equal(finding?.line, 6);
    assert.equal(finding?.container, 'app');
    assert.match(finding?.message ?? '', /^container "app" has a read-only root filesystem, but its image nginx:1\.25 writes to \/tmp \(temporary files\), \/var\/run \(nginx\.pid\) and \/var\/cache\/nginx .*"Read-only file system"$/);
    assert.doesNotMatch(finding?.message ?? '', /\([^)]*\(/, 'no nested parentheses');
    assert.equal(finding?.fixable, true);
    const volumes = ['spec', 'volumes'];
    const mounts = ['spec', 'containers', 0, 'volumeMounts'];
    assert.deepEqual(finding?.edits, [
      { op: 'set', path: volumes, value: [{ name: 'tmp', emptyDir: {} }] },
      { op: 'set', path: mounts, value: [{ name: 'tmp', mountPath: '/tmp' }] },
      { op: 'append', path: volumes, value: { name: 'var-run', emptyDir: {} } },
      { op: 'append', path: mounts, value: { name: 'var-run', mountPath: '/var/run' } },
      { op: 'append', path: volumes, value: { name: 'var-cache-nginx', emptyDir: {} } },
      { op: 'append', path: mounts, value: { name: 'var-cache-nginx', mountPath: '/var/cache/nginx' } },
    ]);
  });

  it('reports nothing above info for an official nginx pod hardened as its Dockerfile needs (/tmp, /var/run, /var/cache/nginx)', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - name: web\n    image: nginx:1.27\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: tmp, mountPath: /tmp}\n    - {name: run, mountPath: /var/run}\n    - {name: cache, mountPath: /var/cache/nginx}\n' +
      '  volumes:\n  - {name: tmp, emptyDir: {}}\n  - {name: run, emptyDir: {}}\n  - {name: cache, emptyDir: {}}\n'));
    assert.deepEqual(run.findings.map((f) => `${f.severity} ${f.fixable}`), ['info false']);
    const withLogs = runRule(rule, pod(
      '  containers:\n  - name: web\n    image: nginx:1.27\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: tmp, mountPath: /tmp}\n    - {name: run, mountPath: /var/run}\n    - {name: cache, mountPath: /var/cache/nginx}\n    - {name: logs, mountPath: /var/log/nginx}\n' +
      '  volumes:\n  - {name: tmp, emptyDir: {}}\n  - {name: run, emptyDir: {}}\n  - {name: cache, emptyDir: {}}\n  - {name: logs, emptyDir: {}}\n'));
    assert.deepEqual(withLogs.findings, [], 'every path the image may write is mounted');
  });

  it('only adds what is missing, appending to existing lists', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - name: db\n    image: postgres:16\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: tmp, mountPath: /tmp}\n    - {name: data, mountPath: /var/lib/postgresql/data}\n' +
      '  volumes:\n  - {name: tmp, emptyDir: {}}\n  - {name: data, emptyDir: {}}\n'));
    assert.equal(run.findings.length, 1);
    assert.doesNotMatch(run.findings[0]?.message ?? '', /\/tmp|\/var\/lib/);
    assert.deepEqual(run.findings[0]?.edits, [
      { op: 'append', path: ['spec', 'volumes'], value: { name: 'var-run-postgresql', emptyDir: {} } },
      { op: 'append', path: ['spec', 'containers', 0, 'volumeMounts'], value: { name: 'var-run-postgresql', mountPath: '/var/run/postgresql' } },
    ]);
  });

  it('treats /var/run and /run as one directory, in both directions', () => {
    const mariadb = runRule(rule, pod(
      '  containers:\n  - name: db\n    image: mariadb:11\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: a, mountPath: /tmp}\n    - {name: b, mountPath: /var/lib/mysql}\n    - {name: c, mountPath: /var/run}\n' +
      '  volumes:\n  - {name: a, emptyDir: {}}\n  - {name: b, emptyDir: {}}\n  - {name: c, emptyDir: {}}\n'));
    assert.deepEqual(mariadb.findings, [], 'mariadb needs /run/mysqld, covered by /var/run');
    const postgres = runRule(rule, pod(
      '  containers:\n  - name: db\n    image: postgres:16\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: a, mountPath: /tmp}\n    - {name: b, mountPath: /var/lib/postgresql}\n    - {name: c, mountPath: /run/postgresql}\n' +
      '  volumes:\n  - {name: a, emptyDir: {}}\n  - {name: b, emptyDir: {}}\n  - {name: c, emptyDir: {}}\n'));
    assert.deepEqual(postgres.findings, [], 'postgres needs /var/run/postgresql, covered by /run/postgresql');
  });

  it('does not count a mount below the needed path, a read-only PVC or a secret', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - name: db\n    image: postgres:16\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: a, mountPath: /tmp/sub}\n    - {name: b, mountPath: /var/lib/postgresql/data}\n    - {name: c, mountPath: /var/run/postgresql}\n' +
      '  volumes:\n  - {name: a, emptyDir: {}}\n  - {name: b, persistentVolumeClaim: {claimName: x, readOnly: true}}\n  - {name: c, secret: {secretName: s}}\n'));
    assert.equal(run.findings.length, 1);
    const message = run.findings[0]?.message ?? '';
    assert.match(message, /\/tmp \(temporary files\)/);
    assert.match(message, /\/var\/lib\/postgresql\/data \(.*; \/var\/lib\/postgresql\/data is mounted from a persistentVolumeClaim with readOnly: true\)/);
    assert.match(message, /\/var\/run\/postgresql \(.*; \/var\/run\/postgresql is mounted from a secret volume, which is read-only\)/);
    // Only /tmp can be fixed by adding a volume; the others already have a mount at that directory.
    assert.deepEqual(run.findings[0]?.edits?.map((edit) => edit.op === 'delete' ? edit.path : edit.value), [{ name: 'tmp', emptyDir: {} }, { name: 'tmp', mountPath: '/tmp' }]);
    assert.match(run.findings[0]?.hint ?? '', /make the mount over \/var\/lib\/postgresql\/data and \/var\/run\/postgresql writable/);
  });

  it('does not count volume types it cannot judge, and says so', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - name: u\n    image: nginxinc/nginx-unprivileged:1.27\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: shared, mountPath: /tmp}\n  volumes:\n  - {name: shared, nfs: {server: nfs.example.com, path: /exports/tmp}}\n'));
    assert.match(run.findings[0]?.message ?? '', /\/tmp is mounted from a nfs volume, which rootlock cannot tell is writable/);
  });

  it('says readOnly: true and undeclared volumes do not make a path writable', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - name: u\n    image: nginxinc/nginx-unprivileged:1.27\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: tmp, mountPath: /tmp, readOnly: true}\n  volumes:\n  - {name: tmp, emptyDir: {}}\n'));
    assert.match(run.findings[0]?.message ?? '', /\/tmp is mounted with readOnly: true/);
    assert.equal(run.findings[0]?.fixable, false);
    const undeclared = runRule(rule, pod('  containers:\n  - name: u\n    image: nginxinc/nginx-unprivileged:1.27\n    securityContext: {readOnlyRootFilesystem: true}\n    volumeMounts:\n    - {name: tmp, mountPath: /tmp}\n'));
    assert.match(undeclared.findings[0]?.message ?? '', /from volume "tmp", which the pod does not declare/);
    assert.equal(undeclared.findings[0]?.hint, 'declare volume "tmp" in the pod (an emptyDir for scratch space)');
  });

  it('asks for an init container where the image ships files, and leaves that path out of the fix', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - name: mq\n    image: rabbitmq:3.13\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: data, mountPath: /var/lib/rabbitmq}\n    - {name: logs, mountPath: /var/log/rabbitmq}\n' +
      '  volumes:\n  - {name: data, emptyDir: {}}\n  - {name: logs, emptyDir: {}}\n'));
    const [finding] = run.findings;
    assert.match(finding?.message ?? '', /the image ships files in \/etc\/rabbitmq, so an emptyDir there needs an init container that copies them in first/);
    assert.match(finding?.hint ?? '', /init container/);
    const mounted = (finding?.edits ?? []).flatMap((edit) => edit.op === 'delete' ? [] : [JSON.stringify(edit.value)]).join(' ');
    assert.match(mounted, /"mountPath":"\/tmp"/);
    assert.doesNotMatch(mounted, /rabbitmq/);

    const onlyShipped = runRule(rule, pod(
      '  containers:\n  - name: mq\n    image: rabbitmq:3.13\n    securityContext: {readOnlyRootFilesystem: true}\n' +
      '    volumeMounts:\n    - {name: w, mountPath: /var}\n    - {name: w, mountPath: /tmp}\n  volumes:\n  - {name: w, emptyDir: {}}\n'));
    assert.equal(onlyShipped.findings.length, 1);
    assert.equal(onlyShipped.findings[0]?.fixable, false);
    assert.equal(onlyShipped.findings[0]?.edits, undefined);
  });

  it('never reuses a volume name: existing names and other containers get -2, -3', () => {
    const run = runRule(rule, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: d}', 'spec:', '  template:', '    spec:',
      '      containers:',
      '      - {name: a, image: python:3.12, securityContext: {readOnlyRootFilesystem: true}, volumeMounts: [{name: tmp, mountPath: /etc/app}]}',
      '      - {name: b, image: python:3.12, securityContext: {readOnlyRootFilesystem: true}}',
      '      volumes:', '      - {name: tmp, configMap: {name: app}}', '',
    ].join('\n'));
    assert.equal(run.findings.length, 2);
    const base = ['spec', 'template', 'spec'];
    assert.deepEqual(run.findings[0]?.edits, [
      { op: 'append', path: [...base, 'volumes'], value: { name: 'tmp-2', emptyDir: {} } },
      { op: 'append', path: [...base, 'containers', 0, 'volumeMounts'], value: { name: 'tmp-2', mountPath: '/tmp' } },
    ]);
    assert.deepEqual(run.findings[1]?.edits, [
      { op: 'append', path: [...base, 'volumes'], value: { name: 'tmp-3', emptyDir: {} } },
      { op: 'set', path: [...base, 'containers', 1, 'volumeMounts'], value: [{ name: 'tmp-3', mountPath: '/tmp' }] },
    ]);
  });

  it('creates the volumes list once: the second container appends to the list the first fix sets', () => {
    const run = runRule(rule, pod(
      '  containers:\n  - {name: a, image: python:3.12, securityContext: {readOnlyRootFilesystem: true}}\n' +
      '  - {name: b, image: node:22, securityContext: {readOnlyRootFilesystem: true}}\n'));
    assert.deepEqual(run.findings.filter((f) => f.fixable).map((f) => f.edits?.[0]), [
      { op: 'set', path: ['spec', 'volumes'], value: [{ name: 'tmp', emptyDir: {} }] },
      { op: 'append', path: ['spec', 'volumes'], value: { name: 'tmp-2', emptyDir: {} } },
    ]);
  });

  it('uses the effective setting: pod-level readOnlyRootFilesystem is dropped by Kubernetes', () => {
    const run = runRule(rule, pod('  securityContext: {readOnlyRootFilesystem: true}\n  containers:\n  - name: app\n    image: nginx:1.25\n'));
    assert.deepEqual(run.findings, []);
  });

  it('covers init, sidecar and ephemeral containers and names their type', () => {
    const run = runRule(rule, pod(
      '  initContainers:\n  - {name: i, image: python:3.12, securityContext: {readOnlyRootFilesystem: true}}\n' +
      '  - {name: s, image: python:3.12, restartPolicy: Always, securityContext: {readOnlyRootFilesystem: true}}\n' +
      '  containers:\n  - {name: c, image: busybox}\n' +
      '  ephemeralContainers:\n  - {name: e, image: python:3.12, securityContext: {readOnlyRootFilesystem: true}}\n'));
    assert.deepEqual(run.findings.map((f) => f.message.split(' has ')[0]), ['init container "i"', 'sidecar container "s"', 'ephemeral container "e"']);
    assert.deepEqual(run.findings.map((f) => f.path), ['spec.initContainers[0].volumeMounts', 'spec.initContainers[1].volumeMounts', 'spec.ephemeralContainers[0].volumeMounts']);
  });

  it('uses knowledge added in the config and ignores images nobody knows', () => {
    const text = pod('  containers:\n  - {name: app, image: registry.example.com/team/myapp:2, securityContext: {readOnlyRootFilesystem: true}}\n  - {name: other, securityContext: {readOnlyRootFilesystem: true}}\n');
    assert.deepEqual(runRule(rule, text).findings, []);
    const config = emptyConfig();
    config.images.push({ id: 'myapp', images: ['registry.example.com/team/myapp'], writablePaths: [{ path: '/var/lib/myapp/cache', why: 'render cache' }], sources: ['team wiki'], verified: true });
    const run = runRule(rule, text, { config });
    assert.equal(run.findings.length, 1);
    assert.match(run.findings[0]?.message ?? '', /\/var\/lib\/myapp\/cache \(render cache\)/);
    assert.deepEqual(run.findings[0]?.edits?.[0], { op: 'set', path: ['spec', 'volumes'], value: [{ name: 'var-lib-myapp-cache', emptyDir: {} }] });
  });
});

describe('volume names for writable paths', () => {
  it('makes readable DNS labels from paths', () => {
    assert.equal(volumeNameFor('/tmp'), 'tmp');
    assert.equal(volumeNameFor('/var/run'), 'var-run');
    assert.equal(volumeNameFor('/var/cache/nginx/'), 'var-cache-nginx');
    assert.equal(volumeNameFor('/opt/My_App/data.d'), 'opt-my-app-data-d');
    assert.equal(volumeNameFor('/'), 'writable');
    const long = volumeNameFor('/' + 'a'.repeat(80));
    assert.ok(long.length <= 59 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(long), long);
  });

  it('suffixes -2, -3 on collisions and records what it hands out', () => {
    const taken = new Set(['tmp', 'tmp-2']);
    assert.equal(reserveName('tmp', taken), 'tmp-3');
    assert.equal(reserveName('tmp', taken), 'tmp-4');
    assert.equal(reserveName('var-run', taken), 'var-run');
    assert.ok(taken.has('var-run'));
  });
});
