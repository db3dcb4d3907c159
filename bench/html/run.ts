// The HTML report benchmark. On the audit benchmark's generated corpus
// (20,000 workloads by default), writes the HTML report and the text report
// of the same audit with the CLI, then times in a real headless Chromium,
// in alternating order over several rounds: (a) the baseline, the text report
// opened as a plain-text page, until its load event, and (b) the HTML report,
// until its script has built the page (`data-ready`). Each round's HTML time
// is divided by the same round's text time; the median decides.
//
//   npm run bench:html -- [--workloads 20000] [--rounds 5] [--seed 1]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureCorpus } from '../audit/generate.js';
import { main } from '../../src/cli/main.js';
import { launchBrowser } from '../../test/helpers/browser.js';

const { values: flags } = parseArgs({
  options: {
    workloads: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

async function writeReport(corpus: string, format: 'html' | 'text', output: string): Promise<number> {
  const started = performance.now();
  const code = await main(['audit', '.', '--format', format, '-o', output], { stdout: () => undefined, stderr: () => undefined, cwd: corpus, isTTY: false, today: '2026-06-01' });
  if (code === 2) throw new Error(`audit --format ${format} failed`);
  return performance.now() - started;
}

const workloads = Number(flags.workloads);
const rounds = Number(flags.rounds);
const { summary } = ensureCorpus(workloads, Number(flags.seed));
const out = mkdtempSync(join(tmpdir(), 'rootlock-bench-html-'));
try {
  const htmlFile = join(out, 'report.html');
  const textFile = join(out, 'report.txt');
  const writeText = await writeReport(summary.dir, 'text', textFile);
  const writeHtml = await writeReport(summary.dir, 'html', htmlFile);
  const browser = await launchBrowser();
  const ratios: number[] = [];
  const htmlTimes: number[] = [];
  const textTimes: number[] = [];
  try {
    const open = async (file: string, ready: (page: import('playwright-core').Page) => Promise<unknown>): Promise<number> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 600_000 });
      await ready(page);
      const elapsed = performance.now() - started;
      await context.close();
      return elapsed;
    };
    for (let round = 0; round < rounds; round++) {
      const text = () => open(textFile, async () => undefined);
      const html = () => open(htmlFile, (page) => page.waitForSelector('html[data-ready="true"]', { timeout: 600_000 }));
      let textMs: number;
      let htmlMs: number;
      if (round % 2 === 0) {
        textMs = await text();
        htmlMs = await html();
      } else {
        htmlMs = await html();
        textMs = await text();
      }
      textTimes.push(textMs);
      htmlTimes.push(htmlMs);
      ratios.push(htmlMs / textMs);
      process.stdout.write(`round ${round + 1}: text ${textMs.toFixed(0)} ms, html ${htmlMs.toFixed(0)} ms, ratio ${(htmlMs / textMs).toFixed(2)}x\n`);
    }
  } finally {
    await browser.close();
  }
  const mb = (file: string) => (statSync(file).size / 1e6).toFixed(1);
  process.stdout.write([
    '',
    `corpus: ${summary.workloads} workloads, ${summary.documents} documents, ${summary.files} files, ${(summary.bytes / 1e6).toFixed(1)} MB`,
    `reports: text ${mb(textFile)} MB written in ${(writeText / 1000).toFixed(1)} s; html ${mb(htmlFile)} MB written in ${(writeHtml / 1000).toFixed(1)} s (${(writeHtml / writeText).toFixed(2)}x: the HTML report also plans every workload's fix)`,
    '',
    '| what | load time in Chromium (median) |',
    '| --- | --- |',
    `| text report as a plain-text page (baseline) | ${median(textTimes).toFixed(0)} ms |`,
    `| HTML report, until its script has built the page | ${median(htmlTimes).toFixed(0)} ms |`,
    `| **ratio** | **${median(ratios).toFixed(2)}x** (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}) |`,
    '',
  ].join('\n'));
} finally {
  rmSync(out, { recursive: true, force: true });
}
