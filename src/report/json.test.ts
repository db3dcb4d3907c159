// Pins the version-1 JSON shape. docs/report-formats.md documents it; a change
// here is a change of a public format and must change the doc (and, if it
// removes or renames anything, the version).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJson } from './json.js';
import { repoRoot } from '../../test/helpers/repo.js';
import { clusterReport, contextOf, richReport } from '../../test/helpers/audit-report.js';
import type { AuditReport } from './model.js';

const SHAPE = {
  report: ['version', 'tool', 'summary', 'findings', 'errors', 'notices'],
  tool: ['name', 'version'],
  summary: ['files', 'documents', 'objects', 'workloads', 'findings', 'bySeverity', 'exempted', 'errors', 'notices', 'failOn', 'failed'],
  bySeverity: ['error', 'warning', 'info'],
  finding: ['rule', 'severity', 'message', 'hint', 'file', 'line', 'column', 'endLine', 'endColumn', 'object', 'container', 'containerType', 'path', 'fixable', 'exempted', 'exemption', 'helmSource', 'documentIndex'],
  findingAlways: ['rule', 'severity', 'message', 'hint', 'file', 'object', 'path', 'fixable', 'exempted'],
  object: ['apiVersion', 'kind', 'namespace', 'name'],
  exemption: ['source', 'reason'],
  error: ['file', 'line', 'column', 'code', 'message'],
  notice: ['file', 'line', 'column', 'code', 'message'],
} as const;

/** A cluster audit (`--cluster`): a `cluster` block, and findings on live objects, without positions, with pod counts and owners. */
const CLUSTER_SHAPE = {
  report: ['version', 'tool', 'cluster', 'summary', 'findings', 'errors', 'notices'],
  cluster: ['context', 'server', 'namespaces', 'selector', 'pods'],
  finding: ['rule', 'severity', 'message', 'hint', 'file', 'object', 'container', 'containerType', 'path', 'fixable', 'exempted', 'pods', 'owner'],
  owner: ['apiVersion', 'kind', 'namespace', 'name'],
} as const;

type Json = Record<string, unknown>;
const sorted = (keys: Iterable<string>) => [...keys].sort();
const union = (items: readonly unknown[]) => sorted(new Set(items.flatMap((item) => Object.keys(item as Json))));

function keyShape(document: Json): Record<keyof typeof SHAPE, string[]> {
  const findings = document['findings'] as Json[];
  return {
    report: sorted(Object.keys(document)),
    tool: sorted(Object.keys(document['tool'] as Json)),
    summary: sorted(Object.keys(document['summary'] as Json)),
    bySeverity: sorted(Object.keys((document['summary'] as Json)['bySeverity'] as Json)),
    finding: union(findings),
    findingAlways: sorted(Object.keys(findings[0] as Json).filter((key) => findings.every((f) => key in f))),
    object: union(findings.map((f) => f['object'])),
    exemption: union(findings.filter((f) => f['exemption']).map((f) => f['exemption'])),
    error: union(document['errors'] as Json[]),
    notice: union(document['notices'] as Json[]),
  };
}

function expected(keys: typeof SHAPE): Record<keyof typeof SHAPE, string[]> {
  return Object.fromEntries(Object.entries(keys).map(([name, list]) => [name, sorted(list)])) as Record<keyof typeof SHAPE, string[]>;
}

describe('JSON report', () => {
  let report: AuditReport;
  let document: Json;
  before(async () => {
    report = await richReport();
    document = JSON.parse(renderJson(contextOf(report))) as Json;
  });

  it('has exactly the documented keys, each of them used by real findings', () => {
    const shape = keyShape(document);
    const wanted = expected(SHAPE);
    // Every optional key appears somewhere in the fixture, and none outside the list.
    assert.deepEqual(shape, { ...wanted, findingAlways: shape.findingAlways });
    for (const key of SHAPE.findingAlways) assert.ok(shape.findingAlways.includes(key), `${key} is in every finding`);
  });

  it('leaves fix edits out', () => {
    assert.ok(report.findings.some((f) => f.edits?.length), 'the engine attached edits');
    assert.ok((document['findings'] as Json[]).every((f) => !('edits' in f)));
  });

  it('carries the report unchanged otherwise', () => {
    const withoutEdits = { ...report, findings: report.findings.map(({ edits: _edits, ...rest }) => rest) };
    assert.deepEqual(document, JSON.parse(JSON.stringify(withoutEdits)));
    assert.equal(document['version'], 1);
  });

  it('matches the example in docs/report-formats.md key for key', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'report-formats.md'), 'utf8');
    const block = /<!-- json-shape -->\s*```json\n([\s\S]*?)\n```/.exec(doc);
    assert.ok(block, 'docs/report-formats.md has a json block after <!-- json-shape -->');
    const example = JSON.parse(block[1] as string) as Json;
    const shape = keyShape(example);
    assert.deepEqual({ ...shape, findingAlways: [] }, { ...expected(SHAPE), findingAlways: [] });
  });
});

describe('JSON report of a cluster audit', () => {
  const shapeOf = (document: Json) => {
    const findings = document['findings'] as Json[];
    return {
      report: Object.keys(document),
      cluster: sorted(Object.keys(document['cluster'] as Json)),
      finding: union(findings),
      owner: union(findings.filter((f) => f['owner']).map((f) => f['owner'])),
    };
  };
  const wanted = {
    report: [...CLUSTER_SHAPE.report],
    cluster: sorted(CLUSTER_SHAPE.cluster),
    finding: sorted(CLUSTER_SHAPE.finding),
    owner: sorted(CLUSTER_SHAPE.owner),
  };

  it('has exactly the documented keys, the cluster block after tool', () => {
    assert.deepEqual(shapeOf(JSON.parse(renderJson(contextOf(clusterReport()))) as Json), wanted);
  });

  it('matches the cluster example in docs/report-formats.md key for key', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'report-formats.md'), 'utf8');
    const block = /<!-- json-shape-cluster -->\s*```json\n([\s\S]*?)\n```/.exec(doc);
    assert.ok(block, 'docs/report-formats.md has a json block after <!-- json-shape-cluster -->');
    assert.deepEqual(shapeOf(JSON.parse(block[1] as string) as Json), wanted);
  });
});
