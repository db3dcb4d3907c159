// `rootlock drift ...`: scan, baseline, watch, manifests. Its own commander
// program, loaded only when `drift` runs.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { CliIO } from './io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './io.js';
import { packageVersion } from './version.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { defaultImageReference } from '../image/rootlock-image.js';
import { DEFAULT_RUNTIME_LOCATIONS } from '../drift/runtime-metadata.js';
import type { DriftBaseline } from '../drift/allow.js';
import type { DriftPriority } from '../drift/classify.js';
import type { AcceptedDrift, DriftReport } from '../drift/report.js';
import type { DriftFormat } from '../drift/render.js';

interface CommonFlags {
  root: string;
  containerdState: string;
  config?: string | false;
  baseline?: string;
}

class UsageError extends Error {}

const DEFAULT_CONTAINERD_STATE = DEFAULT_RUNTIME_LOCATIONS.containerdState;
/** The same default as src/drift/manifests.ts, which this module does not load until `manifests` runs. */
const DRIFT_MANIFEST_NAMESPACE = 'rootlock-drift';

async function loadAccepted(flags: CommonFlags, io: CliIO): Promise<AcceptedDrift> {
  const accepted: AcceptedDrift = { allow: [] };
  const cwd = io.cwd ?? process.cwd();
  if (flags.config !== false) {
    const { RULE_IDS } = await import('../rules/index.js');
    const { loadConfig } = await import('../app/config-file.js');
    const loaded = await loadConfig({ cwd, ...(typeof flags.config === 'string' ? { explicit: flags.config } : {}), knownRules: RULE_IDS });
    if (loaded.errors.length) {
      throw new UsageError(loaded.errors.map((e) => `${e.file}${e.line ? `:${e.line}:${e.column}` : ''}: ${e.message}`).join('\n'));
    }
    accepted.allow = loaded.config.drift.allow;
  }
  if (flags.baseline) {
    const baseline = await readBaselineFile(resolve(cwd, flags.baseline), false);
    if (baseline) accepted.baseline = baseline;
  }
  return accepted;
}

async function readBaselineFile(file: string, missingIsEmpty: boolean): Promise<DriftBaseline | undefined> {
  const { readBaseline } = await import('../drift/allow.js');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (missingIsEmpty && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read baseline ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const { baseline, error } = readBaseline(json);
  if (!baseline) throw new UsageError(`${file}: ${error}`);
  return baseline;
}

function nodeName(): string {
  return process.env['NODE_NAME'] || hostname();
}

async function scanReport(flags: CommonFlags & { namespace?: string[] }, accepted: AcceptedDrift): Promise<DriftReport> {
  const { scanNode } = await import('../drift/fs/scan-node.js');
  const namespaces = flags.namespace;
  const result = scanNode({ root: flags.root, accepted, runtime: { containerdState: flags.containerdState }, ...(namespaces ? { filter: (c) => namespaces.includes(c.identity.podNamespace ?? '') } : {}) });
  if (result.unreadable) throw new UsageError(`${result.unreadable} (is --root right?)`);
  return {
    tool: { name: 'rootlock', version: packageVersion() },
    hostname: nodeName(),
    time: new Date().toISOString(),
    containers: result.containers.map((c) => c.drift),
    problems: result.problems,
  };
}

/** Posts each event as its own JSON body, as Falco's http_output does (falcosidekick's / endpoint). */
export async function postEvents(url: string, events: readonly unknown[]): Promise<string[]> {
  const failures: string[] = [];
  for (const event of events) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
      if (!response.ok) failures.push(`${url}: HTTP ${response.status}`);
      await response.body?.cancel();
    } catch (error) {
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  return failures;
}

function parseInterval(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--interval: "${text}" is not a duration like 30s, 5m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(match[1]) * unit;
  if (ms < 100) throw new UsageError('--interval must be at least 100ms');
  return ms;
}

function parseListen(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = colon >= 0 ? text.slice(0, colon) || '0.0.0.0' : '0.0.0.0';
  const port = Number(colon >= 0 ? text.slice(colon + 1) : text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--listen: "${text}" needs a port, like 0.0.0.0:9847`);
  return { host, port };
}

function absolutePath(flag: string): (value: string) => string {
  return (value: string) => {
    if (!value.startsWith('/')) throw new UsageError(`${flag}: "${value}" is not an absolute path on the node`);
    return value;
  };
}

const PRIORITY_CHOICES = ['critical', 'error', 'warning', 'notice', 'informational', 'none'];

export async function runDrift(argv: readonly string[], io: CliIO, programName = 'rootlock', signal?: AbortSignal): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command(`${programName} drift`)
    .description('runtime drift: what changed inside the running containers on this node, read from their overlay upper layers')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const rootOption = (): Option => new Option('--root <dir>', 'where the host\'s / is mounted (/host in the DaemonSet)').default('/');
  // k3s and RKE2 keep containerd's state in /run/k3s/containerd; so can any node's config.toml.
  const stateOption = (): Option => new Option('--containerd-state <dir>', 'containerd\'s state directory on the host (its config.toml `state`), e.g. /run/k3s/containerd')
    .default(DEFAULT_CONTAINERD_STATE).argParser(absolutePath('--containerd-state'));

  program.command('scan')
    .description('scan every running overlay container once and report its drift')
    .addOption(rootOption())
    .addOption(stateOption())
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'falco']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-c, --config <file>', 'config file with drift.allow (default: .rootlock.yaml found upward)')
    .option('--no-config', 'ignore any .rootlock.yaml')
    .option('--baseline <file>', 'accept the changes recorded by `drift baseline`')
    .option('--webhook <url>', 'also POST each Falco event to this URL (falcosidekick, Falco http_output receivers)')
    .addOption(new Option('--fail-on <priority>', 'exit 1 when unaccepted drift at or above this priority is found').choices(PRIORITY_CHOICES).default('error'))
    .option('-v, --verbose', 'text: also list touched paths and accepted drift')
    .option('-n, --namespace <namespace>', 'only containers of pods in this namespace (repeatable)', (v: string, previous: string[] = []) => [...previous, v])
    .addHelpText('after', `
Exit codes: 0 no unaccepted drift at or above --fail-on, 1 drift found, 2 usage or input errors.
Examples:
  sudo ${programName} drift scan
  ${programName} drift scan --root /host --format falco --webhook http://falcosidekick:2801/`)
    .action(async (flags: CommonFlags & { format: DriftFormat; output?: string; webhook?: string; failOn: DriftPriority | 'none'; verbose?: boolean; namespace?: string[] }) => {
      const accepted = await loadAccepted(flags, io);
      const report = await scanReport(flags, accepted);
      const { renderDrift, falcoEvents } = await import('../drift/render.js');
      const text = renderDrift(report, flags.format, { verbose: flags.verbose === true });
      if (flags.output) await writeFileAtomic(resolve(io.cwd ?? process.cwd(), flags.output), text, { create: true });
      else io.stdout(text);
      if (flags.webhook) {
        for (const failure of await postEvents(flags.webhook, falcoEvents(report))) io.stderr(`rootlock: webhook: ${failure}\n`);
      }
      const { hasDriftAtOrAbove } = await import('../drift/report.js');
      // An upper layer that could not be read may hide drift: like unreadable input in an audit, that is exit 2.
      const unreadable = report.containers.some((c) => c.problems.length > 0);
      exitCode = unreadable ? EXIT_USAGE : flags.failOn !== 'none' && hasDriftAtOrAbove(report, flags.failOn) ? EXIT_FINDINGS : EXIT_OK;
    });

  program.command('baseline')
    .description('record the drift running containers have now as accepted, per image (digest when the runtime records it)')
    .addOption(rootOption())
    .addOption(stateOption())
    .option('-o, --output <file>', 'baseline file to create or extend', 'rootlock-drift-baseline.json')
    .option('--include-touched', 'also record paths copied up without a change')
    .option('-n, --namespace <namespace>', 'only containers of pods in this namespace (repeatable)', (v: string, previous: string[] = []) => [...previous, v])
    .action(async (flags: CommonFlags & { output: string; includeTouched?: boolean; namespace?: string[] }) => {
      const { extendBaseline } = await import('../drift/allow.js');
      const { imageKey } = await import('../drift/runtime-metadata.js');
      const file = resolve(io.cwd ?? process.cwd(), flags.output);
      let baseline: DriftBaseline = (await readBaselineFile(file, true)) ?? { version: 1, images: {} };
      const report = await scanReport({ ...flags, config: false }, { allow: [] });
      let recorded = 0;
      let skipped = 0;
      for (const container of report.containers) {
        const key = imageKey(container.identity);
        if (key === undefined) {
          skipped++;
          continue;
        }
        const changes = container.changes.filter((c) => flags.includeTouched || c.kind !== 'touched');
        baseline = extendBaseline(baseline, key, changes);
        recorded += changes.length;
      }
      await writeFileAtomic(file, JSON.stringify(baseline, null, 2) + '\n', { create: true });
      io.stdout(`recorded ${recorded} changes for ${Object.keys(baseline.images).length} images in ${flags.output}\n`);
      if (skipped) io.stderr(`rootlock: ${skipped} containers have no known image (no runtime metadata) and were not recorded\n`);
    });

  program.command('watch')
    .description('rescan on an interval (only upper layers that changed), print each new drift as a Falco JSON event, serve /metrics and /healthz')
    .addOption(rootOption())
    .addOption(stateOption())
    .option('--interval <duration>', 'time between scans', '30s')
    .option('--listen <host:port>', 'address for /metrics and /healthz', '0.0.0.0:9847')
    .option('--full-rescan-every <n>', 'read every upper layer again every n-th scan (edits in place do not change directory mtimes)', (v) => Number(v), 10)
    .option('-c, --config <file>', 'config file with drift.allow (default: .rootlock.yaml found upward)')
    .option('--no-config', 'ignore any .rootlock.yaml')
    .option('--baseline <file>', 'accept the changes recorded by `drift baseline`')
    .option('--webhook <url>', 'POST each new Falco event to this URL')
    .action(async (flags: CommonFlags & { interval: string; listen: string; fullRescanEvery: number; webhook?: string }) => {
      const intervalMs = parseInterval(flags.interval);
      const listen = parseListen(flags.listen);
      if (!Number.isInteger(flags.fullRescanEvery) || flags.fullRescanEvery < 1) throw new UsageError('--full-rescan-every must be a positive integer');
      const accepted = await loadAccepted(flags, io);
      const { DriftWatcher, serveMetrics } = await import('../drift/fs/watch.js');
      const { falcoEvents } = await import('../drift/render.js');
      const watcher = new DriftWatcher({ root: flags.root, accepted, runtime: { containerdState: flags.containerdState }, fullEvery: flags.fullRescanEvery });
      const state: { last?: import('../drift/fs/watch.js').WatchRound; rounds: number; failures: number; lastSuccess?: number } = { rounds: 0, failures: 0 };
      const now = (): number => Date.now() / 1000;
      const server = await serveMetrics(listen, () => ({ ...state, healthyWithinSeconds: (3 * intervalMs) / 1000 + 5, now }));
      const address = server.address();
      io.stderr(`rootlock drift watch: every ${flags.interval}, metrics on ${typeof address === 'object' && address ? `${address.address}:${address.port}` : flags.listen}\n`);
      const seen = new Set<string>();
      const tick = async (): Promise<void> => {
        state.rounds++;
        try {
          const round = watcher.scan();
          state.last = round;
          state.lastSuccess = now();
          const report: DriftReport = { tool: { name: 'rootlock', version: packageVersion() }, hostname: nodeName(), time: new Date().toISOString(), containers: round.containers, problems: round.problems };
          // Each drift is reported once, when first seen: one JSON line per event on standard output (Falco's
          // json_output, which log collectors already parse), and a POST to the webhook when one is set.
          const fresh = falcoEvents(report).filter((e) => {
            const key = `${e.output_fields['container.id'] ?? ''} ${e.output_fields['fd.name'] ?? e.output_fields['proc.pid'] ?? ''} ${e.rule} ${e.output_fields['rootlock.change'] ?? ''}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
          for (const event of fresh) io.stdout(`${JSON.stringify(event)}\n`);
          if (flags.webhook) {
            for (const failure of await postEvents(flags.webhook, fresh)) io.stderr(`rootlock: webhook: ${failure}\n`);
          }
        } catch (error) {
          state.failures++;
          io.stderr(`rootlock: scan failed: ${(error as Error).message}\n`);
        }
      };
      await new Promise<void>((resolveWatch) => {
        let timer: NodeJS.Timeout | undefined;
        const loop = async (): Promise<void> => {
          await tick();
          if (signal?.aborted) return;
          timer = setTimeout(() => void loop(), intervalMs);
        };
        const stop = (): void => {
          if (timer) clearTimeout(timer);
          server.close(() => resolveWatch());
          server.closeAllConnections();
        };
        signal?.addEventListener('abort', stop, { once: true });
        if (!signal) {
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        }
        void loop();
      });
    });

  program.command('manifests')
    .description('print the DaemonSet, ServiceAccount and RBAC that run `drift watch` on every node')
    .option('-n, --namespace <namespace>', 'namespace to install into (Pod Security level privileged: keep it apart from the webhook\'s)', DRIFT_MANIFEST_NAMESPACE)
    .option('--image <image>', 'rootlock image (build it with npm run image and push it to your registry)', defaultImageReference(packageVersion()))
    .option('--interval <duration>', 'scan interval', '30s')
    .option('--containerd-root <dir>', 'containerd\'s root directory on the nodes (config.toml `root`; k3s: /var/lib/rancher/k3s/agent/containerd)', absolutePath('--containerd-root'), '/var/lib/containerd')
    .option('--containerd-state <dir>', 'containerd\'s state directory on the nodes (config.toml `state`; k3s: /run/k3s/containerd)', absolutePath('--containerd-state'), DEFAULT_CONTAINERD_STATE)
    .action(async (flags: { namespace: string; image: string; interval: string; containerdRoot: string; containerdState: string }) => {
      parseInterval(flags.interval);
      const { driftManifestsYaml, DRIFT_MANIFEST_DEFAULTS } = await import('../drift/manifests.js');
      io.stdout(driftManifestsYaml({
        ...DRIFT_MANIFEST_DEFAULTS, namespace: flags.namespace, image: flags.image, interval: flags.interval,
        containerdRoot: flags.containerdRoot, containerdState: flags.containerdState,
      }));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof UsageError) {
      io.stderr(`rootlock: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}
