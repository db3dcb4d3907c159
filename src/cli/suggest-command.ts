// `rootlock suggest --logs FILE|-` (or `--pod NAME`, reading the logs through
// the API as `kubectl logs` does): the directories a container's logs show
// it failed to write (src/suggest/logs.ts), with the lines that show it. With
// --manifest, the fix as a unified diff of that manifest: the suggestions
// become an image knowledge entry for the container's image, ahead of the
// built-in ones (as `fix --profile` does), and the fix planner and writer
// add the volumes (rule writable-paths-mounted). The diff goes to standard
// output, so it pipes into `git apply` or `patch`; the explanation goes to
// standard error.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ImageKnowledge } from '../knowledge/images.js';
import type { LogSuggestions } from '../suggest/logs.js';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_USAGE } from './io.js';
import { todayString } from './audit-command.js';
import writablePathsMounted from '../rules/writable-paths-mounted/rule.js';

export interface SuggestFlags {
  logs?: string;
  pod?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  manifest?: string;
  container?: string;
  format: 'text' | 'json';
  config?: string | false;
}

/** The rule that mounts an image's writable paths; suggest changes nothing else. */
const SUGGEST_RULES = [writablePathsMounted.id];

/** The logs and the name messages give them: a file, standard input, or a pod's container read through the API. */
async function logsOf(flags: SuggestFlags, io: CliIO, cwd: string): Promise<{ name: string; text: string; container?: string } | string> {
  if (flags.pod === undefined) {
    const logs = flags.logs as string;
    try {
      return { name: logs === '-' ? 'standard input' : logs, text: await readLogs(logs, io, cwd) };
    } catch (error) {
      return `--logs ${logs}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const { connectFromFlags } = await import('./cluster-connect.js');
  const connected = await connectFromFlags(flags, cwd);
  if ('problem' in connected) return connected.problem;
  const { readPodLogs } = await import('../cluster/pod-logs.js');
  try {
    const read = await readPodLogs(connected.connection, flags.namespace ?? 'default', flags.pod, flags.container);
    return typeof read === 'string' ? read : { name: read.source, text: read.text, container: read.container };
  } catch (error) {
    return `cannot reach the API server at ${connected.connection.server}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function readLogs(logs: string, io: CliIO, cwd: string): Promise<string> {
  if (logs !== '-') return readFileSync(resolve(cwd, logs), 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin ?? process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export function suggestionKnowledge(found: LogSuggestions, image: string, logs: string): ImageKnowledge {
  return {
    id: `suggest:${image}`,
    images: [image],
    writablePaths: found.suggestions.map((s) => {
      const first = s.evidence[0]!;
      const more = s.evidence.length > 1 ? ` and ${s.evidence.length - 1} more` : '';
      return { path: s.path, why: `${first.program} failed to write it, ${logs} line ${first.line}${more}` };
    }),
    sources: [logs],
    verified: false,
  };
}

export function renderSuggestionsText(found: LogSuggestions, logs: string): string {
  const lines: string[] = [];
  if (found.suggestions.length === 0) lines.push(`No read-only-file-system errors with a directory to mount in ${logs}.`);
  else {
    lines.push(`Mount a writable volume (an emptyDir; a persistentVolumeClaim for data that must survive the pod) at:`);
    for (const suggestion of found.suggestions) {
      lines.push(`  ${suggestion.path}`);
      for (const evidence of suggestion.evidence) lines.push(`    ${logs}:${evidence.line} (${evidence.program}): ${evidence.text}`);
    }
  }
  if (found.permissionDenied.length) {
    lines.push('Permission denied, a uid or ownership problem (set runAsUser, runAsGroup or fsGroup, or fix ownership in the image), not a missing volume:');
    for (const problem of found.permissionDenied) {
      lines.push(`  ${problem.path || '(no path)'}`);
      for (const evidence of problem.evidence) lines.push(`    ${logs}:${evidence.line} (${evidence.program}): ${evidence.text}`);
    }
  }
  if (found.unplaced.length) {
    lines.push('Read-only errors with no directory to suggest:');
    for (const error of found.unplaced) lines.push(`  ${logs}:${error.line}: ${error.text}`, `    ${error.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

interface ManifestPatch {
  file: string;
  workload: string;
  container: string;
  image: string;
  changed: boolean;
  diff: string;
  /** Why the diff is empty although there are suggestions. */
  note?: string;
}

async function manifestPatch(found: LogSuggestions, logsName: string, flags: SuggestFlags & { manifest: string }, io: CliIO, cwd: string): Promise<ManifestPatch | string> {
  const { findPodContainer } = await import('../profile/pod.js');
  const { setupRules } = await import('./rule-setup.js');
  const { fixManifests } = await import('../app/fix.js');
  const { unifiedDiff } = await import('../fix/diff.js');
  const pod = findPodContainer(readFileSync(resolve(cwd, flags.manifest), 'utf8'), flags.manifest, flags.container);
  if (pod.image === undefined) return `${flags.manifest}: container ${pod.container} of ${pod.workload} names no image`;
  const setup = await setupRules({ rules: SUGGEST_RULES, ...(flags.config !== undefined ? { config: flags.config } : {}) }, io);
  if (!setup) return 'cannot load the rootlock configuration';
  const knowledge = suggestionKnowledge(found, pod.image, logsName);
  const run = await fixManifests({
    paths: [flags.manifest],
    cwd,
    rules: setup.rules,
    config: { ...setup.config, images: [knowledge, ...setup.config.images] },
    today: todayString(io),
    explicitRules: new Set(SUGGEST_RULES),
  });
  if (run.errors.length) return run.errors.map((e) => `${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message}`).join('\n');
  const file = run.files[0];
  if (!file) return `${flags.manifest}: no manifest to patch`;
  const changed = file.after !== file.before;
  const patch: ManifestPatch = {
    file: file.file, workload: pod.workload, container: pod.container, image: pod.image, changed,
    diff: changed ? unifiedDiff(file.file, file.before, file.after) : '',
  };
  if (!changed && found.suggestions.length) {
    patch.note = `${flags.manifest} needs no change for ${pod.container}: a writable volume already covers each directory, ` +
      'or the container does not set readOnlyRootFilesystem: true (rootlock fix sets it)';
  }
  return patch;
}

export async function runSuggest(flags: SuggestFlags, io: CliIO): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  if ((flags.logs === undefined) === (flags.pod === undefined)) {
    io.stderr('rootlock: suggest reads either --logs FILE (or - for standard input) or --pod NAME\n');
    return EXIT_USAGE;
  }
  if (flags.container !== undefined && flags.manifest === undefined && flags.pod === undefined) {
    io.stderr('rootlock: --container needs --manifest or --pod\n');
    return EXIT_USAGE;
  }
  if (flags.pod === undefined && (flags.namespace ?? flags.kubeconfig ?? flags.context) !== undefined) {
    io.stderr('rootlock: --namespace, --kubeconfig and --context go with --pod\n');
    return EXIT_USAGE;
  }
  const logs = await logsOf(flags, io, cwd);
  if (typeof logs === 'string') {
    io.stderr(`rootlock: ${logs}\n`);
    return EXIT_USAGE;
  }
  const { suggestFromLogs } = await import('../suggest/logs.js');
  let found: LogSuggestions;
  try {
    found = suggestFromLogs(logs.text);
  } catch (error) {
    io.stderr(`rootlock: ${logs.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  let patch: ManifestPatch | undefined;
  if (flags.manifest !== undefined) {
    let result: ManifestPatch | string;
    try {
      result = await manifestPatch(found, logs.name, { ...flags, manifest: flags.manifest, ...(logs.container ? { container: logs.container } : {}) }, io, cwd);
    } catch (error) {
      result = error instanceof Error ? error.message : String(error);
    }
    if (typeof result === 'string') {
      io.stderr(`rootlock: ${result}\n`);
      return EXIT_USAGE;
    }
    patch = result;
  }
  const logsName = flags.logs === '-' ? 'stdin' : logs.name;
  if (flags.format === 'json') {
    io.stdout(`${JSON.stringify({ logs: logsName, ...found, ...(patch ? { manifest: patch } : {}) }, null, 2)}\n`);
  } else if (patch) {
    io.stdout(patch.diff);
    io.stderr(renderSuggestionsText(found, logsName));
    if (patch.note) io.stderr(`${patch.note}\n`);
  } else {
    io.stdout(renderSuggestionsText(found, logsName));
  }
  return EXIT_OK;
}
