// A real headless Chromium for the HTML report's tests: Debian's chromium,
// driven by playwright-core (which ships no browser). When chromium is
// missing, test/browser/setup-chromium.sh installs it (as root, with apt),
// as control-plane.ts builds the API server: the tests never skip.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { repoRoot } from './repo.js';
import { runCli } from './cli.js';

let chromiumPath: string | undefined;

/** The chromium executable; installs Debian's package first when it is missing. */
export function chromiumExecutable(): string {
  if (chromiumPath !== undefined) return chromiumPath;
  const script = join(repoRoot(), 'test', 'browser', 'setup-chromium.sh');
  let found = spawnSync('bash', [script, '--print-path'], { encoding: 'utf8' });
  if (found.status !== 0) {
    process.stderr.write('browser tests: chromium is missing; installing it with test/browser/setup-chromium.sh\n');
    found = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (found.status !== 0) throw new Error(`test/browser/setup-chromium.sh failed (exit ${found.status})`);
  }
  chromiumPath = found.stdout.trim().split('\n').pop() as string;
  return chromiumPath;
}

export async function launchBrowser(): Promise<Browser> {
  // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumExecutable(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** What a page did that it should not: console errors, uncaught exceptions, dialogs, requests off the page's own file. */
export interface PageWatch {
  errors: string[];
  dialogs: string[];
  requests: string[];
}

/** Opens a report file in a fresh context and waits for its script to finish; records what it did. */
export async function openReport(browser: Browser, file: string, options: { width?: number; height?: number; clipboard?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; watch: PageWatch; loadMs: number }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  // For every origin: a page opened from disk has none of its own.
  if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const watch: PageWatch = { errors: [], dialogs: [], requests: [] };
  const url = pathToFileURL(file).href;
  page.on('console', (message) => { if (message.type() === 'error') watch.errors.push(message.text()); });
  page.on('pageerror', (error) => watch.errors.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => { watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`); void dialog.dismiss(); });
  page.on('request', (request) => { if (request.url() !== url) watch.requests.push(request.url()); });
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
  return { context, page, watch, loadMs: Date.now() - started };
}

/** A temporary folder with the HTML report (and the JSON report) of `paths`, audited with every rule. */
export async function reportsOf(paths: string[], options: { cwd: string; extraArgs?: string[] }): Promise<{ dir: string; html: string; json: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'rootlock-browser-'));
  const html = join(dir, 'report.html');
  const json = join(dir, 'report.json');
  const extra = options.extraArgs ?? [];
  const htmlRun = await runCli(['audit', ...paths, '--format', 'html', '-o', html, ...extra], { cwd: options.cwd, allRules: true });
  // Exit code 2 also means input errors, which the report shows; only a missing page is a failure.
  if (!existsSync(html)) throw new Error(`audit --format html wrote no report (exit ${htmlRun.code}): ${htmlRun.stderr}`);
  // --drift and --profile are shown by the HTML report only.
  const htmlOnly = (arg: string | undefined) => arg === '--drift' || arg === '--profile';
  const jsonRun = await runCli(['audit', ...paths, '--format', 'json', ...extra.filter((arg, i, all) => !htmlOnly(arg) && !htmlOnly(all[i - 1]))], { cwd: options.cwd, allRules: true });
  writeFileSync(json, jsonRun.stdout);
  return { dir, html, json, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
