#!/usr/bin/env node
// Regenerates the HTML report's screenshots in docs/images/ from the bundled examples, in the same headless
// Chromium the browser tests use (test/browser/setup-chromium.sh installs it). Run after a build:
//   npm run screenshots
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const { main } = await import(pathToFileURL(join(root, 'dist/src/cli/main.js')).href);
const { launchBrowser } = await import(pathToFileURL(join(root, 'dist/test/helpers/browser.js')).href);

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
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
