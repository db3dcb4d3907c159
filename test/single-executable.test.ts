// The single executable (`npm run sea`): built here from this tree, it must
// stand alone (run from a directory with nothing else in it) and pass the CLI's
// own test files run against it (test/helpers/cli.ts runs the executable when
// ROOTLOCK_CLI_EXECUTABLE names it).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './helpers/repo.js';
import { pod } from './helpers/cli.js';
import { NETWORK_PROBE_ARGUMENT } from '../src/sandbox/single-executable.js';

const root = repoRoot();
/** The CLI test files that run against the executable: every one that drives the CLI through runCli. */
const CLI_TEST_FILES = ['cli', 'suggest-cli', 'drift-cli', 'html-report-cli', 'bad-input', 'verify-usage', 'report-streaming'];

describe('the single executable (npm run sea)', () => {
  let dir: string;
  let executable: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rootlock-sea-'));
    const { buildSingleExecutable } = (await import(pathToFileURL(join(root, 'scripts', 'build-sea.js')).href)) as { buildSingleExecutable(target: string): Promise<string> };
    // Built where nothing of the repository is beside it.
    executable = await buildSingleExecutable(join(dir, 'rootlock'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], cwd = dir) => spawnSync(executable, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('stands alone: version, an audit, and a cluster command that loads the Kubernetes client', () => {
    assert.equal(run(['--version']).stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    writeFileSync(join(dir, 'pod.yaml'), pod('web'));
    const audit = run(['audit', 'pod.yaml']);
    assert.equal(audit.status, 1, audit.stderr);
    assert.match(audit.stdout, /pod\.yaml:\d+:\d+ +error +read-only-root-filesystem/);
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]', 'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', '',
    ].join('\n'));
    const cluster = run(['audit', '--cluster', '--kubeconfig', 'kubeconfig']);
    assert.equal(cluster.status, 2);
    // Reaching "cannot reach" means the client was loaded and tried the server; nothing else was printed on the way.
    assert.match(cluster.stdout + cluster.stderr, /cannot reach the API server of context "x"/);
    assert.doesNotMatch(cluster.stderr, /Warning|internal error/);
  });

  it('is the sandbox\'s network probe runner too', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const probe = spawnSync(executable, [NETWORK_PROBE_ARGUMENT, JSON.stringify({ probe: { kind: 'tcp', port }, waitMs: 2000 })], { encoding: 'utf8' });
      assert.deepEqual(JSON.parse(probe.stdout.trim()), { ok: true, attempts: 1 });
    } finally {
      server.close();
    }
  });

  it('passes the CLI test files', () => {
    // A copy in a fresh directory, so the tests cannot lean on anything the build left beside it.
    const alone = mkdtempSync(join(tmpdir(), 'rootlock-sea-alone-'));
    try {
      copyFileSync(executable, join(alone, 'rootlock'));
      spawnSync('chmod', ['755', join(alone, 'rootlock')]);
      const files = CLI_TEST_FILES.map((name) => join(root, 'dist', 'test', `${name}.test.js`));
      // Their own run, not a child of this one (NODE_TEST_CONTEXT would make it report to this runner instead).
      const env: NodeJS.ProcessEnv = { ...process.env, ROOTLOCK_CLI_EXECUTABLE: join(alone, 'rootlock') };
      delete env['NODE_TEST_CONTEXT'];
      const tests = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { cwd: root, encoding: 'utf8', env, maxBuffer: 64 * 2 ** 20 });
      const failures = tests.stdout.slice(tests.stdout.lastIndexOf('ℹ tests'));
      assert.equal(tests.status, 0, `${failures}\n${tests.stdout.slice(tests.stdout.indexOf('✖ failing tests'))}\n${tests.stderr.slice(-4000)}`);
      const passed = Number(/ℹ pass (\d+)/.exec(failures)?.[1]);
      assert.ok(passed >= 50, `only ${passed} tests ran:\n${failures}`);
      assert.match(failures, /ℹ fail 0/);
      // And the files do run the executable named (a broken one fails them).
      const broken = spawnSync(process.execPath, ['--test', files[0]!], { cwd: root, encoding: 'utf8', env: { ...env, ROOTLOCK_CLI_EXECUTABLE: '/bin/false' } });
      assert.notEqual(broken.status, 0);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });
});
