// JUnit XML for CI test report views: a suite per file, a test case per
// (object, rule, container) that has findings, input errors as failed
// "parse" cases. Passing checks are not listed, because the report only
// carries findings; an audit with nothing to report is one passing case so
// CI systems that reject an empty test report still show a green run.
import type { Finding, InputError, Notice } from '../core/types.js';
import { compareFindings } from './model.js';
import type { Renderer } from './model.js';
import { containerLabel, fileLabel, fileLocation, objectId } from './labels.js';

/**
 * Characters XML 1.0 does not allow even as character references: C0 controls
 * other than tab, newline and carriage return, U+FFFE, U+FFFF and unpaired
 * surrogates. They are written as visible `\uXXXX` text instead.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(char: string): string {
  return `\\u${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Escapes element text; `\r` is kept as a reference so parsers do not normalize it away. */
export function xmlText(value: string): string {
  return value
    .replace(FORBIDDEN, visible)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** Escapes an attribute value; tabs and line breaks become references because parsers turn them into spaces otherwise. */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

type Attributes = Record<string, string | number>;

function element(name: string, attributes: Attributes, children?: string, indent = ''): string {
  const attrs = Object.entries(attributes).map(([key, value]) => ` ${key}="${xmlAttribute(String(value))}"`).join('');
  if (children === undefined) return `${indent}<${name}${attrs}/>`;
  return `${indent}<${name}${attrs}>${children}</${name}>`;
}

interface TestCase {
  classname: string;
  name: string;
  outcome: { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; body?: string } | undefined;
}

interface Suite {
  name: string;
  cases: TestCase[];
  notices: Notice[];
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(cases: readonly TestCase[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome?.kind === 'failure').length,
    errors: cases.filter((c) => c.outcome?.kind === 'error').length,
    skipped: cases.filter((c) => c.outcome?.kind === 'skipped').length,
  };
}

function findingLine(finding: Finding): string {
  const where = fileLocation(finding);
  if (finding.exempted) {
    return `${where}: ${finding.message} (exempted${finding.exemption?.reason ? `: ${finding.exemption.reason}` : ''})`;
  }
  const template = finding.helmSource ? `\n  template: ${finding.helmSource}` : '';
  const pods = finding.pods !== undefined ? `\n  pods: ${finding.pods}` : '';
  const owner = finding.owner ? `\n  owner: ${objectId(finding.owner)}` : '';
  return `${where}: ${finding.message}\n  fix: ${finding.hint}\n  path: ${finding.path}${template}${pods}${owner}`;
}

/** One case for all findings of a rule on one container (or object): failed if any is not exempted. */
function findingCase(findings: readonly Finding[]): TestCase {
  const first = findings[0] as Finding;
  const container = containerLabel(first);
  const open = findings.filter((f) => !f.exempted);
  const base = { classname: objectId(first.object), name: container ? `${first.rule} (${container})` : first.rule };
  const body = findings.map(findingLine).join('\n');
  if (open.length) {
    const worst = open.find((f) => f.severity === 'error') ?? open.find((f) => f.severity === 'warning') ?? (open[0] as Finding);
    return { ...base, outcome: { kind: 'failure', message: worst.message, type: worst.severity, body } };
  }
  const reasons = [...new Set(findings.map((f) => f.exemption?.reason ?? `by ${f.exemption?.source ?? 'exemption'}`))];
  return { ...base, outcome: { kind: 'skipped', message: `exempted: ${reasons.join('; ')}` } };
}

function errorCase(error: InputError): TestCase {
  return {
    classname: fileLabel(error.file),
    name: 'parse',
    outcome: { kind: 'error', message: error.message, type: error.code, body: `${fileLocation(error)}: ${error.message} [${error.code}]` },
  };
}

function suites(findings: readonly Finding[], errors: readonly InputError[], notices: readonly Notice[]): Suite[] {
  const byFile = new Map<string, Suite>();
  const suite = (file: string): Suite => {
    let found = byFile.get(file);
    if (!found) {
      found = { name: fileLabel(file), cases: [], notices: [] };
      byFile.set(file, found);
    }
    return found;
  };
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = JSON.stringify([finding.file, finding.documentIndex ?? 0, objectId(finding.object), finding.object.apiVersion, finding.rule, finding.containerType ?? '', finding.container ?? '']);
    const group = groups.get(key) ?? [];
    group.push(finding);
    groups.set(key, group);
  }
  for (const group of groups.values()) suite((group[0] as Finding).file).cases.push(findingCase(group));
  for (const error of errors) suite(error.file).cases.push(errorCase(error));
  for (const notice of notices) suite(notice.file).notices.push(notice);
  return [...byFile.values()];
}

function renderCase(testCase: TestCase): string {
  const attributes = { classname: testCase.classname, name: testCase.name };
  const outcome = testCase.outcome;
  if (!outcome) return element('testcase', attributes, undefined, '    ');
  const inner = element(outcome.kind, { message: outcome.message, ...(outcome.type ? { type: outcome.type } : {}) }, outcome.body === undefined ? undefined : xmlText(outcome.body), '      ');
  return `${element('testcase', attributes, '\n' + inner + '\n    ', '    ')}`;
}

function renderSuite(suite: Suite): string {
  const counts = count(suite.cases);
  const lines = suite.cases.map(renderCase);
  if (suite.notices.length) {
    const text = suite.notices.map((n) => `${fileLocation(n)}: ${n.message} [${n.code}]`).join('\n');
    lines.push(element('system-out', {}, xmlText(text), '    '));
  }
  const attributes = { name: suite.name, ...counts };
  return lines.length ? element('testsuite', attributes, '\n' + lines.join('\n') + '\n  ', '  ') : element('testsuite', attributes, undefined, '  ');
}

export const renderJunit: Renderer = ({ report }) => {
  const all = suites([...report.findings].sort(compareFindings), report.errors, report.notices);
  if (all.every((s) => s.cases.length === 0)) {
    all.push({ name: report.tool.name, cases: [{ classname: report.tool.name, name: 'audit', outcome: undefined }], notices: [] });
  }
  const totals = count(all.flatMap((s) => s.cases));
  const body = all.map(renderSuite).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('testsuites', { name: `${report.tool.name} audit`, ...totals }, '\n' + body + '\n')}\n`;
};
