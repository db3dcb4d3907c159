// The HTML report of the whole third-party corpus in a real browser: scores
// and counts agree with the JSON report of the same input, every workload is
// listed and scored, fixes open as diffs, and the page stays accessible.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { corpusDir } from '../helpers/corpus.js';
import { launchBrowser, openReport, reportsOf } from '../helpers/browser.js';
import { expectedScores } from '../helpers/html-report.js';
import type { AuditReport } from '../../src/report/model.js';

describe('the HTML report of the corpus in a real browser', () => {
  let browser: Browser | undefined;
  let reports: Awaited<ReturnType<typeof reportsOf>> | undefined;
  before(async () => {
    browser = await launchBrowser();
    reports = await reportsOf(['.'], { cwd: corpusDir() });
  });
  after(async () => {
    await browser?.close();
    reports?.remove();
  });

  it('agrees with the JSON report, lists every workload, and opens fixes as diffs', async () => {
    const json = JSON.parse(readFileSync(reports!.html.replace(/report\.html$/, 'report.json'), 'utf8')) as AuditReport;
    assert.ok(json.summary.workloads > 50, `the corpus has ${json.summary.workloads} workloads`);
    const { page, watch, context, loadMs } = await openReport(browser!, reports!.html);
    assert.equal(await page.textContent('#rl-score strong'), String(expectedScores(json).overall));
    assert.equal(await page.textContent('#rl-errors strong'), String(json.summary.bySeverity.error));
    assert.equal(await page.textContent('#rl-warnings strong'), String(json.summary.bySeverity.warning));
    assert.equal(await page.textContent('#rl-info strong'), String(json.summary.bySeverity.info));
    assert.equal(await page.textContent('#rl-exempted strong'), String(json.summary.exempted));
    assert.equal(await page.textContent('#rl-input-errors strong'), String(json.summary.errors));
    const count = (await page.textContent('#rl-count')) ?? '';
    assert.match(count, new RegExp(`, ${json.findings.length} finding\\(s\\) match$`));
    const scored = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document;
      return (JSON.parse(doc.getElementById('rl-entries').textContent) as unknown[][]).filter((entry) => (entry[6] as number) >= 0).length;
    });
    assert.equal(scored, json.summary.workloads, 'every workload is listed and scored');

    // The first page of groups, opened, with every fix's diff shown.
    const groups = page.locator('details.group');
    const shown = Math.min(await groups.count(), 40);
    for (let i = 0; i < shown; i++) {
      await groups.nth(i).locator('summary').click();
      await groups.nth(i).locator('.body').waitFor();
    }
    const buttons = await page.locator('button.show-diff').all();
    assert.ok(buttons.length > 0, 'some workloads on the first page have a fix');
    for (const button of buttons) await button.click();
    assert.ok(await page.locator('pre.diff span.add').count() > 0);
    assert.deepEqual(watch, { errors: [], dialogs: [], requests: [] });
    process.stdout.write(`corpus HTML report: ${json.summary.workloads} workloads, ${json.findings.length} findings, loaded in ${loadMs} ms\n`);
    await context.close();
  });
});
