// `rootlock drift` end to end: real overlay containers, each placed in a
// cgroup named as containerd, CRI-O or Docker would name it, with that
// runtime's metadata files in a fake host root (/proc and /tmp of the real
// host linked into it, as the DaemonSet mounts them under /host).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { installBinary, placeInCgroup, startOverlayContainer, writeFiles } from './helpers/overlay.js';
import type { OverlayContainer } from './helpers/overlay.js';
import type { DriftReport } from '../src/drift/report.js';
import type { FalcoEvent } from '../src/drift/render.js';

const SLEEP = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
const suffix = `${process.pid}`.padStart(8, '0');
const IDS = { containerd: `c0`.padEnd(56, 'a') + suffix, crio: `c1`.padEnd(56, 'b') + suffix, docker: `c2`.padEnd(56, 'c') + suffix };

function writeJson(root: string, path: string, value: unknown): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), JSON.stringify(value));
}

describe('rootlock drift (CLI, real overlays, fake runtime metadata)', () => {
  const containers: OverlayContainer[] = [];
  const cleanups: (() => void)[] = [];
  let host: string;
  let cwd: string;

  before(async () => {
    host = mkdtempSync(join(tmpdir(), 'rootlock-host-'));
    cwd = mkdtempSync(join(tmpdir(), 'rootlock-cwd-'));
    symlinkSync('/proc', join(host, 'proc'));
    symlinkSync(tmpdir(), join(host, tmpdir().replace(/^\//, '')));
    const image = (layer: string): void => {
      installBinary(layer, SLEEP, '/usr/bin/sleep');
      writeFiles(layer, { '/etc/app.conf': 'listen=8080\n', '/var/cache/app/seed': 'x\n' });
    };
    const start = async (cgroup: string): Promise<OverlayContainer> => {
      const container = await startOverlayContainer({
        layers: [image],
        changes: 'cp usr/bin/sleep usr/bin/dropped\necho listen=9090 > etc/app.conf\necho y > var/cache/app/new',
        command: ['/usr/bin/dropped', '300'],
      });
      containers.push(container);
      cleanups.push(placeInCgroup(container.pid, cgroup));
      return container;
    };
    await start(`rootlock-test-${suffix}/kubepods-pod7d0f9f4e_3a8f_4c64_9bde_1c2f0d1e2a3b.slice/cri-containerd-${IDS.containerd}.scope`);
    writeJson(host, `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${IDS.containerd}/config.json`, {
      annotations: {
        'io.kubernetes.cri.container-name': 'web', 'io.kubernetes.cri.sandbox-name': 'web-0', 'io.kubernetes.cri.sandbox-namespace': 'shop',
        'io.kubernetes.cri.image-name': 'registry.example/shop/web@sha256:' + '1'.repeat(64),
      },
    });
    await start(`rootlock-test-${suffix}/crio-${IDS.crio}.scope`);
    writeJson(host, `/run/containers/storage/overlay-containers/${IDS.crio}/userdata/config.json`, {
      annotations: { 'io.kubernetes.pod.name': 'api-0', 'io.kubernetes.pod.namespace': 'payments', 'io.kubernetes.container.name': 'api', 'io.kubernetes.cri-o.ImageName': 'quay.io/payments/api:2.3.1' },
    });
    await start(`rootlock-test-${suffix}/docker-${IDS.docker}.scope`);
    writeJson(host, `/var/lib/docker/containers/${IDS.docker}/config.v2.json`, {
      Image: 'sha256:' + '4'.repeat(64), Config: { Image: 'busybox:1.36', Labels: { 'io.kubernetes.pod.name': 'jobs-0', 'io.kubernetes.pod.namespace': 'batch', 'io.kubernetes.container.name': 'worker' } },
    });
  });

  after(async () => {
    for (const container of containers) await container.stop();
    for (const cleanup of cleanups) cleanup();
    rmSync(host, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  const NAMESPACES = ['-n', 'shop', '-n', 'payments', '-n', 'batch'];

  it('maps each container to its pod and image, and reports its changes and the running dropped binary', async () => {
    const run = await runCli(['drift', 'scan', '--root', host, '--format', 'json', '--no-config', ...NAMESPACES], { cwd });
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as DriftReport;
    const byPod = report.containers.map((c) => ({
      runtime: c.identity.runtime, containerId: c.identity.containerId, pod: `${c.identity.podNamespace}/${c.identity.podName}/${c.identity.containerName}`,
      image: c.identity.image, digest: c.identity.imageDigest,
      changes: c.changes.map((x) => `${x.kind} ${x.path} ${x.class}`),
      running: c.processes.map((p) => `${p.exe} ${p.reason} ${p.priority}`),
    })).sort((a, b) => a.pod.localeCompare(b.pod));
    const changes = ['changed /etc/app.conf config', 'added /usr/bin/dropped executable', 'added /var/cache/app/new other'];
    const running = ['/usr/bin/dropped upper-layer critical'];
    assert.deepEqual(byPod, [
      { runtime: 'docker', containerId: IDS.docker, pod: 'batch/jobs-0/worker', image: 'busybox:1.36', digest: 'sha256:' + '4'.repeat(64), changes, running },
      { runtime: 'cri-o', containerId: IDS.crio, pod: 'payments/api-0/api', image: 'quay.io/payments/api:2.3.1', digest: undefined, changes, running },
      { runtime: 'containerd', containerId: IDS.containerd, pod: 'shop/web-0/web', image: 'registry.example/shop/web@sha256:' + '1'.repeat(64), digest: 'sha256:' + '1'.repeat(64), changes, running },
    ]);
  });

  it('prints text like docker diff, with the running binary first', async () => {
    const run = await runCli(['drift', 'scan', '--root', host, '--no-config', '-n', 'shop'], { cwd });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, [
      `shop/web-0/web  image registry.example/shop/web@sha256:${'1'.repeat(64)}  containerd ${IDS.containerd.slice(0, 12)}`,
      `  RUN /usr/bin/dropped  pid ${containers[0]!.pid} (dropped)  critical: runs a binary from the container's writable layer, not from the image`,
      '  C /etc/app.conf (content)  warning config',
      '  A /usr/bin/dropped  error executable',
      '  A /var/cache/app/new  notice other',
      '',
    ].join('\n'));
  });

  it('emits Falco-shaped events and posts them to --webhook', async () => {
    const received: unknown[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.writeHead(200);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const run = await runCli(['drift', 'scan', '--root', host, '--format', 'falco', '--no-config', '-n', 'payments', '--webhook', url], { cwd });
      assert.equal(run.code, 1, run.stderr);
      const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as FalcoEvent);
      assert.deepEqual(received, events, 'the webhook gets exactly the printed events');
      assert.deepEqual(events.map((e) => [e.rule, e.priority, e.output_fields['fd.name'] ?? e.output_fields['proc.exepath']]), [
        ['Drop and execute new binary in container', 'Critical', '/usr/bin/dropped'],
        ['Write below etc in container', 'Warning', '/etc/app.conf'],
        ['Executable added or changed in container', 'Error', '/usr/bin/dropped'],
        ['File changed in container', 'Notice', '/var/cache/app/new'],
      ]);
      for (const event of events) {
        assert.deepEqual(Object.keys(event).sort(), ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
        assert.match(event.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.match(event.output, new RegExp(`^\\d{2}:\\d{2}:\\d{2}\\.\\d{9}: ${event.priority} `));
        assert.equal(event.output_fields['k8s.ns.name'], 'payments');
        assert.equal(event.output_fields['k8s.pod.name'], 'api-0');
        assert.equal(event.output_fields['container.image.repository'], 'quay.io/payments/api');
        assert.equal(event.output_fields['container.image.tag'], '2.3.1');
        assert.ok(event.tags.includes('drift'));
      }
    } finally {
      server.close();
    }
  });

  it('accepts allow-listed paths from .rootlock.yaml and recorded baselines; exit 0 once all drift is accepted', async () => {
    writeFileSync(join(cwd, '.rootlock.yaml'), [
      'drift:',
      '  allow:',
      '    - images: ["registry.example/shop/*"]',
      '      paths: ["/var/cache/app/**"]',
      '      reason: the app caches downloads here',
      '',
    ].join('\n'));
    const before = JSON.parse((await runCli(['drift', 'scan', '--root', host, '-f', 'json', '-n', 'shop'], { cwd })).stdout) as DriftReport;
    assert.deepEqual(before.containers[0]!.changes.filter((c) => c.suppressed).map((c) => [c.path, c.suppressed?.reason]), [['/var/cache/app/new', 'the app caches downloads here']]);

    const recorded = await runCli(['drift', 'baseline', '--root', host, '-n', 'shop', '-o', 'baseline.json'], { cwd });
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.equal(recorded.stdout, 'recorded 3 changes for 1 images in baseline.json\n');
    assert.deepEqual(JSON.parse(readFileSync(join(cwd, 'baseline.json'), 'utf8')), {
      version: 1,
      images: { ['sha256:' + '1'.repeat(64)]: [
        { path: '/etc/app.conf', kind: 'changed' }, { path: '/usr/bin/dropped', kind: 'added' }, { path: '/var/cache/app/new', kind: 'added' },
      ] },
    });
    // The baseline accepts the files; the process running a dropped binary is still critical.
    const withBaseline = await runCli(['drift', 'scan', '--root', host, '-n', 'shop', '--baseline', 'baseline.json'], { cwd });
    assert.equal(withBaseline.code, 1);
    assert.match(withBaseline.stdout, /RUN \/usr\/bin\/dropped/);
    assert.match(withBaseline.stdout, /\(3 accepted; --verbose shows them\)/);
    writeFileSync(join(cwd, '.rootlock.yaml'), 'drift:\n  allow:\n    - paths: ["/usr/bin/dropped"]\n      reason: debugging tool, ticket OPS-12\n');
    const allAccepted = await runCli(['drift', 'scan', '--root', host, '-n', 'shop', '--baseline', 'baseline.json'], { cwd });
    assert.equal(allAccepted.code, 0, allAccepted.stdout);
    rmSync(join(cwd, '.rootlock.yaml'));
  });

  it('rejects bad drift config with a position, and a bad --root, as usage errors', async () => {
    writeFileSync(join(cwd, '.rootlock.yaml'), 'drift:\n  allow:\n    - paths: ["/tmp/**"]\n');
    const bad = await runCli(['drift', 'scan', '--root', host, '-n', 'shop'], { cwd });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /\.rootlock\.yaml:3:7: .*every allowed drift needs a reason/);
    rmSync(join(cwd, '.rootlock.yaml'));
    const missing = await runCli(['drift', 'scan', '--root', join(host, 'nope')], { cwd });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot list .*nope\/proc/);
  });

  it('treats a missing subcommand, a bad format or interval, and unknown commands as usage errors', async () => {
    for (const argv of [['drift'], ['drift', 'scan', '--format', 'xml'], ['drift', 'watch', '--interval', '5x'], ['drift', 'bogus'], ['drift', 'manifests', '--interval', 'soon']]) {
      const run = await runCli(argv, { cwd });
      assert.equal(run.code, 2, argv.join(' '));
    }
    const help = await runCli(['drift', '--help'], { cwd });
    assert.equal(help.code, 0);
    for (const command of ['scan', 'baseline', 'watch', 'manifests']) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  });
});
