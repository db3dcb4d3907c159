// `rootlock audit` for manifests: reads inputs one at a time, runs the engine,
// and builds the report. Shared by the CLI and the tests.
import { Engine } from '../core/engine.js';
import type { RuleDefinition } from '../core/rule.js';
import type { RootlockConfig } from '../core/config.js';
import { severityRank } from '../core/types.js';
import type { Finding, InputError, Notice, Severity } from '../core/types.js';
import { parseManifests } from '../input/kube-yaml.js';
import { readSources } from '../input/sources.js';
import { compareFindings } from '../report/model.js';
import type { AuditReport } from '../report/model.js';

export interface AuditOptions {
  paths: readonly string[];
  cwd: string;
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  configFile?: string;
  failOn: Severity;
  today: string;
  version: string;
  maxFileBytes?: number;
  stdin?: NodeJS.ReadableStream;
}

export async function auditManifests(options: AuditOptions): Promise<AuditReport> {
  const engine = new Engine({ rules: options.rules, config: options.config, today: options.today });
  const findings: Finding[] = [];
  const errors: InputError[] = [];
  const notices: Notice[] = [];
  let files = 0;
  let documents = 0;
  const sourceOptions = { cwd: options.cwd, ...(options.maxFileBytes ? { maxFileBytes: options.maxFileBytes } : {}), ...(options.stdin ? { stdin: options.stdin } : {}) };
  for await (const item of readSources(options.paths, sourceOptions)) {
    if (item.kind === 'error') {
      errors.push(item.error);
      continue;
    }
    if (item.kind === 'notice') {
      files++;
      notices.push(item.notice);
      continue;
    }
    files++;
    const parsed = parseManifests(item.source.text, item.source.file);
    errors.push(...parsed.errors);
    for (const document of parsed.documents) {
      documents++;
      const result = engine.audit({
        file: item.source.file,
        value: document.value,
        documentIndex: document.index,
        locate: document.locate,
        ...(document.helmSource !== undefined ? { helmSource: document.helmSource } : {}),
      });
      findings.push(...result.findings);
      errors.push(...result.errors);
      notices.push(...result.notices);
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
