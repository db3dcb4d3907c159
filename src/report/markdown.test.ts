import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { marked } from 'marked';
import { markdownCell, markdownText, renderMarkdown } from './markdown.js';
import { cleanReport, contextOf, richReport } from '../../test/helpers/audit-report.js';
import type { AuditReport } from './model.js';
import type { Finding } from '../core/types.js';

/** Renders like GitHub would (GFM tables and raw HTML blocks), so the tests see the structure a reader sees. */
function html(markdown: string): string {
  return marked.parse(markdown, { async: false, gfm: true });
}

function decode(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

interface Table {
  /** The heading just before the table. */
  heading: string;
  header: string[];
  rows: string[][];
}

/** The tables of rendered HTML with their cells as HTML fragments. */
function tables(page: string): Table[] {
  const found: Table[] = [];
  for (const match of page.matchAll(/(?:<h\d>(.*?)<\/h\d>\s*)?<table>([\s\S]*?)<\/table>/g)) {
    const rows = [...(match[2] as string).matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...(row[1] as string).matchAll(/<t[hd]>([\s\S]*?)<\/t[hd]>/g)].map((cell) => cell[1] as string));
    found.push({ heading: decode(match[1] ?? ''), header: rows[0] ?? [], rows: rows.slice(1) });
  }
  return found;
}

const stripTags = (fragment: string) => decode(fragment.replace(/<[^>]+>/g, ''));
const visibleControls = (text: string) => text.replace(/\u0001/g, '\\u0001');

describe('Markdown report', () => {
  let report: AuditReport;
  let markdown: string;
  let page: string;
  before(async () => {
    report = await richReport();
    markdown = renderMarkdown(contextOf(report));
    page = html(markdown);
  });

  it('starts with the verdict and a summary table of the counts', () => {
    assert.match(markdown, /^## rootlock audit: ❌ failed/);
    const [summary] = tables(page);
    assert.deepEqual(summary?.header, ['errors', 'warnings', 'info', 'exempted', 'input errors']);
    const s = report.summary;
    assert.deepEqual(summary?.rows, [[s.bySeverity.error, s.bySeverity.warning, s.bySeverity.info, s.exempted, s.errors].map(String)]);
  });

  it('lists each open finding in its file table, with every column', () => {
    const open = report.findings.filter((f) => !f.exempted);
    const findingTables = tables(page).filter((t) => t.header.includes('fix'));
    assert.equal(findingTables.reduce((n, t) => n + t.rows.length, 0), open.length);
    for (const table of findingTables) {
      assert.deepEqual(table.header, ['location', 'severity', 'rule', 'object', 'container', 'message', 'fix']);
      for (const row of table.rows) assert.equal(row.length, 7, `a broken row under ${table.heading}: ${row.join(' | ')}`);
    }
    const rowOf = (f: Finding) => {
      const table = findingTables.find((t) => t.heading === (f.file === '-' ? 'stdin' : f.file));
      return table?.rows.find((r) => stripTags(r[5] ?? '') === visibleControls(f.message) && (r[0] === (f.line === undefined ? '—' : `${f.line}:${f.column}`)));
    };
    for (const finding of open) {
      const row = rowOf(finding);
      assert.ok(row, `no row for ${finding.file} ${finding.message}`);
      assert.equal(row[1], finding.severity);
      assert.equal(row[2], `<a href="https://github.com/rootlock/rootlock/blob/main/docs/rules/${finding.rule}.md">${finding.rule}</a>`);
      assert.ok(stripTags(row[3] ?? '').startsWith(`${finding.object.kind}/${finding.object.namespace ? `${finding.object.namespace}/` : ''}${finding.object.name}`));
      assert.ok(stripTags(row[4] ?? '').startsWith(visibleControls(finding.container ?? '')));
      assert.equal(stripTags(row[6] ?? ''), finding.hint);
    }
    const helm = report.findings.find((f) => f.helmSource);
    assert.ok(helm && rowOf(helm)?.[3]?.endsWith('<br>from shop/templates/worker.yaml'));
  });

  it('escapes what comes from manifests: no table breaks, no HTML, no mentions', () => {
    assert.ok(!/<b>|<\/b>|<main>/.test(page), 'container names render as text, not markup');
    const hostile = tables(page).find((t) => t.heading === 'stdin')?.rows.find((row) => row[4] !== '');
    assert.equal(hostile?.length, 7);
    assert.equal(stripTags(hostile?.[3] ?? ''), 'Pod/team-a/evil|name');
    assert.equal(stripTags(hostile?.[4] ?? ''), 'c\\u0001|<b>x</b>"\'@here');
    assert.ok(!markdown.includes('\u0001'));
    assert.ok(markdown.includes('\\@here'), 'an @ cannot mention anyone');
  });

  it('keeps a multi-line message inside its cell', () => {
    const [first] = report.findings.filter((f) => !f.exempted);
    assert.ok(first);
    const tricky = { ...first, message: 'one | two\nthree *four* [five](five.html) <img src=x>', hint: 'a\r\nb' };
    const rendered = html(renderMarkdown(contextOf({ ...report, findings: [tricky] })));
    const row = tables(rendered).find((t) => t.header.includes('fix'))?.rows[0];
    assert.equal(row?.length, 7);
    assert.equal(row?.[5], 'one | two<br>three *four* [five](five.html) &lt;img src=x&gt;');
    assert.equal(row?.[6], 'a<br>b');
  });

  it('folds exempted findings into a details section with source and reason', () => {
    const details = /<details>\s*<summary>(\d+) exempted finding\(s\)<\/summary>([\s\S]*?)<\/details>/.exec(page);
    assert.ok(details, 'a collapsed section');
    const exempted = report.findings.filter((f) => f.exempted);
    assert.equal(Number(details[1]), exempted.length);
    const inside = tables(details[2] as string);
    assert.deepEqual(inside[0]?.header, ['location', 'rule', 'object', 'container', 'exempted by', 'reason']);
    const rows = inside.flatMap((t) => t.rows.map((r) => [t.heading, stripTags(r[4] ?? ''), stripTags(r[5] ?? '')]));
    assert.deepEqual(
      rows.sort(),
      exempted.map((f) => [f.file, f.exemption?.source, f.exemption?.reason]).sort(),
    );
    const outside = page.replace(details[0], '');
    assert.ok(!outside.includes('vendor image writes'), 'exempted findings stay out of the open tables');
  });

  it('lists input errors with their position and code, and notices folded away', () => {
    const errors = /<h3>Input errors<\/h3>\s*<ul>([\s\S]*?)<\/ul>/.exec(page);
    assert.ok(errors);
    const items = [...(errors[1] as string).matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => stripTags(m[1] as string));
    assert.deepEqual(items, report.errors.map((e) => `${e.file}${e.line !== undefined ? `:${e.line}:${e.column}` : ''}: ${e.message} (${e.code})`));
    assert.match(page, new RegExp(`<summary>${report.notices.length} notice\\(s\\)</summary>`));
  });

  it('says passed and lists nothing for a clean audit', () => {
    const clean = renderMarkdown(contextOf(cleanReport()));
    assert.match(clean, /^## rootlock audit: ✅ passed/);
    assert.equal(tables(html(clean)).length, 1, 'only the summary');
    assert.ok(!clean.includes('<details>') && !clean.includes('Input errors'));
  });

  it('escapes Markdown and HTML in text and cells', () => {
    assert.equal(markdownText('a|b *c* _d_ `e` [f] ~g~ @h #1 <i> & \\'), 'a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\] \\~g\\~ \\@h \\#1 &lt;i&gt; &amp; \\\\');
    assert.equal(markdownText('one\ntwo\r\nthree'), 'one two three');
    assert.equal(markdownCell('one\ntwo\r\nthree'), 'one<br>two<br>three');
    assert.equal(markdownText('bell\u0007'), 'bell\\\\u0007');
  });
});
