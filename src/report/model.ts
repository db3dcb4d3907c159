// The audit report every format renders: the documented JSON shape (version 1).
import type { FailOn, Finding, InputError, Notice, Severity } from '../core/types.js';
import type { RuleDefinition } from '../core/rule.js';

export interface AuditSummary {
  files: number;
  documents: number;
  objects: number;
  workloads: number;
  findings: number;
  /** Findings that are not exempted, by severity. */
  bySeverity: Record<Severity, number>;
  exempted: number;
  errors: number;
  notices: number;
  /** Highest non-exempted severity at or above --fail-on decides exit code 1. */
  failOn: FailOn;
  failed: boolean;
}

/** Where a cluster audit read its objects; absent for manifest audits. */
export interface ClusterSource {
  /** kubeconfig context, or `in-cluster`. */
  context: string;
  server: string;
  /** Namespaces audited (-n); absent when all were. */
  namespaces?: string[];
  /** The label selector (-l), when one was given. */
  selector?: string;
  /** Pods read and audited as part of their workloads. */
  pods: number;
}

export interface AuditReport {
  version: 1;
  tool: { name: 'rootlock'; version: string };
  cluster?: ClusterSource;
  summary: AuditSummary;
  findings: Finding[];
  errors: InputError[];
  notices: Notice[];
}

export interface RenderContext {
  report: AuditReport;
  rules: readonly RuleDefinition[];
  color: boolean;
}

export type Renderer = (context: RenderContext) => string;

/** Sorted findings that can be read more than once (a renderer may count before it writes). */
export interface FindingSequence extends Iterable<Finding> {
  readonly count: number;
}

/**
 * What a streaming renderer reads: the report without its findings (its
 * `findings` array is empty and not read; it only keeps the key order of the
 * JSON shape), and the findings, already sorted, from memory or disk.
 */
export interface StreamContext {
  report: AuditReport;
  findings: FindingSequence;
  rules: readonly RuleDefinition[];
  color: boolean;
}

/** Yields the report in pieces, so a report of any size is written without being built whole in memory. */
export type StreamRenderer = (context: StreamContext) => Iterable<string>;

/** A report held whole (tests, live clusters) as a stream context: its findings sorted. */
export function streamContextOf(context: RenderContext): StreamContext {
  const sorted = [...context.report.findings].sort(compareFindings);
  return { report: { ...context.report, findings: [] }, findings: Object.assign(sorted, { count: sorted.length }), rules: context.rules, color: context.color };
}

/** The string renderer of a streaming one. */
export function wholeRenderer(stream: StreamRenderer): Renderer {
  return (context) => {
    let out = '';
    for (const piece of stream(streamContextOf(context))) out += piece;
    return out;
  };
}

/** Sort so reports are stable: by file, then position, then rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.container ?? '').localeCompare(b.container ?? '')
  );
}
