// Markdown for a pull request comment or a GitHub Actions step summary
// ($GITHUB_STEP_SUMMARY): counts first, then a table of findings per file,
// exempted findings folded away, input errors and notices listed.
// Everything that comes from a manifest is escaped, so a hostile container
// name cannot break a table or inject HTML into the comment.
import type { Finding, InputError, Notice } from '../core/types.js';
import { wholeRenderer } from './model.js';
import type { AuditReport, Renderer, StreamRenderer } from './model.js';
import { fileLabel, objectId, ruleDocUrl } from './labels.js';

/** Control characters other than tab and line breaks, spelled out instead of passed on invisibly. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Escapes text for a Markdown paragraph, heading or list item: the
 * punctuation that can start emphasis, code, links or strikethrough, `|` for
 * tables, `@` and `#` so nobody is mentioned and no issue linked, and HTML.
 */
export function markdownText(value: string): string {
  return value
    .replace(CONTROL, (char) => `\\u${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`)
    .replace(/[\\`*_[\]|~@#]/g, (char) => `\\${char}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n?|\n/g, ' ');
}

/** Escapes text for a table cell: as markdownText, with line breaks kept as <br>. */
export function markdownCell(value: string): string {
  return value.split(/\r\n?|\n/).map(markdownText).join('<br>');
}

function tableHead(header: readonly string[]): string {
  return `| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`;
}

function tableRow(row: readonly string[]): string {
  return `| ${row.join(' | ')} |\n`;
}

function position(item: { line?: number; column?: number }): string {
  if (item.line === undefined) return '—';
  return item.column === undefined ? `${item.line}` : `${item.line}:${item.column}`;
}

function ruleLink(rule: string): string {
  return `[${markdownText(rule)}](${ruleDocUrl(rule)})`;
}

function container(finding: Finding): string {
  if (finding.container === undefined) return '';
  const type = finding.containerType && finding.containerType !== 'container' ? ` (${finding.containerType})` : '';
  return markdownCell(finding.container + type);
}

function objectCell(finding: Finding): string {
  return (
    markdownCell(objectId(finding.object)) +
    (finding.helmSource ? `<br>from ${markdownCell(finding.helmSource)}` : '') +
    (finding.pods !== undefined ? `<br>${finding.pods} pod${finding.pods === 1 ? '' : 's'}` : '') +
    (finding.owner ? `<br>owned by ${markdownCell(`${finding.owner.kind} ${finding.owner.name}`)}` : '')
  );
}

const FINDING_COLUMNS = ['location', 'severity', 'rule', 'object', 'container', 'message', 'fix'];
const EXEMPTED_COLUMNS = ['location', 'rule', 'object', 'container', 'exempted by', 'reason'];

/** One table per file of the findings `wanted` keeps (sorted findings come file by file). */
function* tablesByFile(findings: Iterable<Finding>, wanted: (finding: Finding) => boolean, columns: readonly string[], row: (finding: Finding) => string[]): Generator<string> {
  let file: string | undefined;
  for (const finding of findings) {
    if (!wanted(finding)) continue;
    if (finding.file !== file) {
      file = finding.file;
      yield `\n#### ${fileName(file)}\n\n${tableHead(columns)}`;
    }
    yield tableRow(row(finding));
  }
}

function fileName(file: string): string {
  return markdownText(fileLabel(file));
}

function located(item: InputError | Notice): string {
  const where = item.line === undefined ? fileName(item.file) : `${fileName(item.file)}:${position(item)}`;
  return `- ${where}: ${markdownText(item.message)} (${markdownText(item.code)})`;
}

function scopeLine(report: AuditReport): string {
  const s = report.summary;
  const cluster = report.cluster;
  if (!cluster) return `${s.files} file(s), ${s.objects} object(s), ${s.workloads} workload(s)`;
  const namespaces = cluster.namespaces ? `namespace(s) ${cluster.namespaces.map(markdownText).join(', ')}` : 'all namespaces';
  const selector = cluster.selector !== undefined ? `, selector ${markdownText(cluster.selector)}` : '';
  return `Cluster ${markdownText(cluster.context)}, ${namespaces}${selector}: ${s.objects} object(s), ${s.workloads} workload(s), ${cluster.pods} pod(s)`;
}

export const streamMarkdown: StreamRenderer = function* ({ report, findings }) {
  const s = report.summary;
  let open = 0;
  let exempted = 0;
  for (const finding of findings) {
    if (finding.exempted) exempted++;
    else open++;
  }
  const verdict = s.failed ? `❌ failed (findings at or above ${s.failOn})` : '✅ passed';
  yield [
    `## ${report.tool.name} audit: ${verdict}`,
    '',
    `${scopeLine(report)} audited with ${report.tool.name} ${markdownText(report.tool.version)}.`,
    '',
    '',
  ].join('\n');
  yield tableHead(['errors', 'warnings', 'info', 'exempted', 'input errors']);
  yield tableRow([`${s.bySeverity.error}`, `${s.bySeverity.warning}`, `${s.bySeverity.info}`, `${s.exempted}`, `${s.errors}`]);

  if (open) {
    yield '\n### Findings\n';
    yield* tablesByFile(findings, (f) => !f.exempted, FINDING_COLUMNS, (f) => [position(f), f.severity, ruleLink(f.rule), objectCell(f), container(f), markdownCell(f.message), markdownCell(f.hint)]);
  }

  if (exempted) {
    yield `\n<details>\n<summary>${exempted} exempted finding(s)</summary>\n`;
    yield* tablesByFile(findings, (f) => f.exempted, EXEMPTED_COLUMNS, (f) => [position(f), ruleLink(f.rule), objectCell(f), container(f), f.exemption?.source ?? '', markdownCell(f.exemption?.reason ?? '(no reason given)')]);
    yield '\n</details>\n';
  }

  const lines: string[] = [];
  if (report.errors.length) {
    lines.push('', '### Input errors', '', ...report.errors.map(located));
  }
  if (report.notices.length) {
    lines.push('', '<details>', `<summary>${report.notices.length} notice(s)</summary>`, '', ...report.notices.map(located), '', '</details>');
  }
  if (lines.length) yield lines.join('\n') + '\n';
};

export const renderMarkdown: Renderer = wholeRenderer(streamMarkdown);
