// JUnit XML for CI test report views: a suite per file, a test case per
// (object, rule, container) that has findings, input errors as failed
// "parse" cases. Passing checks are not listed, because the report only
// carries findings; an audit with nothing to report is one passing case so
// CI systems that reject an empty test report still show a green run.
import type { Finding, InputError, Notice } from '../core/types.js';
import { wholeRenderer } from './model.js';
import type { Renderer, StreamRenderer } from './model.js';
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

/** Key of the case a finding belongs to: one per (object, rule, container) in a file. */
function caseKey(finding: Finding): string {
  return JSON.stringify([finding.documentIndex ?? 0, objectId(finding.object), finding.object.apiVersion, finding.rule, finding.containerType ?? '', finding.container ?? '']);
}

/** Sorted findings come file by file: each file's findings grouped into cases, in order of first appearance. */
function* fileGroups(findings: Iterable<Finding>): Generator<{ file: string; groups: Finding[][] }> {
  let file: string | undefined;
  let groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.file !== file) {
      if (file !== undefined) yield { file, groups: [...groups.values()] };
      file = finding.file;
      groups = new Map();
    }
    const key = caseKey(finding);
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  if (file !== undefined) yield { file, groups: [...groups.values()] };
}

function byFile<T extends { file: string }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.file);
    if (list) list.push(item);
    else map.set(item.file, [item]);
  }
  return map;
}

/**
 * The suites in order: files with findings (sorted), then files with only
 * input errors, then files with only notices. One file's findings are in
 * memory at a time.
 */
function* suites(findings: Iterable<Finding>, errors: readonly InputError[], notices: readonly Notice[]): Generator<Suite> {
  const errorsByFile = byFile(errors);
  const noticesByFile = byFile(notices);
  const done = new Set<string>();
  const suite = (file: string, cases: TestCase[]): Suite => {
    done.add(file);
    return { name: fileLabel(file), cases: [...cases, ...(errorsByFile.get(file) ?? []).map(errorCase)], notices: noticesByFile.get(file) ?? [] };
  };
  for (const { file, groups } of fileGroups(findings)) yield suite(file, groups.map(findingCase));
  for (const file of [...errorsByFile.keys(), ...noticesByFile.keys()]) if (!done.has(file)) yield suite(file, []);
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

/** The passing case an audit with nothing to report shows, so CI systems that reject an empty report show a green run. */
function cleanSuite(tool: string): Suite {
  return { name: tool, cases: [{ classname: tool, name: 'audit', outcome: undefined }], notices: [] };
}

export const streamJunit: StreamRenderer = function* ({ report, findings }) {
  // The totals head the document: one pass to count, one to write.
  const totals: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const suite of suites(findings, report.errors, report.notices)) {
    const counts = count(suite.cases);
    totals.tests += counts.tests;
    totals.failures += counts.failures;
    totals.errors += counts.errors;
    totals.skipped += counts.skipped;
  }
  const clean = totals.tests === 0;
  if (clean) totals.tests = 1;
  yield `<?xml version="1.0" encoding="UTF-8"?>\n${element('testsuites', { name: `${report.tool.name} audit`, ...totals }, '\n').slice(0, -'</testsuites>'.length)}`;
  let first = true;
  for (const suite of suites(findings, report.errors, report.notices)) {
    yield `${first ? '' : '\n'}${renderSuite(suite)}`;
    first = false;
  }
  if (clean) yield `${first ? '' : '\n'}${renderSuite(cleanSuite(report.tool.name))}`;
  yield '\n</testsuites>\n';
};

export const renderJunit: Renderer = wholeRenderer(streamJunit);
