// `rootlock verify --cluster MANIFEST...`: the manifests run in a throwaway
// namespace of the user's cluster (src/cluster/verify.ts); this module reads
// them, connects as `audit --cluster` does, deletes the namespace on
// SIGINT/SIGTERM too, and prints the verdicts.
import type { CliIO } from './io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './io.js';
import { parseDuration } from './profile-command.js';
import { connectFromFlags } from './cluster-connect.js';
import { packageVersion } from './version.js';
import type { ClusterVerifyResult, ManifestObject } from '../cluster/verify.js';

export interface VerifyClusterFlags {
  kubeconfig?: string;
  context?: string;
  timeout: string;
  /** How long each workload must stay Ready with no container restarting. */
  settle: string;
  format: 'text' | 'json';
}

/** Every object of the manifests with the line it starts on; a document that does not parse is a usage error. */
async function readObjects(paths: readonly string[], io: CliIO): Promise<{ objects: ManifestObject[]; errors: string[] }> {
  const { readSources } = await import('../input/sources.js');
  const { ManifestReader } = await import('../input/kube-yaml.js');
  const objects: ManifestObject[] = [];
  const errors: string[] = [];
  const add = (file: string, result: { documents: Array<{ value: unknown; position: { line: number } }>; errors: Array<{ file: string; line?: number; column?: number; message: string }> }) => {
    for (const e of result.errors) errors.push(`${e.file}${e.line ? `:${e.line}` : ''}${e.column ? `:${e.column}` : ''}: ${e.message}`);
    for (const doc of result.documents) {
      const value = doc.value;
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${file}:${doc.position.line}: not a Kubernetes object`);
        continue;
      }
      const items = (value as { kind?: unknown; items?: unknown }).kind === 'List' && Array.isArray((value as { items?: unknown }).items)
        ? ((value as { items: unknown[] }).items as Array<Record<string, unknown>>)
        : [value as Record<string, unknown>];
      for (const item of items) objects.push({ file, line: doc.position.line, value: item });
    }
  };
  for await (const item of readSources(paths, { cwd: io.cwd ?? process.cwd(), ...(io.stdin ? { stdin: io.stdin } : {}) })) {
    if (item.kind === 'error') errors.push(`${item.error.file}: ${item.error.message}`);
    if (item.kind !== 'input') continue;
    const reader = new ManifestReader(item.file);
    for await (const chunk of item.chunks) {
      if (typeof chunk !== 'string') {
        errors.push(`${chunk.file}: ${chunk.message}`);
        break;
      }
      add(item.file, reader.push(chunk));
    }
    add(item.file, reader.end());
  }
  return { objects, errors };
}

export function exitCodeOf(result: ClusterVerifyResult): number {
  if (result.rejected.length || result.errors.length || !result.cleanedUp) return EXIT_USAGE;
  if (result.workloads.some((w) => w.verdict === 'fail')) return EXIT_FINDINGS;
  if (result.workloads.some((w) => w.verdict === 'unknown')) return EXIT_USAGE;
  return EXIT_OK;
}

const WORD = { pass: 'pass', fail: 'FAIL', unknown: 'could not judge' } as const;

/** Verdicts for standard output, refusals and errors for standard error. */
export function formatText(result: ClusterVerifyResult): { out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  for (const r of result.rejected) err.push(`${r.file}:${r.line}: ${r.object}: ${r.message}`);
  if (result.rejected.length) err.push(`nothing was created (context ${result.context}): ${result.rejected.length === 1 ? 'this object was' : 'these objects were'} refused`);
  for (const w of result.workloads) {
    out.push(`${WORD[w.verdict]}  ${w.kind}/${w.name} (${w.file}:${w.line}): ${w.reason}`);
    for (const m of w.mounts) {
      out.push(`  mount a writable volume at ${m.path} (rootlock suggest):`);
      for (const line of m.evidence.slice(0, 3)) out.push(`    ${line}`);
    }
  }
  for (const e of result.errors) err.push(`error: ${e}`);
  const text = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');
  return { out: text(out), err: text(err) };
}

export async function runVerifyClusterCommand(paths: readonly string[], flags: VerifyClusterFlags, io: CliIO): Promise<number> {
  const usage = (message: string) => {
    io.stderr(`rootlock: ${message}\n`);
    return EXIT_USAGE;
  };
  if (!paths.length) return usage('verify --cluster needs at least one manifest');
  const timeoutMs = parseDuration(flags.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) return usage(`--timeout ${flags.timeout}: expected a duration such as 120s`);
  const settleMs = parseDuration(flags.settle);
  if (settleMs === undefined || settleMs < 0) return usage(`--settle ${flags.settle}: expected a duration such as 5s`);
  const { objects, errors } = await readObjects(paths, io);
  if (errors.length) return usage(`cannot read the manifests:\n${errors.join('\n')}`);
  if (!objects.length) return usage('the manifests hold no objects');

  const { verifyInCluster } = await import('../cluster/verify.js');
  const cwd = io.cwd ?? process.cwd();
  const connected = await connectFromFlags(flags, cwd);
  if ('problem' in connected) return usage(connected.problem);

  // An interrupted verify still deletes its namespace: the signal only stops the waiting.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: ClusterVerifyResult;
  try {
    result = await verifyInCluster({
      connection: connected.connection,
      objects,
      timeoutMs,
      settleMs,
      signal: abort.signal,
      onNamespace: (name) => {
        if (flags.format === 'text') io.stderr(`verifying in namespace ${name} (context ${connected.connection.context}); it is deleted at the end\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (flags.format === 'json') io.stdout(`${JSON.stringify({ ...result, version: packageVersion() }, null, 2)}\n`);
  else {
    const { out, err } = formatText(result);
    if (out) io.stdout(out);
    if (err) io.stderr(err);
  }
  return exitCodeOf(result);
}
