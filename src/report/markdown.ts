// Markdown for a pull request comment or a GitHub Actions step summary
// ($GITHUB_STEP_SUMMARY): counts first, then a table of findings per file,
// exempted findings folded away, input errors and notices listed.
// Everything that comes from a manifest is escaped, so a hostile container
// name cannot break a table or inject HTML into the comment.
import type { Finding, InputError, Notice } from '../core/types.js';
import { compareFindings } from './model.js';
import type { AuditReport, Renderer } from './model.js';
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

function table(header: readonly string[], rows: readonly string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
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

function groupByFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const finding of findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  return byFile;
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

export const renderMarkdown: Renderer = ({ report }) => {
  const s = report.summary;
  const findings = [...report.findings].sort(compareFindings);
  const open = findings.filter((f) => !f.exempted);
  const exempted = findings.filter((f) => f.exempted);
  const verdict = s.failed ? `❌ failed (findings at or above ${s.failOn})` : '✅ passed';
  const lines: string[] = [
    `## ${report.tool.name} audit: ${verdict}`,
    '',
    `${scopeLine(report)} audited with ${report.tool.name} ${markdownText(report.tool.version)}.`,
    '',
    ...table(['errors', 'warnings', 'info', 'exempted', 'input errors'], [[`${s.bySeverity.error}`, `${s.bySeverity.warning}`, `${s.bySeverity.info}`, `${s.exempted}`, `${s.errors}`]]),
  ];

  if (open.length) {
    lines.push('', '### Findings');
    for (const [file, list] of groupByFile(open)) {
      lines.push('', `#### ${fileName(file)}`, '');
      lines.push(
        ...table(
          ['location', 'severity', 'rule', 'object', 'container', 'message', 'fix'],
          list.map((f) => [position(f), f.severity, ruleLink(f.rule), objectCell(f), container(f), markdownCell(f.message), markdownCell(f.hint)]),
        ),
      );
    }
  }

  if (exempted.length) {
    lines.push('', '<details>', `<summary>${exempted.length} exempted finding(s)</summary>`);
    for (const [file, list] of groupByFile(exempted)) {
      lines.push('', `#### ${fileName(file)}`, '');
      lines.push(
        ...table(
          ['location', 'rule', 'object', 'container', 'exempted by', 'reason'],
          list.map((f) => [position(f), ruleLink(f.rule), objectCell(f), container(f), f.exemption?.source ?? '', markdownCell(f.exemption?.reason ?? '(no reason given)')]),
        ),
      );
    }
    lines.push('', '</details>');
  }

  if (report.errors.length) {
    lines.push('', '### Input errors', '', ...report.errors.map(located));
  }
  if (report.notices.length) {
    lines.push('', '<details>', `<summary>${report.notices.length} notice(s)</summary>`, '', ...report.notices.map(located), '', '</details>');
  }
  return lines.join('\n') + '\n';
};
