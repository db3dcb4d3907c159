// `rootlock dashboard` against a real API server and controller manager, looked
// at in a real browser: the page of the cluster's audit, the same counts as
// `audit --cluster --format json`, when the data was taken, a strict
// Content-Security-Policy header, loopback by default, and no write method.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { runDashboard, parseInterval } from '../../src/cli/dashboard-command.js';
import { DASHBOARD_CSP } from '../../src/dashboard/server.js';
import { launchBrowser } from '../helpers/browser.js';
import { startControlPlane, type ControlPlane } from '../helpers/control-plane.js';
import { auditJson, runCli } from './run-cli.js';
import { createWorkloads } from './workloads.js';

describe('rootlock dashboard (real API server, real browser)', () => {
  let cp: ControlPlane | undefined;
  let browser: Browser | undefined;
  const signals = new EventEmitter();
  let log = '';
  let running: Promise<number> | undefined;
  let base = '';
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
    const taken = await page.getAttribute('#rl-taken time', 'datetime');
    assert.ok(taken && Date.now() - Date.parse(taken) < 60_000, `data taken at ${taken}`);
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
});
