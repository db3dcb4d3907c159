// `rootlock profile`, `verify` and `fix --profile` on real software: Debian
// bookworm's nginx and python3 from a debootstrapped root filesystem
// (test/profile/build-debian-rootfs.sh), packaged as an OCI image layout
// (test/helpers/debian-image.ts), run in the namespace sandbox as root.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ProfileResult } from '../src/profile/profile.js';
import type { VerifyResult } from '../src/profile/verify.js';
import { runCli } from './helpers/cli.js';
import { debianImageLayout } from './helpers/debian-image.js';
import { NGINX_WRITABLE_DIRS, nginxReadOnlyFailure, nginxWithoutVolumesStderr, PYTHON_WRITES_TMP, pythonTmpReadOnlyFailure } from './helpers/debian-failures.js';
import { repoRoot, seedExamplesDir } from './helpers/repo.js';
import { leftovers, withOwnTmpdir } from './helpers/sandbox-leftovers.js';
import { alive } from '../src/sandbox/run.js';
import { suggestFromLogs } from '../src/suggest/logs.js';

const NGINX_IMAGE = 'debian-nginx:bookworm';
/** For runs expected to fail: verify returns when the program exits, so a long settle time costs nothing and a loaded machine cannot make it pass. */
const FAILS_FAST = ['--settle', '10s'];

/** A Deployment running the nginx image with a readinessProbe on its named port and emptyDirs at `mounts`. */
function nginxDeployment(mounts: readonly string[]): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: nginx
          image: ${NGINX_IMAGE}
          securityContext: {readOnlyRootFilesystem: true}
          ports: [{name: http, containerPort: 80}]
          readinessProbe:
            httpGet: {path: /, port: http}
${mounts.length ? `          volumeMounts:\n${mounts.map((path, i) => `            - {name: v${i}, mountPath: ${path}}`).join('\n')}\n      volumes:\n${mounts.map((_, i) => `        - {name: v${i}, emptyDir: {}}`).join('\n')}\n` : ''}`;
}

/** The seed's Python example (examples/03-immutable-python-app.yaml) with the Debian python image, /tmp mounted or not. */
function seedPythonPod(withTmp: boolean, command?: string[]): string {
  const seed = readFileSync(join(SEED_EXAMPLES, '03-immutable-python-app.yaml'), 'utf8').replace('image: python:3.11-slim', 'image: debian-python:bookworm');
  let pod = withTmp ? seed : seed.replace(/\n    volumeMounts:\n[\s\S]*$/, '\n');
  if (command) pod = pod.replace(/command: \[.*\]/, `command: ${JSON.stringify(command)}`);
  return pod;
}

const SEED_EXAMPLES = seedExamplesDir();

describe('profile and verify on real Debian software (nginx, python3)', () => {
  let work: string;
  let layout: string;
  let before_: ReturnType<typeof leftovers>;
  let restoreTmpdir: () => void;
  before(() => {
    layout = debianImageLayout();
    work = mkdtempSync(join(tmpdir(), 'rootlock-debian-test-'));
    // This run's sandboxes only: other runs on the machine make theirs elsewhere.
    restoreTmpdir = withOwnTmpdir(join(work, 'tmp'));
  });
  after(() => {
    restoreTmpdir();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    before_ = leftovers();
  });
  // Runs after failing tests too: a failed run must clean up as well as a passing one.
  afterEach(() => {
    assert.deepEqual(leftovers(), before_, 'no sandbox process, directory, mount or child process is left behind');
  });

  const verify = async (manifest: string, text: string, image: 'nginx' | 'python', extra: string[] = []): Promise<{ code: number; result: VerifyResult }> => {
    writeFileSync(join(work, manifest), text);
    const run = await runCli(['verify', manifest, '--image-source', `${layout}:${image}`, '--settle', '1s', '--format', 'json', ...extra], { cwd: work });
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    return { code: run.code, result: JSON.parse(run.stdout) as VerifyResult };
  };

  it('profile of the nginx image, stopped once nginx answers, finds its temp, log and pid file directories', async () => {
    const run = await runCli(['profile', `${layout}:nginx`, '--probe', 'http://:80/', '--duration', '30s', '--image-name', NGINX_IMAGE, '--format', 'json', '-o', 'nginx.profile.json'], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(readFileSync(join(work, 'nginx.profile.json'), 'utf8')) as ProfileResult;
    assert.equal(result.exited, undefined, result.output);
    assert.equal(result.probe?.ok, true, JSON.stringify(result.probe));
    assert.equal(result.probe?.status, 200);
    assert.ok(result.probe!.elapsedMs < 30_000);
    assert.deepEqual(result.argv, ['nginx', '-g', 'daemon off;']);
    assert.deepEqual(result.proposals.map((p) => p.path), [...NGINX_WRITABLE_DIRS]);
    const paths = result.changes.map((c) => c.path);
    assert.ok(paths.includes('/run/nginx.pid'), paths.join(' '));
    for (const temp of ['body', 'fastcgi', 'proxy', 'scgi', 'uwsgi']) assert.ok(paths.includes(`/var/lib/nginx/${temp}`), `nginx's ${temp} temp directory: ${paths.join(' ')}`);
    assert.ok(paths.some((p) => p.startsWith('/var/log/nginx/')), paths.join(' '));
    const pid = result.proposals.find((p) => p.path === '/run')!;
    assert.ok(pid.bytes >= 2, 'nginx wrote its pid');
  });

  it('profile with a probe that never succeeds runs for the whole duration and says so, proposals and all', async () => {
    const run = await runCli(['profile', `${layout}:nginx`, '--probe', 'tcp://:8081', '--duration', '1500ms'], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /probe tcp:\/\/127\.0\.0\.1:8081 did not succeed within 1\.5s \(ECONNREFUSED\): the profile may miss what the program writes once it is ready/);
    assert.match(run.stdout, /^ {2}\/var\/lib\/nginx /m);
  });

  it('verify of a pod that mounts them passes, and nginx answers HTTP 200 to its readinessProbe inside the sandbox', async () => {
    const { code, result } = await verify('nginx-mounted.yaml', nginxDeployment(NGINX_WRITABLE_DIRS), 'nginx');
    assert.equal(code, 0, result.output);
    assert.equal(result.passed, true);
    assert.equal(result.exited, undefined);
    assert.deepEqual(result.readOnlyPaths, []);
    assert.equal(result.probe?.from, 'readinessProbe');
    assert.equal(result.probe?.target, 'http://127.0.0.1:80/');
    assert.equal(result.probe?.ok, true);
    assert.equal(result.probe?.status, 200);
  });

  it('verify of the pod without them fails, naming the path nginx could not write; each directory left out is named', async () => {
    const none = await verify('nginx-bare.yaml', nginxDeployment([]), 'nginx', FAILS_FAST);
    assert.equal(none.code, 1);
    assert.equal(none.result.passed, false);
    assert.deepEqual(none.result.exited, { code: 1 });
    // nginx stops at its first failed write: the temp directories come first.
    assert.deepEqual(none.result.readOnlyPaths, ['/var/lib/nginx/body'], none.result.output);
    assert.match(none.result.output, /\[emerg\] .*mkdir\(\) "\/var\/lib\/nginx\/body" failed \(30: Read-only file system\)/);
    for (const missing of NGINX_WRITABLE_DIRS) {
      const { code, result } = await verify(`nginx-without-${missing.replace(/\//g, '_')}.yaml`, nginxDeployment(NGINX_WRITABLE_DIRS.filter((d) => d !== missing)), 'nginx', FAILS_FAST);
      assert.equal(code, 1, `without ${missing}: ${result.output}`);
      assert.equal(result.readOnlyPaths.length, 1, result.output);
      assert.ok(result.readOnlyPaths[0]!.startsWith(`${missing}/`), `without ${missing}, verify names ${result.readOnlyPaths[0]}: ${result.output}`);
    }
  });

  it('the captured stderr of nginx without volumes is the real read-only error (for suggest)', async () => {
    const stderr = await nginxWithoutVolumesStderr();
    assert.match(stderr, /nginx|\[emerg\]/);
    assert.match(stderr, /"\/var\/lib\/nginx\/body" failed \(30: Read-only file system\)/);
    const withoutLog = await nginxReadOnlyFailure(['/run', '/var/lib/nginx']);
    assert.deepEqual(withoutLog.readOnlyPaths, ['/var/log/nginx/error.log'], withoutLog.output);
    assert.equal(withoutLog.exitCode, 1);
  });

  it('suggest on nginx\'s real errors, mount by mount, ends with nginx running and only paths that profile also proposed', async () => {
    const suggested: string[] = [];
    for (let round = 0; round < 12; round++) {
      let failure;
      try {
        failure = await nginxReadOnlyFailure(suggested);
      } catch (error) {
        assert.match(String(error), /no failure to capture/);
        break;
      }
      const paths = suggestFromLogs(failure.output).suggestions.map((s) => s.path);
      assert.ok(paths.length > 0, `suggest found nothing in: ${failure.output}`);
      for (const path of paths) {
        assert.ok(!suggested.includes(path), `${path} was already mounted: ${failure.output}`);
        assert.ok(NGINX_WRITABLE_DIRS.some((dir) => path === dir || path.startsWith(`${dir}/`)), `${path} lies under a directory profile proposes`);
        suggested.push(path);
      }
    }
    // nginx ran with what suggest found, and each directory profile proposes was needed.
    await assert.rejects(nginxReadOnlyFailure(suggested), /no failure to capture/);
    for (const dir of NGINX_WRITABLE_DIRS) assert.ok(suggested.some((path) => path === dir || path.startsWith(`${dir}/`)), `nothing suggested under ${dir}: ${suggested.join(', ')}`);
  });

  it('fix --profile then verify passes', async () => {
    writeFileSync(join(work, 'deploy.yaml'), nginxDeployment([]));
    const fixed = await runCli(['fix', '--profile', 'nginx.profile.json', '--rules', 'read-only-root-filesystem,writable-paths-mounted', '--write', 'deploy.yaml'], { cwd: work });
    assert.equal(fixed.code, 0, fixed.stderr);
    const text = readFileSync(join(work, 'deploy.yaml'), 'utf8');
    const mounts = [...text.matchAll(/mountPath: (\S+)/g)].map((m) => m[1]).sort();
    assert.deepEqual(mounts, [...NGINX_WRITABLE_DIRS], text);
    const run = await runCli(['verify', 'deploy.yaml', '--image-source', `${layout}:nginx`, '--settle', '1s'], { cwd: work });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^PASS Deployment\/web container nginx/);
    assert.match(run.stdout, /readinessProbe http:\/\/127\.0\.0\.1:80\/: ok \(200\)/);
  });

  it('the seed\'s Python example (python -m http.server 8080, user 1000, /tmp writable) verifies as passing', async () => {
    const { code, result } = await verify('python.yaml', seedPythonPod(true), 'python', ['--probe', 'http://:8080/']);
    assert.equal(code, 0, result.output);
    assert.equal(result.probe?.ok, true);
    assert.equal(result.probe?.status, 200);
  });

  it('without /tmp, the seed\'s Python example passes exactly when its profile saw no write to /tmp (it writes none)', async () => {
    writeFileSync(join(work, 'python-no-tmp.yaml'), seedPythonPod(false));
    const profiled = await runCli(['profile', `${layout}:python`, '--pod', 'python-no-tmp.yaml', '--probe', 'http://:8080/', '--duration', '30s', '--format', 'json'], { cwd: work });
    assert.equal(profiled.code, 0, profiled.stderr);
    const profile = JSON.parse(profiled.stdout) as ProfileResult;
    assert.equal(profile.probe?.ok, true, profile.output);
    assert.deepEqual(profile.user, { uid: 1000, gid: 0 });
    const writesTmp = profile.changes.some((c) => c.path === '/tmp' || c.path.startsWith('/tmp/'));
    assert.equal(writesTmp, false, `python -m http.server writes to /tmp: ${profile.changes.map((c) => c.path).join(' ')}`);
    assert.deepEqual(profile.proposals, [], 'it writes nowhere on the root filesystem');
    const { code, result } = await verify('python-no-tmp.yaml', seedPythonPod(false), 'python', ['--probe', 'http://:8080/']);
    assert.equal(result.passed, !writesTmp, result.output);
    assert.equal(code, 0);
  });

  it('a Python program that does write to /tmp: its profile proposes /tmp, it fails without /tmp naming the file, and passes with it', async () => {
    writeFileSync(join(work, 'python-writer.yaml'), seedPythonPod(false, PYTHON_WRITES_TMP));
    const profiled = await runCli(['profile', `${layout}:python`, '--pod', 'python-writer.yaml', '--probe', 'tcp://:8080', '--duration', '30s', '--format', 'json'], { cwd: work });
    assert.equal(profiled.code, 0, profiled.stderr);
    const profile = JSON.parse(profiled.stdout) as ProfileResult;
    assert.deepEqual(profile.proposals.map((p) => p.path), ['/tmp'], profile.output);
    const without = await verify('python-writer.yaml', seedPythonPod(false, PYTHON_WRITES_TMP), 'python', ['--probe', 'http://:8080/', ...FAILS_FAST]);
    assert.equal(without.code, 1);
    assert.deepEqual(without.result.readOnlyPaths, ['/tmp/rootlock-ready'], without.result.output);
    assert.match(without.result.output, /OSError: \[Errno 30\] Read-only file system: '\/tmp\/rootlock-ready'/);
    const captured = await pythonTmpReadOnlyFailure();
    assert.deepEqual(captured.readOnlyPaths, ['/tmp/rootlock-ready']);
    const withTmp = await verify('python-writer-tmp.yaml', seedPythonPod(true, PYTHON_WRITES_TMP), 'python', ['--probe', 'http://:8080/']);
    assert.equal(withTmp.code, 0, withTmp.result.output);
  });

  it('verify fails a program that stays up but does not answer its probe, and an exec probe runs inside the container', async () => {
    const deaf = nginxDeployment(NGINX_WRITABLE_DIRS).replace('httpGet: {path: /, port: http}', 'tcpSocket: {port: 8081}');
    const failed = await verify('nginx-deaf.yaml', deaf, 'nginx', ['--probe-wait', '1s']);
    assert.equal(failed.code, 1);
    assert.equal(failed.result.exited, undefined, 'nginx kept running');
    assert.equal(failed.result.probe?.ok, false);
    assert.equal(failed.result.probe?.target, 'tcp://127.0.0.1:8081');
    assert.match(failed.result.probe?.error ?? '', /ECONNREFUSED/);
    const exec = nginxDeployment(NGINX_WRITABLE_DIRS).replace('httpGet: {path: /, port: http}', 'exec: {command: [sh, -c, "test -s /run/nginx.pid && test \\"$(hostname)\\" = rootlock-sandbox"]}');
    const passed = await verify('nginx-exec.yaml', exec, 'nginx');
    assert.equal(passed.code, 0, JSON.stringify(passed.result.probe));
    assert.equal(passed.result.probe?.target, 'exec: sh -c test -s /run/nginx.pid && test "$(hostname)" = rootlock-sandbox');
    writeFileSync(join(work, 'nginx-bad-port.yaml'), nginxDeployment(NGINX_WRITABLE_DIRS).replace('port: http}', 'port: metrics}'));
    const refused = await runCli(['verify', 'nginx-bad-port.yaml', '--image-source', `${layout}:nginx`, '--settle', '1s'], { cwd: work });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /readinessProbe\.httpGet: port metrics is neither a number nor one of the container's named ports \(give --probe/);
  });

  it('a process that dies while its sandbox runs (an uncaught error, SIGTERM) takes the sandbox with it', async () => {
    const dist = join(repoRoot(), 'dist', 'src');
    const script = join(work, 'dies.mjs');
    writeFileSync(script, `
import { openImage } from ${JSON.stringify(pathToFileURL(join(dist, 'image', 'source.js')).href)};
import { startSandbox } from ${JSON.stringify(pathToFileURL(join(dist, 'sandbox', 'run.js')).href)};
import { probeSandbox, sandboxSpecFor } from ${JSON.stringify(pathToFileURL(join(dist, 'profile', 'profile.js')).href)};
const sandbox = startSandbox(sandboxSpecFor(openImage(process.argv[2]), undefined, false));
const probe = await probeSandbox(sandbox, { kind: 'tcp', port: 80 }, 20_000);
if (!probe?.ok) throw new Error('nginx did not start: ' + sandbox.output());
process.stdout.write('running ' + sandbox.dir + ' ' + (await sandbox.initPid()) + '\\n');
// Dies when the test says so (a line on stdin: an uncaught error; or the test's SIGTERM).
process.stdin.once('data', () => { throw new Error('dies on purpose'); });
setTimeout(() => {}, 60_000);
`);
    for (const how of ['throw', 'SIGTERM'] as const) {
      const child = spawn(process.execPath, [script, `${layout}:nginx`], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      const running = new Promise<{ dir: string; init: number }>((resolve) => child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /running (\S+) (\d+)/.exec(output);
        if (match) resolve({ dir: match[1]!, init: Number(match[2]) });
      }));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      // A hang here would stall the whole suite: fail with what the script said instead, and kill it.
      const within = async <T>(promise: Promise<T>, what: string): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`${how}: ${what} within 60 s; the script said: ${output}`));
          }, 60_000);
        });
        try {
          return await Promise.race([promise, deadline]);
        } finally {
          clearTimeout(timer);
        }
      };
      const { dir, init } = await within(Promise.race([running, exited.then(() => assert.fail(`the script ended early: ${output}`))]), 'the sandbox did not start');
      // The sandbox's init (nginx's master, pid 1 inside) and its workers.
      const sandboxed = [init, ...readFileSync(`/proc/${init}/task/${init}/children`, 'utf8').trim().split(/\s+/).map(Number)];
      assert.ok(sandboxed.length >= 2 && sandboxed.every(alive), `nginx and its workers run in the sandbox: ${sandboxed.join(' ')}`);
      if (how === 'SIGTERM') child.kill('SIGTERM');
      else child.stdin.write('die\n');
      const code = await within(exited, 'the script did not exit');
      assert.notEqual(code, 0);
      for (let i = 0; i < 100 && sandboxed.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(sandboxed.filter(alive), [], `${how}: no process of the sandbox is left (${output})`);
      assert.equal(existsSync(dir), false, `${how}: its scratch directory is removed`);
    }
  });
});
