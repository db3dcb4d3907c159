// `rootlock audit --format html` from the command line, without a browser:
// flags, bad --drift files, standard input, and a report whose findings spill
// to disk written the same as one held in memory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, TempTree, pod } from './helpers/cli.js';
import { escapeHtml, scriptJson } from '../src/dashboard/html.js';
import { NGINX_PROFILE } from './helpers/profile-fixture.js';

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

  it('shows --profile results: the directories written and, per container of the image, whether a writable volume covers them', async () => {
    const tree = new TempTree({
      'web.yaml': pod('web', { image: 'nginx:1.27', securityContext: '{readOnlyRootFilesystem: true}' }),
      'nginx.json': JSON.stringify(NGINX_PROFILE),
      'drift.json': '{"tool": {"name": "rootlock"}, "containers": []}\n',
    });
    try {
      const noHtml = await runCli(['audit', 'web.yaml', '--profile', 'nginx.json'], { cwd: tree.root });
      assert.equal(noHtml.code, 2);
      assert.match(noHtml.stderr, /--profile is shown by the HTML report only; add --format html/);
      const notProfile = await runCli(['audit', 'web.yaml', '--format', 'html', '--profile', 'drift.json', '-o', 'r.html'], { cwd: tree.root });
      assert.equal(notProfile.code, 2);
      assert.match(notProfile.stderr, /--profile: drift\.json: not the output of `rootlock profile --format json` \(no "image"\)/);
      const cluster = await runCli(['audit', '--cluster', '--format', 'html', '--profile', 'nginx.json'], { cwd: tree.root });
      assert.equal(cluster.code, 2);
      assert.match(cluster.stderr, /--profile is matched against the containers of manifests/);

      const run = await runCli(['audit', 'web.yaml', '--format', 'html', '--profile', 'nginx.json'], { cwd: tree.root });
      assert.notEqual(run.code, 2, run.stderr);
      const section = /<section id="rl-profiles".*?<\/section>/s.exec(run.stdout)?.[0] ?? '';
      assert.deepEqual([...section.matchAll(/<table class="profile-written">.*?<\/table>/gs)].length, 1);
      assert.deepEqual([...section.matchAll(/<tr><td class="mono">([^<]+)<\/td>/g)].map((m) => m[1]), NGINX_PROFILE.proposals.map((p) => p.path));
      const rows = [...section.matchAll(/<tr class="profile-use" data-status="([a-z-]+)">.*?<td class="mono">([^<]+)<\/td>/g)].map((m) => `${m[2]} ${m[1]}`);
      assert.deepEqual(rows, ['/run fails', '/var/cache/nginx fails', '/var/log/nginx fails']);
      assert.match(section, /Pod web<br><span class="mono muted">web\.yaml:1<\/span>/);
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
