// `rootlock audit` for manifests: reads inputs one at a time, runs the engine,
// and builds the report. Shared by the CLI and the tests.
import { Engine } from '../core/engine.js';
import type { RuleDefinition } from '../core/rule.js';
import type { RootlockConfig } from '../core/config.js';
import { severityRank } from '../core/types.js';
import type { FailOn, Finding, InputError, Notice } from '../core/types.js';
import { ManifestReader } from '../input/kube-yaml.js';
import type { ParsedDocument, ParseResult } from '../input/kube-yaml.js';
import { readSources } from '../input/sources.js';
import { compareFindings } from '../report/model.js';
import type { AuditReport } from '../report/model.js';
import { FindingStore } from '../report/finding-store.js';
import type { SortedFindings } from '../report/finding-store.js';

/** Default for --max-document-size: well above any real object (the API server takes 3 MiB requests), and a bound on memory. */
export const DEFAULT_MAX_DOCUMENT_MIB = 32;

export interface AuditOptions {
  paths: readonly string[];
  cwd: string;
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  configFile?: string;
  failOn: FailOn;
  today: string;
  version: string;
  /** Documents longer than this many characters (bytes, for ASCII text) are skipped with a `document-too-large` error. */
  maxDocumentChars?: number;
  stdin?: AsyncIterable<unknown>;
  /** Findings held in memory before sorted batches go to temporary files (see FindingStore). */
  findingsInMemory?: number;
  /** false: every document through js-yaml, none through the block-YAML fast path (the benchmark measures both). */
  fastPath?: boolean;
  /**
   * Called with every parsed document after the engine audited it, with its
   * source text (ParsedDocument.source): the HTML report lists every workload
   * and previews its fix from it.
   */
  onDocument?: (file: string, document: ParsedDocument) => void;
}

/** An audit whose findings are read from a FindingStore: `report.findings` is empty, `findings` has them sorted. */
export interface StreamedAudit {
  report: AuditReport;
  findings: SortedFindings;
  /** Removes the temporary files; call when the report is written. */
  dispose(): void;
}

/** The audit with every finding in memory, sorted: for tests and callers that want the report as one value. */
export async function auditManifests(options: AuditOptions): Promise<AuditReport> {
  const audit = await auditManifestStream({ ...options, findingsInMemory: Infinity });
  return { ...audit.report, findings: [...audit.findings] };
}

/**
 * Reads every input as a stream of documents and audits each document as
 * soon as it is complete, so memory holds one document at a time, however
 * large the input; findings past a bound wait on disk in sorted runs.
 */
export async function auditManifestStream(options: AuditOptions): Promise<StreamedAudit> {
  const engine = new Engine({ rules: options.rules, config: options.config, today: options.today, keepEdits: false });
  const findings = new FindingStore(options.findingsInMemory);
  const summary = new FindingCounts();
  const keep = (list: readonly Finding[]) => {
    for (const finding of list) {
      findings.add(finding);
      summary.add(finding);
    }
  };
  const errors: InputError[] = [];
  const notices: Notice[] = [];
  let files = 0;
  let documents = 0;
  const maxDocumentChars = options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_MIB * 1024 * 1024;

  const auditParsed = (file: string, parsed: ParseResult) => {
    errors.push(...parsed.errors);
    for (const document of parsed.documents) {
      try {
        const result = engine.audit({
          file,
          value: document.value,
          documentIndex: document.index,
          locate: document.locate,
          ...(document.helmSource !== undefined ? { helmSource: document.helmSource } : {}),
        });
        keep(result.findings);
        errors.push(...result.errors);
        notices.push(...result.notices);
        options.onDocument?.(file, document);
      } catch (error) {
        // A bug, not bad input: report it where it happened and audit the rest.
        errors.push({
          file,
          line: document.position.line,
          column: document.position.column,
          code: 'internal-error',
          message: `rootlock failed on document ${document.index + 1}: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
  };

  for await (const item of readSources(options.paths, { cwd: options.cwd, ...(options.stdin ? { stdin: options.stdin } : {}) })) {
    if (item.kind === 'error') {
      errors.push(item.error);
      continue;
    }
    if (item.kind === 'notice') {
      notices.push(item.notice);
      continue;
    }
    files++;
    const errorsBefore = errors.length;
    const reader = new ManifestReader(item.file, { maxDocumentChars, fastPath: options.fastPath ?? true, keepSource: options.onDocument !== undefined });
    let ended = false;
    for await (const chunk of item.chunks) {
      if (typeof chunk !== 'string') {
        // The input cannot be read on; what was complete before this point has been audited.
        errors.push(chunk);
        ended = true;
        break;
      }
      auditParsed(item.file, reader.push(chunk));
    }
    if (!ended) auditParsed(item.file, reader.end());
    documents += reader.documentCount;
    if (reader.documentCount === 0 && errors.length === errorsBefore) {
      notices.push({ file: item.file, code: 'empty-file', message: 'no YAML documents (the input is empty or only comments); nothing to audit' });
    }
  }
  const last = engine.finish(options.configFile);
  keep(last.findings);
  notices.push(...last.notices);
  const report = reportOf(summary, { errors, notices, files, documents, objects: engine.stats.objects, workloads: engine.stats.workloads, failOn: options.failOn, version: options.version });
  return { report, findings: findings.sorted(), dispose: () => findings.dispose() };
}

/** Counts findings as they come, for the summary of a report whose findings are not all in memory. */
class FindingCounts {
  readonly bySeverity = { error: 0, warning: 0, info: 0 };
  total = 0;
  exempted = 0;
  /** Highest severity rank of a finding that is not exempted; -1 for none. */
  worst = -1;

  add(finding: Finding): void {
    this.total++;
    if (finding.exempted) this.exempted++;
    else {
      this.bySeverity[finding.severity]++;
      this.worst = Math.max(this.worst, severityRank(finding.severity));
    }
  }
}

interface ReportParts {
  errors: InputError[]; notices: Notice[];
  files: number; documents: number; objects: number; workloads: number;
  failOn: FailOn; version: string;
}

/** The report without its findings (an empty list), from their counts. */
function reportOf(counts: FindingCounts, input: ReportParts): AuditReport {
  return {
    version: 1,
    tool: { name: 'rootlock', version: input.version },
    summary: {
      files: input.files,
      documents: input.documents,
      objects: input.objects,
      workloads: input.workloads,
      findings: counts.total,
      bySeverity: counts.bySeverity,
      exempted: counts.exempted,
      errors: input.errors.length,
      notices: input.notices.length,
      failOn: input.failOn,
      failed: input.failOn !== 'none' && counts.worst >= severityRank(input.failOn),
    },
    findings: [],
    errors: input.errors,
    notices: input.notices,
  };
}

/** A report with every finding in memory, sorted (live clusters, tests). */
export function buildReport(input: ReportParts & { findings: Finding[] }): AuditReport {
  const findings = [...input.findings].sort(compareFindings);
  const counts = new FindingCounts();
  for (const finding of findings) counts.add(finding);
  return { ...reportOf(counts, input), findings };
}
