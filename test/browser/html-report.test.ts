// The HTML report in a real browser (Debian's chromium, headless, through
// playwright-core): the bundled examples' page agrees with the JSON report of
// the same input, filters and sorts, shows a fix as a diff and copies the
// fixed YAML; the hostile fixture runs nothing; the page works at a phone's
// width and axe-core finds no serious accessibility problem.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, openReport, reportsOf } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/repo.js';
import { expectedScores } from '../helpers/html-report.js';
import type { AuditReport } from '../../src/report/model.js';
import { CONTENT_SECURITY_POLICY } from '../../src/dashboard/html.js';
import { diffUpperLayer } from '../../src/drift/differ.js';
import { buildContainerDrift } from '../../src/drift/report.js';
import { renderJson } from '../../src/drift/render.js';
import type { ProfileResult } from '../../src/profile/profile.js';
import { NGINX_PROFILE } from '../helpers/profile-fixture.js';

const root = repoRoot();

/** The count line's numbers: `N object(s), M finding(s) match`. */
async function shownCounts(page: Page): Promise<{ groups: number; findings: number }> {
  const text = (await page.textContent('#rl-count')) ?? '';
  const match = /^(\d+) (?:object|rule)\(s\), (\d+) finding\(s\) match$/.exec(text);
  assert.ok(match, `count line: ${text}`);
  return { groups: Number(match[1]), findings: Number(match[2]) };
}

async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; nodes: number }>> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
}

/** Opens a group and waits for its body, which the page builds on the toggle event. */
async function openGroup(group: Locator): Promise<void> {
  await group.locator('summary').click();
  await group.locator('.body').waitFor();
}

/** Opens every group on the page, so each one's findings, checklist and fix are built. */
async function openAllGroups(page: Page): Promise<void> {
  await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ open: boolean }> } }).document;
    for (const details of Array.from(doc.querySelectorAll('details'))) details.open = true;
  });
  await page.waitForFunction(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document;
    return doc.querySelectorAll('details.group').length === doc.querySelectorAll('details.group > .body').length;
  });
}

describe('the HTML report in a real browser', () => {
  let browser: Browser | undefined;
  let examples: Awaited<ReturnType<typeof reportsOf>> | undefined;
  let json: AuditReport;
  // The examples' report with a profile of their nginx image, so the checks below (phone width, axe-core) cover the profile section too.
  const profileDir = mkdtempSync(join(tmpdir(), 'rootlock-browser-profile-'));
  before(async () => {
    browser = await launchBrowser();
    writeFileSync(join(profileDir, 'nginx.profile.json'), JSON.stringify({ ...NGINX_PROFILE, imageName: 'nginx:1.25' }));
    examples = await reportsOf(['examples'], { cwd: root, extraArgs: ['--profile', join(profileDir, 'nginx.profile.json')] });
    json = JSON.parse(readFileSync(examples.json, 'utf8')) as AuditReport;
  });
  after(async () => {
    await browser?.close();
    examples?.remove();
    rmSync(profileDir, { recursive: true, force: true });
  });

  it('shows the scores and counts of the JSON report of the same input, and loads nothing from the network', async () => {
    const { page, watch, context } = await openReport(browser!, examples!.html);
    // examples/hardened.yaml's Deployment shop/worker has no findings: the JSON report does not list it.
    const expected = expectedScores(json, { shop: 1 });
    assert.equal(await page.textContent('#rl-score strong'), String(expected.overall));
    assert.equal(await page.textContent('#rl-errors strong'), String(json.summary.bySeverity.error));
    assert.equal(await page.textContent('#rl-warnings strong'), String(json.summary.bySeverity.warning));
    assert.equal(await page.textContent('#rl-workloads strong'), String(json.summary.workloads));
    for (const [namespace, score] of expected.namespaces) {
      assert.equal(await page.textContent(`#rl-namespaces tr[data-namespace="${namespace}"] .ns-score`), String(score), `namespace ${namespace}`);
    }
    assert.equal((await shownCounts(page)).findings, json.findings.length);
    await page.check('input[name=clean]');
    const objects = new Set(json.findings.map((f) => `${f.file}|${f.object.kind}|${f.object.namespace}|${f.object.name}`));
    // hardened.yaml's worker has no findings: it is listed only with "workloads without findings".
    assert.equal((await shownCounts(page)).groups, objects.size + 1);
    // The profile of nginx:1.25 against examples/web.yaml's nginx container, which mounts nothing and has a writable root.
    const profileRows = await page.$$eval('#rl-profiles tr.profile-use', (rows) => rows.map((row) => `${row.querySelector('td.mono')?.textContent ?? ''} ${row.getAttribute('data-status') ?? ''}`));
    assert.deepEqual(profileRows, NGINX_PROFILE.proposals.map((proposal) => `${proposal.path} would-fail`));
    assert.match((await page.textContent('#rl-profiles tr.profile-use td[rowspan]')) ?? '', /^Deployment shop\/web/);
    assert.deepEqual(watch, { errors: [], dialogs: [], requests: [] });
    await context.close();
  });

  it('filters by severity, rule, namespace and text, and sorts', async () => {
    const { page, context } = await openReport(browser!, examples!.html);
    await page.uncheck('input[name=sev-warning]');
    await page.uncheck('input[name=sev-info]');
    assert.equal((await shownCounts(page)).findings, json.summary.bySeverity.error);
    await page.check('input[name=sev-warning]');
    await page.check('input[name=sev-info]');
    await page.selectOption('select[name=rule]', 'read-only-root-filesystem');
    assert.equal((await shownCounts(page)).findings, json.findings.filter((f) => f.rule === 'read-only-root-filesystem').length);
    await page.selectOption('select[name=rule]', '');
    await page.selectOption('select[name=namespace]', 'ns:');
    assert.equal((await shownCounts(page)).findings, json.findings.filter((f) => f.object.namespace === undefined).length);
    await page.selectOption('select[name=namespace]', '');
    await page.fill('input[name=text]', 'API');
    await page.waitForFunction((n) => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('rl-count').textContent.includes(`${n} finding`), json.findings.filter((f) => `${f.object.kind} ${f.object.namespace}/${f.object.name} ${f.file} ${f.rule} ${f.message} ${f.hint} ${f.container ?? ''} ${f.path}`.toLowerCase().includes('api')).length);
    await page.fill('input[name=text]', '');
    await page.waitForTimeout(250);

    await page.selectOption('select[name=sort]', 'name');
    const byName = await page.$$eval('details.group > summary .name', (nodes) => nodes.map((n) => n.textContent ?? ''));
    assert.deepEqual(byName, [...byName].sort());
    await page.selectOption('select[name=sort]', 'findings');
    const counts = await page.$$eval('details.group', (nodes) => nodes.map((n) => n.querySelectorAll('.badges .sev').length));
    assert.equal(counts.length, byName.length);
    await page.selectOption('select[name=group]', 'rule');
    const rules = await page.$$eval('details.group', (nodes) => nodes.map((n) => n.getAttribute('data-rule') ?? ''));
    const perRule = new Map<string, number>();
    for (const f of json.findings) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
    assert.deepEqual(new Set(rules), new Set(perRule.keys()));
    const sizes = rules.map((rule) => perRule.get(rule) ?? 0);
    assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), 'most findings first');
    // A rule group lists each of its findings.
    await openGroup(page.locator(`details[data-rule="${rules[0]}"]`));
    assert.equal(await page.locator(`details[data-rule="${rules[0]}"] tr.finding`).count(), sizes[0]);
    await context.close();
  });

  it('shows a workload\'s findings with positions, its checklist, and its fix as a diff; copies the fixed YAML that rootlock fix writes', async () => {
    const { page, context, watch } = await openReport(browser!, examples!.html, { clipboard: true });
    const api = page.locator('details.group', { has: page.locator('.name', { hasText: /^Deployment shop\/api$/ }) });
    await openGroup(api);
    const rows = api.locator('tr.finding');
    const apiFindings = json.findings.filter((f) => f.object.name === 'api' && f.object.kind === 'Deployment');
    assert.equal(await rows.count(), apiFindings.length);
    const positions = await api.locator('tr.finding td.mono').allTextContents();
    assert.deepEqual(positions.sort(), apiFindings.map((f) => `${f.file}:${f.line}:${f.column}`).sort());
    assert.equal(await api.locator('td.missed').count() + await api.locator('td.met').count(), 10, 'ten checklist items');

    await api.locator('button.show-diff').click();
    const added = await api.locator('pre.diff span.add').allTextContents();
    const removed = await api.locator('pre.diff span.del').allTextContents();
    assert.ok(added.length > 0 && removed.length > 0, 'the diff has green and red lines');
    const color = await api.locator('pre.diff span.add').first().evaluate((node) => (globalThis as unknown as { getComputedStyle(n: unknown): { backgroundColor: string } }).getComputedStyle(node).backgroundColor);
    assert.equal(color, 'rgb(218, 251, 225)');

    // The same change as `rootlock fix` makes of the file.
    const work = mkdtempSync(join(tmpdir(), 'rootlock-browser-fix-'));
    try {
      copyFileSync(join(root, 'examples', 'api.yaml'), join(work, 'api.yaml'));
      const fixRun = await runCli(['fix', 'api.yaml', '--format', 'json'], { cwd: work });
      const fixDiff = (JSON.parse(fixRun.stdout) as { files: Array<{ diff?: string }> }).files[0]?.diff ?? '';
      const fixAdded = fixDiff.split('\n').filter((line) => line.startsWith('+') && !line.startsWith('+++'));
      assert.deepEqual(added, fixAdded);
      await runCli(['fix', 'api.yaml', '--write'], { cwd: work });
      const fixedFile = readFileSync(join(work, 'api.yaml'), 'utf8');
      await api.locator('button.copy-yaml').click();
      await api.locator('.status', { hasText: 'Copied' }).waitFor();
      const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
      assert.ok(copied.length > 100 && fixedFile.startsWith(copied), 'the copied YAML is the fixed document');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    assert.deepEqual(watch.errors, []);
    await context.close();
  });

  it('sends a strict Content-Security-Policy that blocks a script that was not in the page', async () => {
    const { page, context } = await openReport(browser!, examples!.html);
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.equal(policy, CONTENT_SECURITY_POLICY);
    assert.match(policy ?? '', /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    const ran = await page.evaluate(async () => {
      const g = globalThis as unknown as { document: { createElement(t: string): { textContent: string }; body: { appendChild(n: unknown): void } }; __injected?: number };
      const script = g.document.createElement('script');
      script.textContent = 'window.__injected = 1';
      g.document.body.appendChild(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return g.__injected;
    });
    assert.equal(ran, undefined, 'an injected inline script did not run');
    await context.close();
  });

  it('runs nothing of a manifest full of markup, quotes and javascript: URLs, and shows it as text', async () => {
    const work = mkdtempSync(join(tmpdir(), 'rootlock-browser-xss-'));
    try {
      const drift = diffUpperLayer([{ path: '/usr/bin/<script>window.__xss=20</script>', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 10, executable: true } as never]);
      const container = buildContainerDrift({
        identity: { runtime: 'containerd', containerId: 'f'.repeat(64), podNamespace: '<script>window.__xss=21</script>', podName: '"><img src=x onerror=alert(22)>', containerName: "'><svg onload=alert(23)>", image: 'javascript:alert(24)' },
        upperdir: '/u', lowerdirs: ['/l'], changes: drift,
        processes: [{ pid: 7, command: '<script>alert(25)</script>', exe: '/usr/bin/<script>window.__xss=20</script>', deleted: false, memfd: false }],
        accepted: { allow: [] },
      });
      writeFileSync(join(work, 'drift.json'), renderJson({ tool: { name: 'rootlock', version: '0.0.0' }, hostname: '<script>alert(26)</script>', time: '2026-12-07T00:00:00Z', containers: [container], problems: ['<img src=x onerror=alert(27)>'] }));
      // A profile of the hostile Deployment's image whose every string is markup too; typed, and read back by readProfileFile.
      const hostileImage = 'javascript:window.__xss=7//<script>alert(7)</script>:latest';
      const profile: ProfileResult = {
        ...NGINX_PROFILE,
        image: '<script>window.__xss=30</script>',
        imageName: hostileImage,
        workload: '"><img src=x onerror=alert(31)>',
        container: "'><svg onload=alert(32)>",
        proposals: [
          { path: '/tmp/<script>alert(8)</script>/<script>window.__xss=33</script>', bytes: 1, paths: ['/tmp/<script>alert(8)</script>/<script>window.__xss=33</script>/f'] },
          { path: '/var/<img src=x onerror=alert(34)>', bytes: 2, paths: ['/var/<img src=x onerror=alert(34)>/f'] },
        ],
        coveredByVolumes: ['/data/"><script>alert(35)</script>'],
        atRoot: ["/<svg onload='alert(36)'>"],
      };
      writeFileSync(join(work, 'profile.json'), JSON.stringify(profile));
      const reports = await reportsOf([join(root, 'test', 'fixtures', 'html-report', 'hostile.yaml')], { cwd: work, extraArgs: ['--drift', 'drift.json', '--profile', 'profile.json'] });
      try {
        const { page, watch, context } = await openReport(browser!, reports.html);
        await page.check('input[name=clean]');
        await openAllGroups(page);
        for (const button of await page.locator('button.show-diff').all()) await button.click();
        await page.selectOption('select[name=group]', 'rule');
        await openAllGroups(page);
        const flags = await page.evaluate(() => {
          const g = globalThis as unknown as Record<string, unknown>;
          return { xss: g['__xss'], injected: g['__injected'] };
        });
        assert.deepEqual(flags, { xss: undefined, injected: undefined });
        assert.deepEqual(watch, { errors: [], dialogs: [], requests: [] });
        // Only the page's own two scripts and none of the manifest's elements exist.
        assert.equal(await page.locator('script:not([type])').count(), 1);
        assert.equal(await page.locator('img, iframe, svg:not(.bar), b, i').count(), 0);
        const body = (await page.textContent('body')) ?? '';
        for (const text of ['<script>window.__xss=2;alert(2)</script>', '"><img src=x onerror="window.__xss=3;alert(3)">', "<img src=x onerror='window.__xss=5;alert(5)'> javascript:alert(5) ' \" &amp; <!--", '/usr/bin/<script>window.__xss=20</script>', '<img src=x onerror=alert(27)>', '<script>window.__xss=30</script>', '"><img src=x onerror=alert(31)>', "'><svg onload=alert(32)>", '/var/<img src=x onerror=alert(34)>', '/data/"><script>alert(35)</script>', "/<svg onload='alert(36)'>"]) {
          assert.ok(body.includes(text), `shown as text: ${text}`);
        }
        // The profile's paths against the hostile Deployment's container: its hostPath at /tmp/<script>... covers the first.
        const profileRows = await page.$$eval('#rl-profiles tr.profile-use', (rows) => rows.map((row) => `${row.querySelector('td.mono')?.textContent ?? ''} ${row.getAttribute('data-status') ?? ''}`));
        assert.deepEqual(profileRows, [
          '/tmp/<script>alert(8)</script>/<script>window.__xss=33</script> covered',
          '/var/<img src=x onerror=alert(34)> would-fail',
          '/data/"><script>alert(35)</script> would-fail',
          "/<svg onload='alert(36)'> would-fail",
        ]);
        assert.equal(await page.textContent('#rl-profiles h3'), hostileImage);
        await page.selectOption('select[name=group]', 'workload');
        await page.fill('input[name=text]', '<svg onload');
        await page.waitForFunction(() => ((globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('rl-count').textContent ?? '').startsWith('1 object'));
        await context.close();
      } finally {
        reports.remove();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('is usable at a phone\'s width: nothing scrolls sideways, a diff scrolls in its own box', async () => {
    const { page, context } = await openReport(browser!, examples!.html, { width: 375, height: 740 });
    const api = page.locator('details.group', { has: page.locator('.name', { hasText: /^Deployment shop\/api$/ }) });
    await openGroup(api);
    await api.locator('button.show-diff').click();
    await page.locator('#rl-score-help summary').click();
    const widths = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return { scroll: doc.documentElement.scrollWidth, client: doc.documentElement.clientWidth };
    });
    assert.ok(widths.scroll <= widths.client, `page ${widths.scroll}px wide in a ${widths.client}px screen`);
    const button = await api.locator('button.copy-yaml').boundingBox();
    assert.ok(button && button.x >= 0 && button.x + button.width <= 375, 'the copy button is on screen');
    await context.close();
  });

  it('has no serious or critical accessibility violations (axe-core), closed and with a workload open', async () => {
    const { page, context } = await openReport(browser!, examples!.html);
    const api = page.locator('details.group', { has: page.locator('.name', { hasText: /^Deployment shop\/api$/ }) });
    await openGroup(api);
    await api.locator('button.show-diff').click();
    await page.locator('#rl-score-help summary').click();
    const violations = await axeViolations(page);
    assert.deepEqual(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), []);
    await context.close();
  });
});
