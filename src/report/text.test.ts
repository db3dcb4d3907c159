import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from './text.js';
import { clusterReport, contextOf, richReport } from '../../test/helpers/audit-report.js';

describe('text report', () => {
  it('writes file:line:column for positioned findings and the bare file name for the others', async () => {
    const report = await richReport();
    const text = renderText(contextOf(report));
    const live = report.findings.filter((f) => f.line === undefined);
    assert.ok(live.length > 0);
    for (const finding of live) assert.ok(text.includes(`    ${finding.file}  `), `${finding.file} without a position`);
    assert.ok(!text.includes(':0:0'), 'no made-up position');
    const positioned = report.findings.find((f) => f.line !== undefined && f.file !== '-');
    assert.ok(positioned && text.includes(`${positioned.file}:${positioned.line}:${positioned.column}`));
  });

  it('counts the Pods of each live finding, names owners rootlock did not audit, and names the cluster in the summary', () => {
    const text = renderText(contextOf(clusterReport()));
    assert.ok(text.includes('apps/v1/namespaces/shop/deployments/web\n  Deployment shop/web\n    error   drop-all-capabilities  [3 pods] container "app" '), text);
    assert.ok(text.includes('    error   read-only-root-filesystem  [1 pod] ephemeral container "debugger" '), 'the ephemeral container is in one Pod');
    assert.equal(text.split('\n').filter((line) => line.startsWith('  Deployment shop/web')).length, 1, 'one object line');
    assert.ok(text.includes('  Pod shop/canary-x1 (owned by Rollout canary)\n'));
    assert.ok(text.includes('error apps/v1/daemonsets: cannot list daemonsets.apps'));
    assert.match(text, /\ncluster prod \(https:\/\/kube\.example:6443\), namespace\(s\) shop, selector tier=web, 7 object\(s\), 2 workload\(s\), 4 pod\(s\): \d+ error/);
  });
});
