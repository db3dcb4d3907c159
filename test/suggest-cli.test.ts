// `rootlock suggest` end to end: logs from a file or standard input, text and
// JSON, and the fix as a diff of a manifest that `git apply` takes, after
// which the same logs need no further change.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { LogSuggestions } from '../src/suggest/logs.js';
import { runCli, TempTree } from './helpers/cli.js';

const LOGS = [
  '/docker-entrypoint.sh: Configuration complete; ready for start up',
  '2026/11/27 05:00:00 [emerg] 1#1: mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)',
  'nginx: [emerg] open() "/var/run/nginx.pid" failed (30: Read-only file system)',
  "sh: can't create /tmp/ready: Read-only file system",
  'nginx: [emerg] open() "/etc/nginx/htpasswd" failed (13: Permission denied)',
  '',
].join('\n');

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: busybox:1.36
        securityContext:
          readOnlyRootFilesystem: true
      - name: web
        image: registry.example/web:2.1
        securityContext:
          readOnlyRootFilesystem: true
        volumeMounts:
        - name: tmp
          mountPath: /tmp
      volumes:
      - name: tmp
        emptyDir: {}
`;

interface SuggestJson extends LogSuggestions {
  logs: string;
  manifest?: { file: string; workload: string; container: string; image: string; changed: boolean; diff: string; note?: string };
}

describe('rootlock suggest', () => {
  let tree: TempTree;
  before(() => {
    tree = new TempTree({ 'web.log': LOGS, 'deploy.yaml': DEPLOYMENT });
    execFileSync('git', ['init', '-q'], { cwd: tree.root });
  });
  after(() => tree.remove());

  it('lists the directories with the lines that show them, and permission problems apart', async () => {
    const run = await runCli(['suggest', '--logs', 'web.log'], { cwd: tree.root });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, [
      'Mount a writable volume (an emptyDir; a persistentVolumeClaim for data that must survive the pod) at:',
      '  /run',
      '    web.log:3 (nginx): nginx: [emerg] open() "/var/run/nginx.pid" failed (30: Read-only file system)',
      '  /tmp',
      "    web.log:4 (shell): sh: can't create /tmp/ready: Read-only file system",
      '  /var/cache/nginx/client_temp',
      '    web.log:2 (nginx): 2026/11/27 05:00:00 [emerg] 1#1: mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)',
      'Permission denied, a uid or ownership problem (set runAsUser, runAsGroup or fsGroup, or fix ownership in the image), not a missing volume:',
      '  /etc/nginx/htpasswd',
      '    web.log:5 (nginx): nginx: [emerg] open() "/etc/nginx/htpasswd" failed (13: Permission denied)',
      '',
    ].join('\n'));
  });

  it('reads standard input and prints JSON with the evidence', async () => {
    const run = await runCli(['suggest', '--logs', '-', '--format', 'json'], { cwd: tree.root, stdin: LOGS });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as SuggestJson;
    assert.equal(result.logs, 'stdin');
    assert.deepEqual(result.suggestions.map((s) => [s.path, s.evidence.map((e) => [e.line, e.program, e.path])]), [
      ['/run', [[3, 'nginx', '/var/run/nginx.pid']]],
      ['/tmp', [[4, 'shell', '/tmp/ready']]],
      ['/var/cache/nginx/client_temp', [[2, 'nginx', '/var/cache/nginx/client_temp']]],
    ]);
    assert.deepEqual(result.permissionDenied.map((p) => p.path), ['/etc/nginx/htpasswd']);
    assert.equal(result.manifest, undefined);
  });

  it('prints a diff of the manifest that adds only the missing volumes to the named container, and git apply takes it', async () => {
    const run = await runCli(['suggest', '--logs', 'web.log', '--manifest', 'deploy.yaml', '--container', 'web', '--no-config'], { cwd: tree.root });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\/var\/cache\/nginx\/client_temp/, 'the explanation goes to standard error');
    const added = run.stdout.split('\n').filter((line) => line.startsWith('+') && !line.startsWith('+++'));
    assert.deepEqual(added, [
      '+        - name: run',
      '+          mountPath: /run',
      '+        - name: var-cache-nginx-client-temp',
      '+          mountPath: /var/cache/nginx/client_temp',
      '+      - name: run',
      '+        emptyDir: {}',
      '+      - name: var-cache-nginx-client-temp',
      '+        emptyDir: {}',
    ], '/tmp is already mounted; the sidecar (another image) is left alone');
    tree.write({ 'fix.patch': run.stdout });
    execFileSync('git', ['apply', 'fix.patch'], { cwd: tree.root });
    const patched = readFileSync(tree.path('deploy.yaml'), 'utf8');
    assert.match(patched, /mountPath: \/var\/cache\/nginx\/client_temp/);

    const again = await runCli(['suggest', '--logs', 'web.log', '--manifest', 'deploy.yaml', '--container', 'web', '--format', 'json', '--no-config'], { cwd: tree.root });
    assert.equal(again.code, 0, again.stderr);
    const result = JSON.parse(again.stdout) as SuggestJson;
    assert.deepEqual(
      { ...result.manifest, note: undefined },
      { file: 'deploy.yaml', workload: 'Deployment/web', container: 'web', image: 'registry.example/web:2.1', changed: false, diff: '', note: undefined },
    );
    assert.match(result.manifest?.note ?? '', /already covers/);
    tree.write({ 'deploy.yaml': DEPLOYMENT });
  });

  it('explains an empty diff when the container does not run read-only', async () => {
    tree.write({ 'writable.yaml': DEPLOYMENT.replace(/readOnlyRootFilesystem: true/g, 'readOnlyRootFilesystem: false') });
    const run = await runCli(['suggest', '--logs', 'web.log', '--manifest', 'writable.yaml', '--container', 'web', '--no-config'], { cwd: tree.root });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /writable\.yaml needs no change for web: .*does not set readOnlyRootFilesystem: true/);
  });

  it('refuses --container without --manifest, a missing log file and an unknown container', async () => {
    const alone = await runCli(['suggest', '--logs', 'web.log', '--container', 'web'], { cwd: tree.root });
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--container needs --manifest or --pod/);
    for (const args of [[], ['--logs', 'web.log', '--pod', 'web']]) {
      const either = await runCli(['suggest', ...args], { cwd: tree.root });
      assert.equal(either.code, 2, args.join(' '));
      assert.match(either.stderr, /either --logs FILE .* or --pod NAME/);
    }
    const stray = await runCli(['suggest', '--logs', 'web.log', '-n', 'shop'], { cwd: tree.root });
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /--namespace, --kubeconfig and --context go with --pod/);
    const missing = await runCli(['suggest', '--logs', 'nope.log'], { cwd: tree.root });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.log/);
    const unknown = await runCli(['suggest', '--logs', 'web.log', '--manifest', 'deploy.yaml', '--container', 'db', '--no-config'], { cwd: tree.root });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no workload with a container named db/);
  });
});
