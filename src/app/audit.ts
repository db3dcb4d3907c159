// `rootlock audit` for manifests: reads inputs one at a time, runs the engine,
// and builds the report. Shared by the CLI and the tests.
import { Engine } from '../core/engine.js';
import type { RuleDefinition } from '../core/rule.js';
import type { RootlockConfig } from '../core/config.js';
import { severityRank } from '../core/types.js';
import type { Finding, InputError, Notice, Severity } from '../core/types.js';
import { ManifestReader } from '../input/kube-yaml.js';
import type { ParseResult } from '../input/kube-yaml.js';
import { readSources } from '../input/sources.js';
import { compareFindings } from '../report/model.js';
import type { AuditReport } from '../report/model.js';

/** Default for --max-document-size: well above any real object (the API server takes 3 MiB requests), and a bound on memory. */
export const DEFAULT_MAX_DOCUMENT_MIB = 32;

export interface AuditOptions {
  paths: readonly string[];
  cwd: string;
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  configFile?: string;
  failOn: Severity;
  today: string;
  version: string;
  /** Documents longer than this many characters (bytes, for ASCII text) are skipped with a `document-too-large` error. */
  maxDocumentChars?: number;
  stdin?: AsyncIterable<unknown>;
}

/**
 * Reads every input as a stream of documents and audits each document as
 * soon as it is complete, so memory holds one document (plus the findings)
 * at a time, however large the input.
 */
export async function auditManifests(options: AuditOptions): Promise<AuditReport> {
  const engine = new Engine({ rules: options.rules, config: options.config, today: options.today, keepEdits: false });
  const findings: Finding[] = [];
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
        findings.push(...result.findings);
        errors.push(...result.errors);
        notices.push(...result.notices);
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
    const reader = new ManifestReader(item.file, { maxDocumentChars });
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
  findings.push(...last.findings);
  notices.push(...last.notices);
  return buildReport({ findings, errors, notices, files, documents, objects: engine.stats.objects, workloads: engine.stats.workloads, failOn: options.failOn, version: options.version });
}

export function buildReport(input: {
  findings: Finding[]; errors: InputError[]; notices: Notice[];
  files: number; documents: number; objects: number; workloads: number;
  failOn: Severity; version: string;
}): AuditReport {
  const findings = [...input.findings].sort(compareFindings);
  const bySeverity = { error: 0, warning: 0, info: 0 };
  let exempted = 0;
  for (const finding of findings) {
    if (finding.exempted) exempted++;
    else bySeverity[finding.severity]++;
  }
  const threshold = severityRank(input.failOn);
  const failed = findings.some((f) => !f.exempted && severityRank(f.severity) >= threshold);
  return {
    version: 1,
    tool: { name: 'rootlock', version: input.version },
    summary: {
      files: input.files,
      documents: input.documents,
      objects: input.objects,
      workloads: input.workloads,
      findings: findings.length,
      bySeverity,
      exempted,
      errors: input.errors.length,
      notices: input.notices.length,
      failOn: input.failOn,
      failed,
    },
    findings,
    errors: input.errors,
    notices: input.notices,
  };
}
