import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from './main.js';
import type { CliIO } from './io.js';

const directory = mkdtempSync(join(tmpdir(), 'rootlock-fix-cli-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const POD = `# The web pod
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app    # main container
    image: nginx:1.25
`;
const FIXED_POD = POD + '    securityContext:\n      readOnlyRootFilesystem: true\n';

async function run(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    cwd: directory,
    today: '2026-01-01',
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
  };
  // One rule keeps the expected diffs small; the whole planner is tested in test/fix-command-all-rules.test.ts.
  const code = await main(['fix', '--no-config', ...(args.some((a) => a.startsWith('--rules')) ? [] : ['--rules', 'read-only-root-filesystem']), ...args], io);
  return { code, stdout, stderr };
}

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return name;
}

describe('rootlock fix', () => {
  it('prints a unified diff and changes nothing by default', async () => {
    const name = file('pod.yaml', POD);
    const result = await run([name]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, [
      '--- a/pod.yaml',
      '+++ b/pod.yaml',
      '@@ -7,3 +7,5 @@',
      '   containers:',
      '   - name: app    # main container',
      '     image: nginx:1.25',
      '+    securityContext:',
      '+      readOnlyRootFilesystem: true',
      '',
    ].join('\n'));
    assert.match(result.stderr, /would fix 1 finding in 1 file/);
    assert.equal(readFileSync(join(directory, name), 'utf8'), POD);
  });

  it('--check exits 1 when something would change and 0 when nothing would', async () => {
    const name = file('check.yaml', POD);
    assert.equal((await run(['--check', name])).code, 1);
    assert.equal(readFileSync(join(directory, name), 'utf8'), POD);
    const clean = file('clean.yaml', FIXED_POD);
    const result = await run(['--check', clean]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /nothing to fix/);
  });

  it('--write rewrites the file in place, keeping its mode, and a second run finds nothing', async () => {
    const name = file('write.yaml', POD);
    chmodSync(join(directory, name), 0o600);
    const result = await run(['--write', name]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    assert.equal(readFileSync(join(directory, name), 'utf8'), FIXED_POD);
    assert.equal(statSync(join(directory, name)).mode & 0o777, 0o600);
    assert.equal((await run(['--check', name])).code, 0);
  });

  it('reads - from standard input and writes the fixed manifests to standard output', async () => {
    const result = await run(['-'], POD);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, FIXED_POD);
    assert.equal((await run(['-', 'pod.yaml'], POD)).code, 2);
    assert.equal((await run(['--write', '-'], POD)).code, 2);
  });

  it('fixes items of a List and JSON files, and leaves exempted findings alone', async () => {
    const list = file('list.yaml', 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n    containers:\n    - name: a\n');
    const json = file('pod.json', '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "j"},\n  "spec": {"containers": [{"name": "a"}]}\n}\n');
    const exempt = file('exempt.yaml', POD.replace('  name: web\n', '  name: web\n  annotations:\n    rootlock.dev/ignore: read-only-root-filesystem\n'));
    const result = await run(['--write', list, json, exempt]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(readFileSync(join(directory, list), 'utf8'), /    - name: a\n      securityContext:\n        readOnlyRootFilesystem: true\n$/);
    assert.deepEqual(JSON.parse(readFileSync(join(directory, json), 'utf8')).spec.containers[0].securityContext, { readOnlyRootFilesystem: true });
    assert.equal(readFileSync(join(directory, exempt), 'utf8'), POD.replace('  name: web\n', '  name: web\n  annotations:\n    rootlock.dev/ignore: read-only-root-filesystem\n'));
  });

  it('fixes the documents that parse, leaves a broken one alone, reports it and exits 2', async () => {
    const text = POD + '---\napiVersion: v1\nkind: Pod\nmetadata: {name: [broken}\nspec:\n  containers:\n  - name: b\n';
    const name = file('broken.yaml', text);
    const result = await run(['--write', name]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /broken\.yaml:13:\d+:/);
    assert.equal(readFileSync(join(directory, name), 'utf8'), FIXED_POD + text.slice(POD.length));
  });

  it('limits fixes to --rules and rejects unknown rules', async () => {
    const name = file('rules.yaml', POD);
    assert.equal((await run(['--rules', 'no-such-rule', name])).code, 2);
    const result = await run(['--rules', 'read-only-root-filesystem', name]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /readOnlyRootFilesystem: true/);
  });
});
