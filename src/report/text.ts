// Human report: grouped by file and object, `file:line:column`, rule id and a
// one-line fix hint. Colour only when asked (the CLI asks on a TTY).
import { wholeRenderer } from './model.js';
import type { Renderer, StreamRenderer } from './model.js';
import type { Finding, ObjectReference } from '../core/types.js';

const COLORS = { red: 31, yellow: 33, blue: 34, gray: 90, bold: 1 } as const;

function objectLabel(ref: ObjectReference): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** A live object's owner that rootlock did not audit, after the object's name. */
function ownerDetail(finding: Finding): string {
  return finding.owner ? ` (owned by ${finding.owner.kind} ${finding.owner.name})` : '';
}

/** How many of a workload's Pods have the finding, before its message. */
function podsDetail(finding: Finding): string {
  return finding.pods === undefined ? '' : `[${finding.pods} pod${finding.pods === 1 ? '' : 's'}] `;
}

export const streamText: StreamRenderer = function* ({ report, findings, color }) {
  const paint = (code: keyof typeof COLORS, text: string) => (color ? `\u001b[${COLORS[code]}m${text}\u001b[0m` : text);
  const severityLabel = (finding: Finding) => {
    const label = finding.exempted ? 'exempt' : finding.severity;
    if (finding.exempted) return paint('gray', label.padEnd(7));
    return paint(finding.severity === 'error' ? 'red' : finding.severity === 'warning' ? 'yellow' : 'blue', label.padEnd(7));
  };
  // Sorted findings come file by file: a file's group ends where the next file starts.
  let file: string | undefined;
  let lastObject = '';
  for (const finding of findings) {
    if (finding.file !== file) {
      if (file !== undefined) yield '\n';
      file = finding.file;
      lastObject = '';
      yield `${paint('bold', file)}\n`;
    }
    const label = objectLabel(finding.object) + (finding.helmSource ? ` (from ${finding.helmSource})` : '') + ownerDetail(finding);
    if (label !== lastObject) {
      yield `  ${label}\n`;
      lastObject = label;
    }
    const where = finding.line !== undefined ? `${file}:${finding.line}:${finding.column ?? 0}` : file;
    // A live object's API reference already heads its group; repeating it on every line adds nothing.
    yield `    ${report.cluster ? '' : `${where}  `}${severityLabel(finding)} ${finding.rule}  ${podsDetail(finding)}${finding.message}\n`;
    const extra = finding.exempted ? `exempted${finding.exemption?.reason ? `: ${finding.exemption.reason}` : ''}` : `fix: ${finding.hint}`;
    yield `${paint('gray', `      ${extra}`)}\n`;
  }
  if (file !== undefined) yield '\n';
  const lines: string[] = [];
  for (const error of report.errors) {
    const where = error.line !== undefined ? `${error.file}:${error.line}:${error.column ?? 0}` : error.file;
    lines.push(`${paint('red', 'error')} ${where}: ${error.message} [${error.code}]${error.helmSource ? ` (from ${error.helmSource})` : ''}`);
  }
  for (const notice of report.notices) {
    const where = notice.line !== undefined ? `${notice.file}:${notice.line}:${notice.column ?? 0}` : notice.file;
    lines.push(`${paint('gray', 'notice')} ${where}: ${notice.message} [${notice.code}]`);
  }
  const s = report.summary;
  if (report.errors.length || report.notices.length) lines.push('');
  const cluster = report.cluster;
  const scope = cluster
    ? `cluster ${cluster.context} (${cluster.server}), ${cluster.namespaces ? `namespace(s) ${cluster.namespaces.join(', ')}` : 'all namespaces'}` +
      `${cluster.selector !== undefined ? `, selector ${cluster.selector}` : ''}, ${s.objects} object(s), ${s.workloads} workload(s), ${cluster.pods} pod(s)`
    : `${s.files} file(s), ${s.objects} object(s), ${s.workloads} workload(s)`;
  lines.push(
    `${scope}: ` +
      `${s.bySeverity.error} error(s), ${s.bySeverity.warning} warning(s), ${s.bySeverity.info} info, ` +
      `${s.exempted} exempted, ${s.errors} input error(s)`,
  );
  yield lines.join('\n') + '\n';
};

export const renderText: Renderer = wholeRenderer(streamText);
