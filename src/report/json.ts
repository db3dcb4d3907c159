import type { Renderer } from './model.js';

/** The stable JSON shape documented in docs/report-formats.md; fix edits are an internal detail and stay out. */
export const renderJson: Renderer = ({ report }) =>
  JSON.stringify({ ...report, findings: report.findings.map(({ edits: _edits, ...rest }) => rest) }, null, 2) + '\n';
