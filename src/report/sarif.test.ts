import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type * as Sarif from 'sarif';
import { artifactLocation, FINGERPRINT_KEY, renderSarif, sarifLog, SOURCE_ROOT } from './sarif.js';
import { RULES } from '../rules/index.js';
import { buildReport } from '../app/audit.js';
import { repoRoot } from '../../test/helpers/repo.js';
import { cleanReport, clusterReport, contextOf, FOCUS_RULE, richReport } from '../../test/helpers/audit-report.js';
import type { AuditReport } from './model.js';

let validate: ValidateFunction;
const sorted = (items: Iterable<string>) => [...items].sort();
let report: AuditReport;
let log: Sarif.Log;

/**
 * Every region in a log. SARIF 2.1.0 Errata 01 made the schema require
 * startLine, charOffset or byteOffset in a region (the spec text always did);
 * the committed 2.1.0 schema predates the errata, so that rule is checked here.
 */
function regions(document: unknown): unknown[] {
  const found: unknown[] = [];
  const walk = (value: unknown, key: string) => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, ''));
    else if (typeof value === 'object' && value !== null) {
      if (key === 'region') found.push(value);
      for (const [name, child] of Object.entries(value)) walk(child, name);
    }
  };
  walk(document, '');
  return found;
}

function errorsOf(document: unknown): string {
  const problems = validate(document) ? [] : [JSON.stringify(validate.errors, null, 1)];
  for (const region of regions(document)) {
    const r = region as Record<string, unknown>;
    if (r['startLine'] === undefined && r['charOffset'] === undefined && r['byteOffset'] === undefined) problems.push(`region without a start: ${JSON.stringify(region)}`);
  }
  return problems.join('\n');
}

function results(): Sarif.Result[] {
  return log.runs[0]?.results ?? [];
}

describe('SARIF report', () => {
  before(async () => {
    // The SARIF 2.1.0 schema is draft-04, which Ajv 8 only reads through ajv-draft-04.
    const schema = JSON.parse(readFileSync(join(repoRoot(), 'test', 'schemas', 'sarif-2.1.0.json'), 'utf8')) as object;
    // The CommonJS packages export their constructor as module.exports; the type declarations only know `default`.
    const Ajv = Ajv04 as unknown as typeof Ajv04.default;
    const format = addFormats as unknown as typeof addFormats.default;
    // unicodeRegExp off: the 2.1.0 schema's `language` pattern has a stray `]` (fixed in Errata 01) that is
    // an error under the `u` flag but a literal character without it, as in the draft-04 era validators.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    format(ajv);
    validate = ajv.compile(schema);
    report = await richReport();
    log = JSON.parse(renderSarif(contextOf(report))) as Sarif.Log;
  });

  it('is valid against the SARIF 2.1.0 schema, with findings, exemptions, unpositioned findings, errors and notices', () => {
    assert.ok(report.findings.some((f) => f.exempted && f.exemption?.source === 'annotation'));
    assert.ok(report.findings.some((f) => f.exempted && f.exemption?.source === 'config'));
    assert.ok(report.findings.some((f) => f.line === undefined));
    assert.ok(report.errors.some((e) => e.line === undefined) && report.errors.some((e) => e.line !== undefined));
    assert.ok(report.notices.length > 0);
    assert.equal(errorsOf(log), '');
  });

  it('is valid for a clean run too', () => {
    assert.equal(errorsOf(JSON.parse(renderSarif(contextOf(cleanReport())))), '');
  });

  it('is valid for a cluster audit, with API references relative to CLUSTER and pod counts and owners as properties', () => {
    const cluster = JSON.parse(renderSarif(contextOf(clusterReport()))) as Sarif.Log;
    assert.equal(errorsOf(cluster), '');
    const run = cluster.runs[0] as Sarif.Run;
    assert.match(run.originalUriBaseIds?.['CLUSTER']?.description?.text ?? '', /context prod at https:\/\/kube\.example:6443/);
    const results = run.results ?? [];
    assert.ok(results.length > 0);
    for (const result of results) {
      const location = result.locations?.[0]?.physicalLocation;
      assert.equal(location?.artifactLocation?.uriBaseId, 'CLUSTER');
      assert.equal(location?.region, undefined);
    }
    const web = results.filter((r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri === 'apps/v1/namespaces/shop/deployments/web');
    assert.ok(web.length > 0 && web.every((r) => typeof r.properties?.['pods'] === 'number'));
    assert.ok(results.some((r) => r.properties?.['owner'] === 'Rollout/shop/canary'));
    const notices = run.invocations?.[0]?.toolExecutionNotifications ?? [];
    assert.deepEqual(notices.map((n) => n.locations?.[0]?.physicalLocation?.artifactLocation), [
      { uri: 'apps/v1/daemonsets', uriBaseId: 'CLUSTER' },
      { uri: 'https://kube.example:6443' },
    ]);
  });

  it('rejects documents that break the schema, so the validation above can fail', () => {
    const broken = (edit: (doc: Sarif.Log & Record<string, unknown>) => void) => {
      const copy = structuredClone(log) as Sarif.Log & Record<string, unknown>;
      edit(copy);
      return copy;
    };
    const regionOf = (doc: Sarif.Log) => doc.runs[0]?.results?.find((r) => r.locations?.[0]?.physicalLocation?.region)?.locations?.[0]?.physicalLocation as Sarif.PhysicalLocation;
    const cases: Array<[string, Sarif.Log]> = [
      ['wrong version', broken((d) => ((d as { version: string }).version = '2.0.0'))],
      ['unknown top-level property', broken((d) => (d['extra'] = true))],
      ['region with startLine 0', broken((d) => ((regionOf(d).region as Sarif.Region).startLine = 0))],
      ['empty region', broken((d) => (regionOf(d).region = {}))],
      ['file name that is not a URI reference', broken((d) => ((regionOf(d).artifactLocation as Sarif.ArtifactLocation).uri = 'rendered/shop chart.yaml'))],
      ['unknown level', broken((d) => ((d.runs[0]?.results?.[0] as { level: string }).level = 'fatal'))],
      ['suppression without kind', broken((d) => (d.runs[0]?.results?.find((r) => r.suppressions)?.suppressions?.[0] as { kind?: string }).kind = undefined)],
      ['invocation without executionSuccessful', broken((d) => delete (d.runs[0]?.invocations?.[0] as { executionSuccessful?: boolean }).executionSuccessful)],
    ];
    for (const [name, document] of cases) assert.notEqual(errorsOf(JSON.parse(JSON.stringify(document))), '', name);
  });

  it('describes every rule of the run, with help, level and GitHub security severity', () => {
    const clean = sarifLog(contextOf(cleanReport()));
    const rules = clean.runs[0]?.tool.driver.rules ?? [];
    assert.deepEqual(rules.map((r) => r.id), RULES.map((r) => r.id), 'rules without findings are described too');
    for (const [index, rule] of rules.entries()) {
      const definition = RULES[index];
      assert.ok(definition);
      assert.equal(rule.shortDescription?.text, definition.docs.summary);
      assert.equal(rule.fullDescription?.text, definition.docs.rationale);
      assert.ok(rule.help?.text?.includes(definition.docs.remediation) && rule.help.text.includes(definition.docs.rationale));
      assert.ok(rule.help?.markdown?.includes(definition.docs.remediation));
      assert.equal(rule.helpUri, `https://github.com/rootlock/rootlock/blob/main/docs/rules/${definition.id}.md`);
      assert.equal(rule.defaultConfiguration?.level, { error: 'error', warning: 'warning', info: 'note' }[definition.severity]);
      assert.equal(rule.properties?.['security-severity'], { error: '8.0', warning: '5.0', info: '2.0' }[definition.severity]);
      assert.deepEqual(rule.properties?.['tags'], ['security', 'immutability']);
    }
    assert.equal(clean.runs[0]?.invocations?.[0]?.executionSuccessful, true);
    assert.deepEqual(clean.runs[0]?.results, []);
  });

  it('maps each finding to a result with rule index, level, message, location and fingerprint', () => {
    assert.equal(results().length, report.findings.length);
    const rules = log.runs[0]?.tool.driver.rules ?? [];
    for (const result of results()) {
      assert.equal(rules[result.ruleIndex as number]?.id, result.ruleId);
      const finding = report.findings.find((f) => result.message.text === `${f.message}. Fix: ${f.hint}` && result.properties?.['path'] === f.path && artifactLocation(f.file).uri === result.locations?.[0]?.physicalLocation?.artifactLocation?.uri && f.object.name === result.locations?.[0]?.logicalLocations?.[0]?.name);
      assert.ok(finding, `no finding for ${result.message.text}`);
      assert.equal(result.level, { error: 'error', warning: 'warning', info: 'note' }[finding.severity]);
      const region = result.locations?.[0]?.physicalLocation?.region;
      if (finding.line === undefined) assert.equal(region, undefined);
      else {
        assert.equal(region?.startLine, finding.line);
        assert.equal(region?.startColumn, finding.column);
        assert.equal(region?.endLine, finding.endLine);
        assert.equal(region?.endColumn, finding.endColumn);
      }
      assert.match(result.partialFingerprints?.[FINGERPRINT_KEY] ?? '', /^[0-9a-f]{64}$/);
    }
    const levels = new Set(results().map((r) => r.level));
    assert.deepEqual([...levels].sort(), ['error', 'note', 'warning']);
    assert.ok(results().some((r) => r.locations?.[0]?.physicalLocation?.region?.endColumn !== undefined), 'some regions carry their end');
  });

  it('names the object and container as logical locations', () => {
    const focus = results().filter((r) => r.ruleId === FOCUS_RULE);
    const setup = focus.find((r) => r.locations?.[0]?.logicalLocations?.[1]?.name === 'setup');
    assert.deepEqual(setup?.locations?.[0]?.logicalLocations?.map((l) => [l.kind, l.fullyQualifiedName]), [
      ['resource', 'Deployment/prod/web'],
      ['member', 'Deployment/prod/web/initContainer/setup'],
    ]);
    const legacy = focus.find((r) => r.locations?.[0]?.logicalLocations?.[0]?.name === 'legacy');
    assert.equal(legacy?.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName, 'Pod/legacy', 'no namespace, no empty segment');
  });

  it('marks exempted findings as suppressed, in source for annotations and external for config', () => {
    const suppressed = results().filter((r) => r.suppressions?.length);
    assert.equal(suppressed.length, report.findings.filter((f) => f.exempted).length);
    const byKind = (kind: string) => suppressed.filter((r) => r.suppressions?.[0]?.kind === kind).map((r) => r.suppressions?.[0]?.justification);
    assert.ok(byKind('inSource').includes('vendor image writes to /opt | tracked in OPS-12'));
    assert.deepEqual(byKind('external'), ['init container only copies files']);
    assert.ok(results().filter((r) => !r.suppressions).every((r) => r.level !== undefined));
  });

  it('keeps fingerprints stable when lines move and distinct between findings', () => {
    const moved = report.findings.map((f) => ({ ...f, ...(f.line !== undefined ? { line: f.line + 10 } : {}) }));
    const again = sarifLog(contextOf({ ...report, findings: moved }));
    const prints = (doc: Sarif.Log) => (doc.runs[0]?.results ?? []).map((r) => r.partialFingerprints?.[FINGERPRINT_KEY]).sort();
    assert.deepEqual(prints(again), prints(log));
    // deploy/web.yaml and its copy hold the same objects: the file keeps their fingerprints apart.
    assert.equal(new Set(prints(log)).size, results().length);
  });

  it('turns input errors and notices into tool execution notifications, not results', () => {
    const invocation = log.runs[0]?.invocations?.[0];
    assert.equal(invocation?.executionSuccessful, false);
    const notifications = invocation?.toolExecutionNotifications ?? [];
    assert.deepEqual(notifications.filter((n) => n.level === 'error').map((n) => n.descriptor?.id), report.errors.map((e) => e.code));
    assert.deepEqual(notifications.filter((n) => n.level === 'note').map((n) => n.descriptor?.id), report.notices.map((n) => n.code));
    const syntax = notifications.find((n) => n.descriptor?.id === 'yaml-syntax');
    assert.equal(syntax?.locations?.[0]?.physicalLocation?.region?.startLine, report.errors.find((e) => e.code === 'yaml-syntax')?.line);
    const missing = notifications.find((n) => n.descriptor?.id === 'not-found');
    assert.equal(missing?.locations?.[0]?.physicalLocation?.region, undefined);
    const ruleIds = new Set(RULES.map((rule) => rule.id));
    assert.ok(results().every((r) => ruleIds.has(r.ruleId as string)), 'every result is a finding of a rule');
  });

  it('writes file names as URI references relative to the source root', () => {
    assert.deepEqual(artifactLocation('deploy/web.yaml'), { uri: 'deploy/web.yaml', uriBaseId: SOURCE_ROOT });
    assert.deepEqual(artifactLocation('./deploy/web.yaml'), { uri: 'deploy/web.yaml', uriBaseId: SOURCE_ROOT });
    assert.deepEqual(artifactLocation('deploy\\win\\web.yaml'), { uri: 'deploy/win/web.yaml', uriBaseId: SOURCE_ROOT });
    assert.deepEqual(artifactLocation('my dir/a#1.yaml'), { uri: 'my%20dir/a%231.yaml', uriBaseId: SOURCE_ROOT });
    assert.deepEqual(artifactLocation('cluster:prod/web.yaml'), { uri: 'cluster%3Aprod/web.yaml', uriBaseId: SOURCE_ROOT });
    assert.deepEqual(artifactLocation('/abs/path/x.yaml'), { uri: 'file:///abs/path/x.yaml' });
    assert.deepEqual(artifactLocation('C:\\work\\x y.yaml'), { uri: 'file:///C:/work/x%20y.yaml' });
    assert.deepEqual(artifactLocation('-'), { uri: 'stdin' });
    assert.ok(results().some((r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri === 'stdin'));
    assert.ok(results().some((r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri === 'rendered/shop%20chart.yaml'));
  });

  it('describes a rule that reports but is missing from the context, so ruleIndex stays valid', () => {
    const partial = sarifLog({ report, rules: [], color: false });
    const rules = partial.runs[0]?.tool.driver.rules ?? [];
    assert.deepEqual(sorted(rules.map((r) => r.id)), sorted(new Set(report.findings.map((f) => f.rule))));
    assert.ok((partial.runs[0]?.results ?? []).every((r) => rules[r.ruleIndex as number]?.id === r.ruleId));
    assert.equal(errorsOf(JSON.parse(JSON.stringify(partial))), '');
  });

  it('omits semanticVersion when the version is not semver', () => {
    const dev = buildReport({ findings: [], errors: [], notices: [], files: 0, documents: 0, objects: 0, workloads: 0, failOn: 'error', version: 'dev build' });
    const driver = sarifLog(contextOf(dev)).runs[0]?.tool.driver;
    assert.equal(driver?.version, 'dev build');
    assert.equal(driver?.semanticVersion, undefined);
    assert.equal(log.runs[0]?.tool.driver.semanticVersion, '0.1.0');
  });
});
