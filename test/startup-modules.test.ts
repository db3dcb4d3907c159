// What a command loads decides how fast it starts (bench/startup). The
// launcher answers --version from package.json alone and runs every other
// command from the bundle dist/cli.cjs, where a module's code runs only when
// something imports it statically or the command imports it when it runs:
// the same graph the compiled ES modules form, which the load recorder sees.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './helpers/repo.js';
import { pod, TempTree } from './helpers/cli.js';

const root = repoRoot();
const bin = join(root, 'bin', 'rootlock.js');
const recorder = pathToFileURL(join(root, 'dist', 'test', 'helpers', 'load-recorder.js')).href;
const mainModule = pathToFileURL(join(root, 'dist', 'src', 'cli', 'main.js')).href;

let tree: TempTree;
before(() => {
  tree = new TempTree({ 'bad.yaml': pod('bad') });
});
after(() => tree.remove());

/** The modules `main(args)` loads, as paths below dist/src or node_modules (and node: builtins). */
function modulesLoadedBy(args: readonly string[]): string[] {
  const log = tree.path(`loads-${args.join('_').replace(/[^\w.-]/g, '_')}.txt`);
  const script = `const { main } = await import(${JSON.stringify(mainModule)}); process.exitCode = await main(${JSON.stringify(args)}, { stdout: () => true, stderr: () => true });`;
  const run = spawnSync(process.execPath, ['--import', recorder, '--input-type=module', '-e', script], { cwd: tree.root, encoding: 'utf8', env: { ...process.env, ROOTLOCK_LOAD_LOG: log } });
  assert.ok(run.status === 0 || run.status === 1, `${args.join(' ')}: exit ${run.status}: ${run.stderr}`);
  return readFileSync(log, 'utf8').trim().split('\n')
    .map((url) => url.replace(/^file:\/\/.*?\/(dist\/src|node_modules)\//, '$1/'))
    .filter((url) => url.startsWith('dist/src/') || url.startsWith('node_modules/'));
}

/** What the launcher itself requires (bin/rootlock.js is CommonJS), recorded by wrapping the module loader. */
function launcherRequires(args: readonly string[], env: NodeJS.ProcessEnv = {}): { requests: string[]; stdout: string } {
  const script = [
    "const Module = require('node:module'); const requests = []; const load = Module._load;",
    'Module._load = function (request, ...rest) { requests.push(request); return load.call(this, request, ...rest); };',
    `process.argv = [process.argv[0], ${JSON.stringify(bin)}, ...${JSON.stringify(args)}];`,
    "process.on('exit', () => require('node:fs').writeSync(2, '\\nREQUESTS ' + JSON.stringify(requests) + '\\n'));",
    `require(${JSON.stringify(bin)});`,
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], { cwd: tree.root, encoding: 'utf8', env: { ...process.env, ...env } });
  const line = /\nREQUESTS (.*)\n/.exec(run.stderr);
  assert.ok(line, run.stderr);
  return { requests: JSON.parse(line[1]!) as string[], stdout: run.stdout };
}

describe('start-up: what each command loads', () => {
  it('--version reads package.json and loads nothing of the CLI', () => {
    const { requests, stdout } = launcherRequires(['--version']);
    assert.equal(stdout.trim(), (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    assert.deepEqual(requests.filter((request) => !request.startsWith('node:')), [join(root, 'bin', 'rootlock.js')]);
    // The check above can fail: any other command goes through the bundle.
    assert.ok(launcherRequires(['rules']).requests.includes('./load-cli.js'));
  });

  it('--help loads commander and the CLI entry, no parser, rule or report', () => {
    for (const args of [['--help'], ['audit', '--help']]) {
      const modules = modulesLoadedBy(args);
      assert.ok(modules.includes('dist/src/cli/main.js'), args.join(' '));
      assert.deepEqual(modules.filter((m) => !/^(dist\/src\/cli\/(main|version|io|process-output)\.js|node_modules\/commander\/)/.test(m)), [], args.join(' '));
    }
  });

  it('an audit of files loads the parser, the rules and the report it writes, nothing for clusters, fixes, policies or other formats', () => {
    const modules = modulesLoadedBy(['audit', 'bad.yaml']);
    for (const needed of ['node_modules/js-yaml/', 'dist/src/rules/read-only-root-filesystem/rule.js', 'dist/src/report/text.js']) {
      assert.ok(modules.some((m) => m.startsWith(needed)), `an audit loads ${needed} (so the checks below can fail)`);
    }
    const unneeded = /^node_modules\/(@kubernetes|yaml|diff|tinyglobby)\/|^dist\/src\/(cluster|webhook|drift|policy|profile|sandbox|registry|image|fix|render|dashboard|suggest)\/|^dist\/src\/rules\/[^/]+\/(fix|admission)\.js$|^dist\/src\/report\/(json|sarif|junit|markdown)\.js$/;
    assert.deepEqual(modules.filter((m) => unneeded.test(m)), []);
    assert.ok(modulesLoadedBy(['audit', 'bad.yaml', '--format', 'sarif']).includes('dist/src/report/sarif.js'), 'the format written is loaded');
  });
});

describe('start-up: the code cache', () => {
  const cacheDir = () => join(tree.root, 'xdg', 'rootlock', 'compile-cache');

  it('the first run of a command leaves a V8 code cache in the user\'s cache directory, and later runs use it', () => {
    const env = { XDG_CACHE_HOME: join(tree.root, 'xdg') };
    const first = launcherRequires(['audit', 'bad.yaml'], env);
    assert.match(first.stdout, /read-only-root-filesystem/);
    const files = readdirSync(cacheDir());
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0]!, /^audit-/);
    const written = readFileSync(join(cacheDir(), files[0]!));
    const second = launcherRequires(['audit', 'bad.yaml'], env);
    assert.equal(second.stdout, first.stdout);
    assert.deepEqual(readFileSync(join(cacheDir(), files[0]!)), written, 'an accepted cache is not written again');
    // A cache V8 refuses (here: garbage) costs one compile and is replaced.
    writeFileSync(join(cacheDir(), files[0]!), 'not a code cache');
    assert.equal(launcherRequires(['audit', 'bad.yaml'], env).stdout, first.stdout);
    assert.notEqual(readFileSync(join(cacheDir(), files[0]!), 'utf8'), 'not a code cache');
    assert.ok(!existsSync(join(root, 'dist', 'compile-cache')), 'nothing is written into the package');
  });

  it('ROOTLOCK_NO_COMPILE_CACHE=1 writes none, and an unwritable cache directory is no error', () => {
    const off = launcherRequires(['rules'], { XDG_CACHE_HOME: join(tree.root, 'off'), ROOTLOCK_NO_COMPILE_CACHE: '1' });
    assert.match(off.stdout, /read-only-root-filesystem/);
    assert.ok(!existsSync(join(tree.root, 'off')));
    writeFileSync(tree.path('a-file'), '');
    const blocked = launcherRequires(['rules'], { XDG_CACHE_HOME: tree.path('a-file') });
    assert.equal(blocked.stdout, off.stdout);
  });
});
