// `rootlock audit --format html` from the command line, without a browser:
// flags, bad --drift files, standard input, and a report whose findings spill
// to disk written the same as one held in memory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, TempTree, pod } from './helpers/cli.js';
import { escapeHtml, scriptJson } from '../src/dashboard/html.js';

describe('audit --format html', () => {
  it('refuses --drift without --format html, and a --drift file that is not drift scan output, naming file, line and column', async () => {
    const tree = new TempTree({ 'pod.yaml': pod('web'), 'bad.json': '{\n  "tool": {"name": "rootlock"},\n  "containers": [,]\n}\n', 'other.json': '{"items": []}\n' });
    try {
      const noHtml = await runCli(['audit', 'pod.yaml', '--drift', 'bad.json'], { cwd: tree.root });
      assert.equal(noHtml.code, 2);
      assert.match(noHtml.stderr, /--drift is shown by the HTML report only; add --format html/);
      const syntax = await runCli(['audit', 'pod.yaml', '--format', 'html', '--drift', 'bad.json', '-o', 'r.html'], { cwd: tree.root });
      assert.equal(syntax.code, 2);
      assert.match(syntax.stderr, /--drift: .*bad\.json:3:18: not JSON/);
      const other = await runCli(['audit', 'pod.yaml', '--format', 'html', '--drift', 'other.json', '-o', 'r.html'], { cwd: tree.root });
      assert.equal(other.code, 2);
      assert.match(other.stderr, /other\.json: not the output of `rootlock drift scan --format json`/);
      const missing = await runCli(['audit', 'pod.yaml', '--format', 'html', '--drift', 'none.json'], { cwd: tree.root });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read .*none\.json/);
    } finally {
      tree.remove();
    }
  });

  it('writes a page for standard input, with the fix of each workload and the exit code of the audit', async () => {
    const run = await runCli(['audit', '-', '--format', 'html'], { cwd: process.cwd(), stdin: pod('web', { namespace: 'shop' }), allRules: true });
    assert.equal(run.code, 1);
    assert.ok(run.stdout.startsWith('<!DOCTYPE html>'));
    assert.ok(run.stdout.endsWith('</html>\n'));
    const fixes = /id="rl-fixes">(.*?)<\/script>/s.exec(run.stdout)?.[1] ?? '';
    const parsed = JSON.parse(fixes) as Array<{ diff: string; fixed: string }>;
    assert.equal(parsed.length, 1);
    assert.match(parsed[0]?.fixed ?? '', /readOnlyRootFilesystem: true/);
    assert.match(parsed[0]?.diff ?? '', /^--- a\/-\n\+\+\+ b\/-\n/);
  });

  it('escapes markup in HTML and in the JSON blocks', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    const json = scriptJson({ name: '</script><!--<script>\u2028' });
    assert.ok(!json.includes('<'));
    assert.deepEqual(JSON.parse(json), { name: '</script><!--<script>\u2028' });
  });
});
