#!/usr/bin/env node
// Regenerates the screenshots in docs/images/, in the same headless Chromium the browser tests use
// (test/browser/setup-chromium.sh installs it): the HTML report of the bundled examples, at a desktop's and a
// phone's width, and `rootlock dashboard` serving the test cluster of test/cluster/ (a real control plane,
// started as the tests start it: test/k8s/build.sh builds it when it is missing). Run after a build:
//   npm run screenshots
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const { main } = await import(pathToFileURL(join(root, 'dist/src/cli/main.js')).href);
const { launchBrowser } = await import(pathToFileURL(join(root, 'dist/test/helpers/browser.js')).href);
const { startControlPlane } = await import(pathToFileURL(join(root, 'dist/test/helpers/control-plane.js')).href);
const { createWorkloads } = await import(pathToFileURL(join(root, 'dist/test/cluster/workloads.js')).href);
const { runDashboard } = await import(pathToFileURL(join(root, 'dist/src/cli/dashboard-command.js')).href);
const { EventEmitter } = await import('node:events');

const work = mkdtempSync(join(tmpdir(), 'rootlock-screenshots-'));
const report = join(work, 'report.html');
const quiet = { stdout: () => undefined, stderr: (text) => { if (!text.startsWith('rootlock: wrote')) process.stderr.write(text); }, cwd: root, isTTY: false, today: '2026-06-01' };
await main(['audit', 'examples', '--format', 'html', '-o', report], quiet);
const images = join(root, 'docs', 'images');
mkdirSync(images, { recursive: true });
const browser = await launchBrowser();
try {
  for (const shot of [
    { file: 'html-report.png', width: 1280, height: 900 },
    { file: 'html-report-phone.png', width: 390, height: 844 },
  ]) {
    const context = await browser.newContext({ viewport: { width: shot.width, height: shot.height }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('html[data-ready="true"]');
    const api = page.locator('details.group', { has: page.locator('.name', { hasText: /^Deployment shop\/api$/ }) });
    await api.locator('summary').click();
    await api.locator('.body').waitFor();
    await api.locator('button.show-diff').click();
    await page.screenshot({ path: join(images, shot.file), fullPage: true });
    await context.close();
    process.stdout.write(`wrote docs/images/${shot.file}\n`);
  }
  // The dashboard of a live cluster.
  const cp = await startControlPlane();
  const signals = new EventEmitter();
  let log = '';
  let running;
  try {
    await createWorkloads(cp);
    running = runDashboard({ listen: '127.0.0.1:0', interval: '1h', kubeconfig: cp.kubeconfigPath, config: false }, { stdout: () => undefined, stderr: (text) => (log += text) }, signals);
    while (!/audited \d+ workload/.test(log)) await new Promise((resolve) => setTimeout(resolve, 100));
    const port = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(log)[1];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('html[data-ready="true"]');
    const web = page.locator('details.group', { has: page.locator('.name', { hasText: /^Deployment shop\/web$/ }) });
    await web.locator('summary').click();
    await web.locator('.body').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(images, 'dashboard.png'), fullPage: false });
    await context.close();
    process.stdout.write('wrote docs/images/dashboard.png\n');
  } finally {
    signals.emit('SIGTERM');
    await running;
    await cp.stop();
  }
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
