// Bad input never stops the run: each bad file gets a clear error or notice
// with its name and position, the other inputs are still audited, nothing
// throws, and memory stays bounded however large the input.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { auditJson, INPUT_TEST_RULES, pod, runCli, TempTree } from './helpers/cli.js';
import { repoRoot } from './helpers/repo.js';
import type { AuditReport } from '../src/report/model.js';

function billionLaughs(levels: number): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: lol}', 'data:', '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < levels; level++) {
    const name = String.fromCharCode(97 + level);
    const previous = String.fromCharCode(96 + level);
    lines.push(`  ${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('bad input', () => {
  let tree: TempTree;
  before(() => {
    const good = pod('good');
    tree = new TempTree({
      'inputs/good.yaml': good,
      'inputs/malformed.yaml': `${pod('before')}---\napiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n---\n${pod('after')}`,
      'inputs/bomb.yaml': billionLaughs(10),
      'inputs/cycle.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cycle}\ndata: &d {self: *d}\n',
      'inputs/binary.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]),
      'inputs/latin1.yaml': Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      'inputs/utf16.yaml': Buffer.from('\ufeffapiVersion: v1\n', 'utf16le'),
      'inputs/empty.yaml': '',
      'inputs/comments.yaml': '# rendered to nothing\n\n',
      'inputs/nothing/readme.txt': 'no manifests here\n',
      'inputs/deep.json': `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "data": ${'['.repeat(3000)}${']'.repeat(3000)}}\n`,
      'inputs/broken.json': '{\n  "apiVersion": "v1",\n  "kind": "Pod"\n  "metadata": {}\n}\n',
      'inputs/tabs.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tabbed\n',
      'inputs/crlf.yaml': good.replace(/\n/g, '\r\n'),
      'inputs/bom.yaml': `\ufeff${good}`,
    });
  });
  after(() => tree.remove());

  it('gets a clear error or notice with file and position for each bad input, and the run goes on', async () => {
    const { code, report } = await auditJson(['inputs'], { cwd: tree.root });
    assert.equal(code, 2);
    assert.deepEqual(report.errors.map((e) => `${e.file}:${e.line ?? '-'}:${e.column ?? '-'} ${e.code}`), [
      'inputs/binary.yaml:1:1 binary-file',
      'inputs/bomb.yaml:8:22 yaml-alias-limit',
      'inputs/broken.json:4:3 yaml-syntax',
      'inputs/cycle.yaml:4:17 yaml-alias-cycle',
      'inputs/deep.json:1:179 yaml-too-deep',
      'inputs/latin1.yaml:4:12 invalid-utf8',
      'inputs/malformed.yaml:13:1 yaml-syntax',
      'inputs/tabs.yaml:4:1 yaml-syntax',
      'inputs/utf16.yaml:1:1 unsupported-encoding',
    ]);
    for (const error of report.errors) assert.ok(error.message.length > 10, `${error.code} explains itself: ${error.message}`);
    assert.deepEqual(report.notices.map((n) => `${n.file} ${n.code}`), [
      'inputs/comments.yaml empty-file',
      'inputs/empty.yaml empty-file',
    ]);
    // The good documents, including those beside a broken one, are all audited, and CRLF and a BOM do not move positions.
    assert.deepEqual(report.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.object.name}`), [
      'inputs/bom.yaml:7:5 good',
      'inputs/crlf.yaml:7:5 good',
      'inputs/good.yaml:7:5 good',
      'inputs/malformed.yaml:7:5 before',
      'inputs/malformed.yaml:20:5 after',
    ]);
  });

  it('says when a folder holds no manifests, or only a symlink loop, and exits 2: nothing audited is not a clean audit', async () => {
    tree.write({ 'inputs-empty/.keep-out': '' });
    mkdirSync(tree.path('loop'), { recursive: true });
    symlinkSync(tree.path('loop/self'), tree.path('loop/self'));
    for (const folder of ['inputs/nothing', 'inputs-empty', 'loop']) {
      const { code, report } = await auditJson([folder], { cwd: tree.root });
      assert.equal(code, 2, folder);
      assert.deepEqual(report.errors.map((e) => `${e.file} ${e.code}`), [`${folder} no-manifests`]);
    }
    const beside = await auditJson(['inputs/nothing', 'inputs/good.yaml'], { cwd: tree.root });
    assert.equal(beside.code, 2);
    assert.deepEqual(beside.report.findings.map((f) => f.object.name), ['good'], 'the other inputs are still audited');
  });

  it('reports an object whose apiVersion has no such kind, naming the apiVersion it needs, and audits the rest', async () => {
    tree.write({ 'versions/wrong.yaml': 'apiVersion: v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: nginx}]\n---\n' + pod('right') });
    const { code, report } = await auditJson(['versions'], { cwd: tree.root });
    assert.equal(code, 2);
    assert.deepEqual(report.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.code}`), ['versions/wrong.yaml:1:1 unknown-api-version']);
    assert.match(report.errors[0]?.message ?? '', /^Deployment "web": apiVersion v1 has no kind Deployment, .*use apiVersion: apps\/v1$/);
    assert.deepEqual([...new Set(report.findings.map((f) => f.object.name))], ['right']);
    const fix = await runCli(['fix', '--write', 'versions'], { cwd: tree.root });
    assert.equal(fix.code, 2);
    assert.match(fix.stderr, /versions\/wrong\.yaml:1:1: Deployment "web": apiVersion v1 has no kind Deployment/);
    const after = readFileSync(tree.path('versions/wrong.yaml'), 'utf8');
    assert.match(after, /^apiVersion: v1\nkind: Deployment\nmetadata: \{name: web\}\nspec:\n  template:\n    spec:\n      containers: \[\{name: a, image: nginx\}\]\n---\n/, 'the rejected document is left as it was');
    assert.match(after, /readOnlyRootFilesystem: true/, 'the valid one beside it is fixed');
  });

  it('skips a document over --max-document-size with its line, and audits the rest of the file', async () => {
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: |\n${`    ${'x'.repeat(60)}\n`.repeat(20_000)}`;
    tree.write({ 'sized.yaml': `${pod('first')}---\n${big}---\n${pod('last')}` });
    const { code, report } = await auditJson(['sized.yaml', '--max-document-size', '1'], { cwd: tree.root });
    assert.equal(code, 2);
    assert.deepEqual(report.errors, [{ file: 'sized.yaml', line: 9, column: 1, code: 'document-too-large', message: 'document 2 is over the 1 MiB limit (--max-document-size); skipped' }]);
    assert.deepEqual(report.findings.map((f) => `${f.line} ${f.object.name} #${f.documentIndex}`), ['7 first #0', '20022 last #2']);
    assert.equal((await auditJson(['sized.yaml'], { cwd: tree.root })).code, 1, 'the default limit takes the 1.3 MB document');
  });
});

describe('a 100 MB input', () => {
  let tree: TempTree;
  let deployments = 0;
  let oversizeLine = 0;
  before(() => {
    // Deployments (each missing readOnlyRootFilesystem) between 256 KiB ConfigMaps, and one 40 MiB
    // ConfigMap: over the 32 MiB document limit, so it must be skipped without being held.
    tree = new TempTree();
    const file = openSync(tree.path('huge.yaml'), 'w');
    const blobLine = `    ${'x'.repeat(75)}\n`;
    const configMap = (name: string, kib: number) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata:\n  blob: |\n${blobLine.repeat(Math.ceil((kib * 1024) / blobLine.length))}`;
    const deployment = (i: number) =>
      `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: registry.example/app:${i}\n`;
    let bytes = 0;
    let lines = 0;
    const write = (text: string) => {
      writeSync(file, text);
      bytes += text.length;
      lines += text.split('\n').length - 1;
    };
    while (bytes < 100 * 1024 * 1024) {
      write(deployment(deployments++));
      if (deployments === 50) {
        oversizeLine = lines + 1;
        write(configMap('oversize', 40 * 1024));
      } else write(configMap(`data-${deployments}`, 256));
    }
    closeSync(file);
  });
  after(() => tree.remove());

  it('is audited as a stream: every workload reported, the oversized document skipped, peak memory bounded', () => {
    const child = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'test', 'helpers', 'measure-child.js'), 'audit', 'huge.yaml', '--format', 'json', '-o', 'report.json', ...INPUT_TEST_RULES], {
      cwd: tree.root,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const measured = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { code: number; maxRssKiB: number };
    const report = JSON.parse(readFileSync(tree.path('report.json'), 'utf8')) as AuditReport;
    assert.equal(measured.code, 2, 'exit 2: one document could not be read');
    assert.deepEqual(report.errors.map((e) => [e.line, e.code]), [[oversizeLine, 'document-too-large']]);
    assert.equal(report.summary.workloads, deployments);
    assert.equal(report.findings.length, deployments);
    assert.equal(report.findings.at(-1)?.object.name, `app-${deployments - 1}`);
    // Reading the whole file and parsing it at once peaks above 440 MB; streaming stays near 150-190 MB.
    assert.ok(measured.maxRssKiB < 256 * 1024, `peak RSS ${(measured.maxRssKiB / 1024).toFixed(0)} MiB`);
  });
});
