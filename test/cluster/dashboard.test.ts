// `rootlock dashboard` against a real API server and controller manager, looked
// at in a real browser: the page of the cluster's audit, the same counts as
// `audit --cluster --format json`, when the data was taken, a strict
// Content-Security-Policy header, loopback by default, and no write method.
// Once the PolicyReport CRDs are installed and the continuous auditor has
// written its reports, the page shows what the reports hold and says so.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { Browser } from 'playwright-core';
import { runDashboard, parseInterval } from '../../src/cli/dashboard-command.js';
import { DASHBOARD_CSP } from '../../src/dashboard/server.js';
import { launchBrowser } from '../helpers/browser.js';
import { eventually, installReportCrds, startWatcher, type WatcherProcess } from '../helpers/watcher.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { auditJson, runCli } from './run-cli.js';
import { repoRoot } from '../helpers/repo.js';
import { createWorkloads, expectStatus, waitForDefaultServiceAccount } from './workloads.js';

describe('rootlock dashboard (real API server, real browser)', () => {
  let cp: ControlPlane | undefined;
  let browser: Browser | undefined;
  const signals = new EventEmitter();
  let log = '';
  let running: Promise<number> | undefined;
  let base = '';
  let watcher: WatcherProcess | undefined;
  before(async () => {
    cp = await startControlPlane();
    await createWorkloads(cp);
    browser = await launchBrowser();
    running = runDashboard({ listen: '127.0.0.1:0', interval: '2s', kubeconfig: cp.kubeconfigPath, config: false } as never, { stdout: () => undefined, stderr: (text) => (log += text), today: '2026-06-01' }, signals);
    for (let i = 0; i < 600 && !/audited \d+ workload/.test(log); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const port = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(log)?.[1];
    assert.ok(port, `dashboard log: ${log}`);
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await watcher?.stop();
    signals.emit('SIGTERM');
    await running;
    await browser?.close();
    await cp?.stop();
  });

  it('serves the cluster\'s report with the audit\'s counts, says when the data was taken, and runs nothing else', async () => {
    const { report } = await auditJson(cp!.kubeconfigPath);
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-security-policy'), DASHBOARD_CSP);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    const context = await browser!.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    await page.goto(`${base}/`);
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(await page.textContent('#rl-errors strong'), String(report.summary.bySeverity.error));
    assert.equal(await page.textContent('#rl-warnings strong'), String(report.summary.bySeverity.warning));
    assert.equal(await page.textContent('#rl-workloads strong'), String(report.summary.workloads));
    assert.match((await page.textContent('#rl-count')) ?? '', new RegExp(`, ${report.findings.length} finding\\(s\\) match$`));
    assert.equal(await page.getAttribute('#rl-source', 'data-source'), 'audit');
    const taken = await page.getAttribute('#rl-read', 'datetime');
    assert.ok(taken && Date.now() - Date.parse(taken) < 60_000, `data taken at ${taken}`);
    // Its own audit is the check: there is no second, older time.
    assert.equal(await page.locator('#rl-changed').count(), 0);
    await page.locator('details.group', { has: page.locator('.name', { hasText: /^Deployment shop\/web$/ }) }).locator('summary').click();
    assert.ok(await page.locator('details[open] tr.finding').count() > 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('audits again every --interval', async () => {
    const first = /audited \d+ workload\(s\) at (\S+)/.exec(log)?.[1];
    for (let i = 0; i < 100 && (log.match(/audited \d+ workload/g) ?? []).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const times = [...log.matchAll(/audited \d+ workload\(s\) at (\S+)/g)].map((m) => m[1]);
    assert.ok(times.length >= 2 && times[1] !== first, log);
  });

  it('has no write actions, and serves health and nothing else', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${base}/`, { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'GET, HEAD');
    }
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/api/v1/secrets`)).status, 404);
  });

  it('listens on loopback by default and refuses bad flags', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (text: string) => (err += text) };
    assert.equal(await runDashboard({ listen: 'nowhere', interval: '5m' } as never, io), 2);
    assert.match(err, /--listen takes \[host\]:port/);
    assert.equal(await runDashboard({ listen: '127.0.0.1:0', interval: 'often' } as never, io), 2);
    assert.match(err, /--interval takes a duration/);
    // A port without a host is served on loopback only, and so is the default of --listen (127.0.0.1:8080).
    const second = new EventEmitter();
    let secondLog = '';
    const serving = runDashboard({ listen: ':0', interval: '1h', kubeconfig: cp!.kubeconfigPath, config: false } as never, { stdout: () => undefined, stderr: (text) => (secondLog += text) }, second);
    for (let i = 0; i < 100 && !secondLog.includes('serving'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(secondLog, /serving http:\/\/127\.0\.0\.1:\d+\//);
    second.emit('SIGTERM');
    assert.equal(await serving, 0);
    const help = await runCli(['dashboard', '--help']);
    assert.match(help.stdout, /--listen <\[host\]:port>\s+address to serve on \(default: "127\.0\.0\.1:8080"\)/);
    assert.equal(parseInterval('90s'), 90_000);
    assert.equal(parseInterval('5m'), 300_000);
    assert.equal(parseInterval('0'), undefined);
  });

  it('reads the continuous auditor\'s PolicyReports once they exist: their counts, their time, their source', async () => {
    await installReportCrds(cp!);
    watcher = startWatcher(['--kubeconfig', cp!.kubeconfigPath, '--policy-reports', '--report-interval', '0.2']);
    const oneShot = (await auditJson(cp!.kubeconfigPath)).report;
    type Listed = { items: Array<{ metadata: { managedFields?: Array<{ time?: string }> }; results: Array<{ result: string; severity?: string; rule?: string; resources: Array<{ kind: string; namespace?: string; name: string }> }> }> };
    // Undefined while the API server is still setting up the new kinds' storage (429).
    const list = async (): Promise<Listed['items'] | undefined> => {
      const items: Listed['items'] = [];
      for (const path of ['/apis/wgpolicyk8s.io/v1alpha2/policyreports', '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports']) {
        const res = await cp!.request('GET', `${path}?labelSelector=app.kubernetes.io%2Fmanaged-by%3Drootlock`);
        if (res.status === 429) return undefined;
        assert.equal(res.status, 200, JSON.stringify(res.body));
        items.push(...(res.body as Listed).items);
      }
      return items;
    };
    // What the reports hold, counted the way the page counts: fail is an error, warn a warning or info, skip exempted.
    const countsOf = (items: Listed['items']) => {
      const results = items.flatMap((item) => item.results);
      const workloads = new Set(results.map((r) => r.resources[0]).filter((r) => r && r.kind !== 'Namespace' && r.kind !== 'ServiceAccount').map((r) => `${r!.kind}/${r!.namespace}/${r!.name}`));
      return {
        error: results.filter((r) => r.result === 'fail').length,
        warning: results.filter((r) => r.result === 'warn' && r.severity !== 'info').length,
        info: results.filter((r) => r.result === 'warn' && r.severity === 'info').length,
        exempted: results.filter((r) => r.result === 'skip').length,
        workloads: workloads.size,
      };
    };
    const card = (html: string, id: string) => /<strong>(\d+)<\/strong>/.exec(html.slice(html.indexOf(`id="${id}"`)))?.[1];
    // The auditor writes its reports and the dashboard reads them on its next round (every 2 s): the page then matches them.
    const { html, items } = await eventually('the dashboard showing the reports', async () => {
      const items = await list();
      if (!items) return undefined;
      const c = countsOf(items);
      if (c.error !== oneShot.summary.bySeverity.error || c.warning !== oneShot.summary.bySeverity.warning) return undefined;
      const html = await (await fetch(`${base}/`)).text();
      if (!html.includes('data-source="policy-reports"')) return undefined;
      return card(html, 'rl-errors') === String(c.error) && card(html, 'rl-warnings') === String(c.warning) ? { html, items } : undefined;
    }, 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\ndashboard: ${log}\nwatcher: ${watcher?.stderr()}`);
    });
    const counts = countsOf(items);
    assert.ok(counts.error > 0 && counts.warning > 0, JSON.stringify(counts));
    assert.equal(card(html, 'rl-info'), String(counts.info));
    assert.equal(card(html, 'rl-exempted'), String(counts.exempted));
    assert.equal(card(html, 'rl-workloads'), String(counts.workloads));
    assert.equal(counts.workloads, oneShot.summary.workloads);
    assert.match(html, new RegExp(`From the continuous auditor: ${items.length} PolicyReport\\(s\\)`));
    assert.match(log, /read \d+ PolicyReport\(s\) of the continuous auditor/);
    // Two times: when the dashboard read the reports, and when the findings last changed, the latest write of a
    // report as the API server recorded it (the auditor writes only on change, so nothing says when it last looked).
    const newestWrite = (listed: Listed['items']) => new Date(Math.max(...listed.flatMap((item) => item.metadata.managedFields ?? []).map((field) => Date.parse(field.time ?? '')).filter((t) => t > 0))).toISOString();
    const times = (page: string) => ({
      read: /<time id="rl-read" datetime="([^"]+)"/.exec(page)?.[1] ?? '',
      changed: /Findings last changed at <time id="rl-changed" datetime="([^"]+)"/.exec(page)?.[1] ?? '',
    });
    const first = times(html);
    assert.equal(first.changed, newestWrite(items));
    assert.ok(Date.parse(first.read) >= Date.parse(first.changed) && Date.now() - Date.parse(first.read) < 60_000, JSON.stringify(first));
    // The next read (every 2 s) moves the read time; the changed time stays the reports' newest write.
    const next = await eventually('the dashboard reading the reports again', async () => {
      const before = await list();
      const shown = times(await (await fetch(`${base}/`)).text());
      const after = await list();
      // Compared only while no report was written meanwhile.
      if (!before || !after || newestWrite(before) !== newestWrite(after)) return undefined;
      const newest = newestWrite(after);
      return shown.read !== '' && Date.parse(shown.read) > Date.parse(first.read) && Date.parse(shown.read) >= Date.parse(newest) ? { ...shown, newest } : undefined;
    }, 30_000);
    assert.equal(next.changed, next.newest);
    assert.match(log, /read \d+ PolicyReport\(s\) of the continuous auditor, \d+ workload\(s\), at \S+; findings last changed at \S+/);
    const context = await browser!.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/`);
    await page.waitForSelector('html[data-ready="true"]');
    assert.match((await page.textContent('#rl-source')) ?? '', /^From the continuous auditor: \d+ PolicyReport\(s\) written by rootlock audit --cluster --watch --policy-reports/);
    assert.equal(await page.textContent('#rl-errors strong'), String(counts.error));
    assert.match((await page.textContent('#rl-count')) ?? '', new RegExp(`, ${counts.error + counts.warning + counts.info + counts.exempted} finding\\(s\\) match$`));
    await page.locator('details.group', { has: page.locator('.name', { hasText: /^Deployment shop\/web$/ }) }).locator('summary').click();
    await page.waitForSelector('details[open] tr.finding');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('reads the reports with exactly deploy/rbac/audit-clusterrole.yaml and dashboard-clusterrole.yaml', async () => {
    const cp_ = cp!;
    const dir = mkdtempSync(join(tmpdir(), 'rootlock-dashboard-rbac-'));
    try {
      expectStatus(await cp_.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rootlock-system' } }), 201, 'create rootlock-system');
      await waitForDefaultServiceAccount(cp_, 'rootlock-system');
      expectStatus(await cp_.request('POST', '/api/v1/namespaces/rootlock-system/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rootlock-dashboard' } }), 201, 'create ServiceAccount');
      for (const file of ['audit-clusterrole.yaml', 'dashboard-clusterrole.yaml']) {
        const role = parse(readFileSync(join(repoRoot(), 'deploy', 'rbac', file), 'utf8')) as { metadata: { name: string }; rules: Array<{ verbs: string[] }> };
        assert.ok(role.rules.every((rule) => rule.verbs.every((verb) => ['get', 'list', 'watch'].includes(verb))), `${file} grants only reads`);
        expectStatus(await cp_.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', role), 201, `create ${role.metadata.name}`);
        expectStatus(await cp_.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${role.metadata.name}-dashboard` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
          subjects: [{ kind: 'ServiceAccount', name: 'rootlock-dashboard', namespace: 'rootlock-system' }],
        }), 201, `bind ${role.metadata.name}`);
      }
      const res = await cp_.request('POST', '/api/v1/namespaces/rootlock-system/serviceaccounts/rootlock-dashboard/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
      expectStatus(res, 201, 'token');
      const kubeconfig = join(dir, 'dashboard.kubeconfig');
      writeFileSync(kubeconfig, JSON.stringify({
        apiVersion: 'v1', kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: cp_.server, 'certificate-authority-data': Buffer.from(cp_.caCertPem).toString('base64') } }],
        users: [{ name: 'dashboard', user: { token: (res.body as { status: { token: string } }).status.token } }],
        contexts: [{ name: 'dashboard', context: { cluster: 'test', user: 'dashboard' } }],
        'current-context': 'dashboard',
      }));
      const stop = new EventEmitter();
      let own = '';
      const serving = runDashboard({ listen: '127.0.0.1:0', interval: '1h', kubeconfig, config: false } as never, { stdout: () => undefined, stderr: (text) => (own += text) }, stop);
      await eventually('the dashboard reading the reports as rootlock-dashboard', async () => (/read \d+ PolicyReport|failed|cannot/.test(own) ? true : undefined), 30_000);
      stop.emit('SIGTERM');
      assert.equal(await serving, 0);
      assert.match(own, /read \d+ PolicyReport\(s\) of the continuous auditor/, own);
      assert.doesNotMatch(own, /cannot read|failed/, own);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
