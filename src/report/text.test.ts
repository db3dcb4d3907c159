import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderText } from './text.js';
import { contextOf, richReport } from '../../test/helpers/audit-report.js';

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
});
