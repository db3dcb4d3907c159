import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit, xmlAttribute, xmlText } from './junit.js';
import { cleanReport, contextOf, FOCUS_RULE, richReport } from '../../test/helpers/audit-report.js';
import type { AuditReport } from './model.js';

type Attributes = Record<string, string>;
interface Outcome extends Attributes { '#text': string }
interface ParsedCase { classname: string; name: string; failure?: Outcome[]; error?: Outcome[]; skipped?: Outcome[] }
interface ParsedSuite { name: string; tests: string; failures: string; errors: string; skipped: string; testcase?: ParsedCase[]; 'system-out'?: string }
interface Parsed { testsuites: { name: string; tests: string; failures: string; errors: string; skipped: string; testsuite: ParsedSuite[] } }

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Numeric character references (&#10;) are decoded only with htmlEntities on.
  htmlEntities: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
});

/**
 * XML 1.0 `Char`: fast-xml-parser does not check it, so check raw characters
 * and character references here. Returns the offending characters.
 */
function forbiddenCharacters(xml: string): string[] {
  const allowed = (code: number) => code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  const bad: string[] = [];
  for (const char of xml) if (!allowed(char.codePointAt(0) as number)) bad.push(char);
  for (const match of xml.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const ref = match[1] as string;
    const code = ref.startsWith('x') ? parseInt(ref.slice(1), 16) : parseInt(ref, 10);
    if (!allowed(code)) bad.push(match[0]);
  }
  return bad;
}

function wellFormed(xml: string): void {
  const verdict = XMLValidator.validate(xml);
  assert.equal(verdict, true, JSON.stringify(verdict));
  assert.deepEqual(forbiddenCharacters(xml), []);
}

function parse(xml: string): Parsed {
  wellFormed(xml);
  return parser.parse(xml) as Parsed;
}

const number = (value: string | undefined) => Number(value ?? 'NaN');

describe('JUnit report', () => {
  let report: AuditReport;
  let xml: string;
  let parsed: Parsed;
  before(async () => {
    report = await richReport();
    xml = renderJunit(contextOf(report));
    parsed = parse(xml);
  });

  it('the well-formedness checks reject broken XML, so the checks below can fail', () => {
    assert.notEqual(XMLValidator.validate('<testsuites><testsuite></testsuites>'), true);
    assert.notEqual(XMLValidator.validate('<a m="1" m="2"/>'), true);
    assert.deepEqual(forbiddenCharacters('<a>\u0001</a>'), ['\u0001']);
    assert.deepEqual(forbiddenCharacters('<a m="&#x1b;"/>'), ['&#x1b;']);
    assert.deepEqual(forbiddenCharacters('<a>\uD800</a>'), ['\uD800']);
  });

  it('is well-formed XML whose counts add up', () => {
    const root = parsed.testsuites;
    const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const suite of root.testsuite) {
      const cases = suite.testcase ?? [];
      const counts = {
        tests: cases.length,
        failures: cases.filter((c) => c.failure).length,
        errors: cases.filter((c) => c.error).length,
        skipped: cases.filter((c) => c.skipped).length,
      };
      assert.deepEqual({ tests: number(suite.tests), failures: number(suite.failures), errors: number(suite.errors), skipped: number(suite.skipped) }, counts, suite.name);
      for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += counts[key];
    }
    assert.deepEqual({ tests: number(root.tests), failures: number(root.failures), errors: number(root.errors), skipped: number(root.skipped) }, totals);
    assert.equal(totals.errors, report.errors.length, 'one error case per input error');
    assert.ok(totals.failures > 0 && totals.skipped > 0);
  });

  it('has a suite per file and a case per object, rule and container', () => {
    const suite = (name: string) => {
      const found = parsed.testsuites.testsuite.find((s) => s.name === name);
      return found && { ...found, testcase: found.testcase?.filter((c) => c.name.startsWith(FOCUS_RULE)) };
    };
    const web = suite('deploy/web.yaml');
    assert.deepEqual(web?.testcase?.map((c) => [c.classname, c.name, c.failure ? 'failure' : c.skipped ? 'skipped' : 'pass']), [
      ['Deployment/prod/web', 'read-only-root-filesystem (initContainer setup)', 'failure'],
      ['Deployment/prod/web', 'read-only-root-filesystem (container app)', 'failure'],
      ['Pod/legacy', 'read-only-root-filesystem (container old)', 'skipped'],
    ]);
    // The same objects, with the init container exempted by config.
    const copy = suite('deploy/web-copy.yaml');
    assert.deepEqual(copy?.testcase?.map((c) => (c.failure ? 'failure' : c.skipped ? 'skipped' : 'pass')), ['skipped', 'failure', 'skipped']);
    assert.equal(copy?.testcase?.[0]?.skipped?.[0]?.['message'], 'exempted: init container only copies files');
    assert.equal(web?.testcase?.[2]?.skipped?.[0]?.['message'], 'exempted: vendor image writes to /opt | tracked in OPS-12');
    assert.ok(suite('stdin'), 'standard input is named stdin');
    assert.match(web?.['system-out'] ?? '', /not-kubernetes/);
  });

  it('puts severity, message, hint and file:line:column into each failure', () => {
    const failures = parsed.testsuites.testsuite.flatMap((s) => s.testcase ?? []).flatMap((c) => c.failure ?? []);
    for (const finding of report.findings.filter((f) => !f.exempted)) {
      const where = finding.line === undefined ? `${finding.file}: ` : `${finding.file === '-' ? 'stdin' : finding.file}:${finding.line}:${finding.column}: `;
      // The hostile container name has a U+0001, which XML cannot carry and the report spells out.
      const message = finding.message.replace(/\u0001/g, '\\u0001');
      const failure = failures.find((f) => f['#text'].includes(where + message));
      assert.ok(failure, `no failure for ${where}${finding.message}`);
      assert.equal(failure['type'], finding.severity);
      assert.equal(failure['message'], message);
      assert.ok(failure['#text'].includes(`fix: ${finding.hint}`));
    }
    const helm = failures.filter((f) => f['#text'].startsWith('rendered/shop chart.yaml:'));
    assert.ok(helm.length > 0 && helm.every((f) => f['#text'].includes('\n  template: shop/templates/worker.yaml')));
  });

  it('reports input errors as "parse" cases with an error of the error code', () => {
    const cases = parsed.testsuites.testsuite.flatMap((s) => s.testcase ?? []).filter((c) => c.name === 'parse');
    assert.deepEqual(cases.map((c) => c.error?.[0]?.['type']), report.errors.map((e) => e.code));
    const syntax = cases.find((c) => c.error?.[0]?.['type'] === 'yaml-syntax');
    const error = report.errors.find((e) => e.code === 'yaml-syntax');
    assert.ok(syntax?.error?.[0]?.['#text'].startsWith(`broken.yaml:${error?.line}:${error?.column}: `));
  });

  it('escapes markup and quotes, and makes forbidden control characters visible', () => {
    const hostile = parsed.testsuites.testsuite.find((s) => s.name === 'stdin')?.testcase?.find((c) => c.name.startsWith(FOCUS_RULE));
    assert.equal(hostile?.classname, 'Pod/team-a/evil|name');
    assert.equal(hostile?.name, 'read-only-root-filesystem (container c\\u0001|<b>x</b>"\'@here)');
    const helm = parsed.testsuites.testsuite.find((s) => s.name === 'rendered/shop chart.yaml')?.testcase?.find((c) => c.name.startsWith(FOCUS_RULE));
    assert.equal(helm?.name, 'read-only-root-filesystem (container job <main> & co)');
  });

  it('keeps line breaks, tabs and carriage returns in attributes and text', () => {
    const [first] = report.findings;
    assert.ok(first);
    const tricky = { ...first, exempted: false, message: 'line one\nline\ttwo\r\nthree ]]> \uFFFE \uD83D\uDE00 \uDE00' };
    const document = parse(renderJunit(contextOf({ ...report, findings: [tricky], errors: [], notices: [] })));
    const failure = document.testsuites.testsuite[0]?.testcase?.[0]?.failure?.[0];
    assert.equal(failure?.['message'], 'line one\nline\ttwo\r\nthree ]]> \\uFFFE \uD83D\uDE00 \\uDE00');
    assert.ok(failure?.['#text'].includes('line one\nline\ttwo\r\nthree ]]>'));
  });

  it('escapes the way XML needs', () => {
    assert.equal(xmlText('a<b>&c\r'), 'a&lt;b&gt;&amp;c&#13;');
    assert.equal(xmlAttribute(`"x" 'y'\n\t`), '&quot;x&quot; &apos;y&apos;&#10;&#9;');
    assert.equal(xmlText('\u0000\u0008\u000B\u001F\t\n'), '\\u0000\\u0008\\u000B\\u001F\t\n');
    assert.equal(xmlText('\uD83D\uDE00'), '\uD83D\uDE00', 'a surrogate pair is a valid character');
    assert.equal(xmlText('\uD83D.\uDE00'), '\\uD83D.\\uDE00', 'unpaired surrogates are not');
  });

  it('shows a clean audit as one passing case, not an empty report', () => {
    const clean = parse(renderJunit(contextOf(cleanReport())));
    assert.deepEqual([clean.testsuites.tests, clean.testsuites.failures, clean.testsuites.errors, clean.testsuites.skipped], ['1', '0', '0', '0']);
    const only = clean.testsuites.testsuite[0]?.testcase?.[0];
    assert.equal(only?.name, 'audit');
    assert.equal(only?.failure ?? only?.error ?? only?.skipped, undefined);
  });

  it('folds several findings of one rule on one container into one case', () => {
    // A message without control characters, which the XML would carry as visible \uXXXX escapes.
    const [first] = report.findings.filter((f) => !f.exempted && f.container !== undefined && f.severity === 'error' && !/[\u0000-\u001f]/.test(f.message));
    assert.ok(first);
    const second = { ...first, path: `${first.path}.other`, message: 'second problem', severity: 'warning' as const };
    const exempt = { ...first, path: `${first.path}.third`, message: 'waived problem', exempted: true, exemption: { source: 'config' as const, reason: 'r' } };
    const document = parse(renderJunit(contextOf({ ...report, findings: [second, first, exempt], errors: [], notices: [] })));
    const cases = document.testsuites.testsuite[0]?.testcase ?? [];
    assert.equal(cases.length, 1);
    assert.equal(cases[0]?.failure?.length, 1);
    assert.equal(cases[0]?.failure?.[0]?.['type'], first.severity, 'the worst severity names the failure');
    const text = cases[0]?.failure?.[0]?.['#text'] ?? '';
    assert.ok(text.includes('second problem') && text.includes(first.message) && text.includes('waived problem (exempted: r)'));
  });
});
