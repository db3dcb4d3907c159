import { wholeRenderer } from './model.js';
import type { Renderer, StreamRenderer } from './model.js';
import type { Finding } from '../core/types.js';
import { streamJsonDocument } from './json-stream.js';

/** A finding as the JSON report shows it: fix edits are an internal detail and stay out. */
function publicFinding({ edits: _edits, ...rest }: Finding): Omit<Finding, 'edits'> {
  return rest;
}

/** The stable JSON shape documented in docs/report-formats.md. */
export const streamJson: StreamRenderer = ({ report, findings }) =>
  streamJsonDocument((items) => ({ ...report, findings: items }), findings, findings.count, publicFinding);

export const renderJson: Renderer = wholeRenderer(streamJson);
