// The timed passes of the audit benchmark, each over every manifest file in
// a directory: the js-yaml baseline, the `yaml` library reference and the
// rootlock audit through its real pipeline. Shared by run.ts (in process) and
// child.ts (one pass per process, for peak RSS).
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { auditManifestStream } from '../../src/app/audit.js';
import { emitStreamedReport } from '../../src/cli/emit-report.js';
import { emptyConfig } from '../../src/core/config.js';
import { MANIFEST_EXTENSIONS } from '../../src/input/sources.js';
import { RULES } from '../../src/rules/index.js';

export type PassName = 'js-yaml' | 'yaml' | 'audit' | 'audit-js-yaml';
export const PASS_NAMES: readonly PassName[] = ['js-yaml', 'yaml', 'audit', 'audit-js-yaml'];

export interface PassResult {
  pass: PassName;
  /** Wall-clock time. */
  ms: number;
  /** User + system CPU time of the whole process (main thread, I/O threads, GC threads). */
  cpuMs: number;
  files: number;
  documents: number;
  /** Files the parser rejected (the baselines) or input errors (the audit). */
  errors: number;
  /** Audit only. */
  findings?: number;
  /** Audit only: findings without a line and column. The target requires none. */
  unpositioned?: number;
}

/** Every manifest file under `dir`, sorted, the way the audit's directory walk finds them. */
export async function listManifests(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names
    .filter((name) => MANIFEST_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)))
    .sort()
    .map((name) => join(dir, name));
}

type Parse = (text: string) => number;

const parsers: Record<'js-yaml' | 'yaml', Parse> = {
  // Plain js-yaml: default schema, no positions, no comments.
  'js-yaml': (text) => loadAll(text).length,
  // The comment-preserving Document API that `fix` needs.
  'yaml': (text) => parseAllDocuments(text).length,
};

/** Reads each file and parses it: what any tool that looks at the manifests must at least do. */
async function parserPass(pass: 'js-yaml' | 'yaml', dir: string): Promise<Omit<PassResult, 'ms' | 'cpuMs'>> {
  const parse = parsers[pass];
  const files = await listManifests(dir);
  let documents = 0;
  let errors = 0;
  for (const file of files) {
    // Read the way the audit reads files (src/input/sources.ts): synchronously, so the ratio compares parsing and auditing, not two ways of doing I/O.
    const text = readFileSync(file).toString('utf8');
    try {
      documents += parse(text);
    } catch {
      errors++;
    }
  }
  return { pass, files: files.length, documents, errors };
}

/**
 * `rootlock audit <dir>`: directory walk, parse with positions (with
 * `fastPath` false, every document through js-yaml, as JSON, flow-style or
 * anchor-heavy input is read), every
 * registered rule, findings kept as the CLI keeps them (sorted, in batches on
 * disk past DEFAULT_FINDINGS_IN_MEMORY) and read back in order. With
 * `render`, the JSON report is also written, to /dev/null, as the CLI writes
 * it: the peak-RSS children measure that whole run.
 */
async function auditPass(dir: string, render: boolean, fastPath: boolean): Promise<Omit<PassResult, 'ms' | 'cpuMs'>> {
  const audit = await auditManifestStream({
    fastPath,
    paths: [dir],
    cwd: dir,
    rules: RULES,
    config: emptyConfig(),
    failOn: 'error',
    today: '2026-01-01',
    version: 'bench',
  });
  try {
    let unpositioned = 0;
    for (const finding of audit.findings) if (finding.line === undefined || finding.column === undefined) unpositioned++;
    if (render) {
      const sink = openSync('/dev/null', 'w');
      try {
        await emitStreamedReport(audit.report, audit.findings, RULES, { format: 'json' }, { stdout: (text) => void writeSync(sink, text), stderr: () => undefined, cwd: dir });
      } finally {
        closeSync(sink);
      }
    }
    return {
      pass: fastPath ? 'audit' : 'audit-js-yaml',
      files: audit.report.summary.files,
      documents: audit.report.summary.documents,
      errors: audit.report.errors.length,
      findings: audit.findings.count,
      unpositioned,
    };
  } finally {
    audit.dispose();
  }
}

/** Times one pass; `render` (audit only) also writes the JSON report, as `rootlock audit --format json` does. */
export async function runPass(pass: PassName, dir: string, render = false): Promise<PassResult> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = await (pass === 'audit' || pass === 'audit-js-yaml' ? auditPass(dir, render, pass === 'audit') : parserPass(pass, dir));
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { ...result, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

let gc: (() => void) | undefined;

/**
 * Full collection between passes, so one pass does not pay for the garbage of
 * the one before. `--expose-gc` can be switched on at run time; the function
 * then only appears in contexts created afterwards, hence the fresh context.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
