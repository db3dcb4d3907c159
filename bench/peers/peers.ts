// The tools bench/peers compares, each run the way a CI job runs it, and each
// with a check that it processed the whole input: a tool that stopped early or
// skipped documents would look fast for the wrong reason, so the bench fails.
// A non-zero exit on findings is how these tools report and is accepted; a
// crash, a signal or an error message is not.
import type { BenchInput, ObjectIdentity } from './inputs.js';
import type { Measured } from './measure.js';

export interface Peer {
  name: string;
  /** What it does, for the report. */
  does: string;
  command: string;
  args(input: BenchInput): string[];
  /** Throws unless the run processed every object of the input; returns how many it reports. */
  check(run: Measured, stdout: string, input: BenchInput): number;
}

function expectExit(peer: string, run: Measured, allowed: readonly number[]): void {
  if (run.signal !== 0 || !allowed.includes(run.code)) {
    throw new Error(`${peer} ${run.signal ? `was killed by signal ${run.signal}` : `exited ${run.code}`}: ${run.stderr.trim().slice(0, 2000)}`);
  }
}

function expectQuiet(peer: string, run: Measured): void {
  if (run.stderr.trim() !== '') throw new Error(`${peer} wrote errors: ${run.stderr.trim().slice(0, 2000)}`);
}

function expectCount(peer: string, what: string, got: number, want: number): number {
  if (got !== want) throw new Error(`${peer} reported ${got} ${what} where the input has ${want}: it did not process all of it`);
  return got;
}

export function rootlockPeer(node: string, cli: string): Peer {
  return {
    name: 'rootlock',
    does: 'immutability checks (every rule), JSON report',
    command: node,
    args: (input) => [cli, 'audit', '--format', 'json', '--no-config', ...input.paths],
    check(run, stdout, input) {
      expectExit(this.name, run, [0, 1]);
      expectQuiet(this.name, run);
      // `documents` also counts comment-only ones (a licence header before the first `---`); `objects` does not.
      const summary = (JSON.parse(stdout) as { summary: { objects: number; errors: number } }).summary;
      if (summary.errors !== 0) throw new Error(`rootlock reported ${summary.errors} input errors`);
      return expectCount(this.name, 'objects', summary.objects, input.objects.length);
    },
  };
}

/** The kinds kube-score 1.20 decodes and scores (its parser/parse.go); it reads and skips the others. */
export const KUBE_SCORE_KINDS: ReadonlySet<string> = new Set([
  'Pod', 'Job', 'CronJob', 'Deployment', 'StatefulSet', 'DaemonSet', 'Service', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'HorizontalPodAutoscaler',
]);

const identityKey = (object: ObjectIdentity): string => `${object.kind}/${object.apiVersion}/${object.namespace}/${object.name}`;

/** What kube-score lists: one entry per kind, API version, namespace and name it scores, the same object twice counting once. */
export function kubeScoreExpected(objects: readonly ObjectIdentity[]): number {
  return new Set(objects.filter((object) => KUBE_SCORE_KINDS.has(object.kind)).map(identityKey)).size;
}

export function kubeScorePeer(binary: string): Peer {
  return {
    name: 'kube-score',
    does: 'best-practice checks on workloads, Services, Ingresses, NetworkPolicies, PDBs, HPAs; JSON report',
    command: binary,
    // It takes files only, not folders.
    args: (input) => ['score', '--output-format', 'json', ...input.files],
    check(run, stdout, input) {
      expectExit(this.name, run, [0, 1]);
      expectQuiet(this.name, run);
      const scored = JSON.parse(stdout) as unknown[];
      return expectCount(this.name, 'scored objects', scored.length, kubeScoreExpected(input.objects));
    },
  };
}

/** Kinds with no API server schema: kubeconform is told to skip them, as a CI job would. */
export const KUBECONFORM_SKIPPED_KINDS = ['Kustomization'];

interface KubeconformOutput {
  resources?: Array<{ filename: string; kind: string; name: string; status: string; msg: string }>;
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

export function kubeconformPeer(binary: string, schemaDir: string): Peer {
  return {
    name: 'kubeconform',
    does: 'schema validation only (strict, against the API server\'s OpenAPI), no checks',
    command: binary,
    args: (input) => [
      '-strict', '-summary', '-output', 'json', '-skip', KUBECONFORM_SKIPPED_KINDS.join(','),
      '-schema-location', `${schemaDir}/{{.ResourceKind}}{{.KindSuffix}}.json`, ...input.paths,
    ],
    check(run, stdout, input) {
      expectExit(this.name, run, [0, 1]);
      expectQuiet(this.name, run);
      const output = JSON.parse(stdout) as KubeconformOutput;
      const { valid, invalid, errors, skipped } = output.summary;
      const problems = (output.resources ?? []).filter((r) => r.status !== 'statusSkipped').slice(0, 3).map((r) => `${r.filename} ${r.kind}/${r.name}: ${r.msg}`);
      // The corpus is valid Kubernetes: an invalid object means the schemas or the corpus are wrong, not a finding.
      if (errors !== 0 || invalid !== 0) throw new Error(`kubeconform: ${invalid} invalid, ${errors} errors: ${problems.join('; ')}`);
      return expectCount(this.name, 'resources', valid + skipped, input.objects.length);
    },
  };
}

interface TrivyOutput {
  Results?: Array<{ Target: string; Class: string; MisconfSummary?: { Successes: number; Failures: number } }>;
}

export function trivyPeer(binary: string, cacheDir: string): Peer {
  return {
    name: 'trivy',
    does: 'misconfiguration checks (`trivy config`, its built-in Kubernetes checks, offline), JSON report',
    command: binary,
    args: (input) => [
      'config', '--format', 'json', '--quiet', '--cache-dir', cacheDir,
      '--skip-check-update', '--skip-version-check', '--disable-telemetry', ...input.paths,
    ],
    check(run, stdout, input) {
      expectExit(this.name, run, [0]);
      const results = (JSON.parse(stdout) as TrivyOutput).Results ?? [];
      // Trivy reports per file, not per object, and leaves out kustomization files: every other file must be there.
      const scanned = results.filter((r) => r.MisconfSummary !== undefined).map((r) => r.Target);
      const expected = [...new Set(input.objects.filter((object) => object.kind !== 'Kustomization').map((object) => object.file))];
      const missing = expected.filter((file) => !scanned.some((target) => file.endsWith(target)));
      if (missing.length > 0) throw new Error(`trivy did not scan ${missing.length} of ${expected.length} files, e.g. ${missing.slice(0, 3).join(', ')}`);
      return expected.length;
    },
  };
}
