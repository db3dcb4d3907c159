// Entry point. Only commander and this file load at start; each command
// imports its modules when it runs, so `rootlock --version` stays fast.
import { Argument, Command, CommanderError, Option } from 'commander';
import { packageVersion } from './version.js';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_USAGE } from './io.js';
import { writeToDescriptor } from './process-output.js';

const defaultIO: CliIO = {
  stdout: (text) => writeToDescriptor(1, text),
  stderr: (text) => writeToDescriptor(2, text),
};

/** The process's own streams, named after the executable that ran (kubectl runs plugins as `kubectl-<name>`). */
export function processIO(executable: string | undefined): CliIO {
  const base = executable?.split(/[\\/]/).pop()?.replace(/\.js$/, '');
  // ROOTLOCK_TODAY pins the date exemptions expire against, for a report that reads the same on every run.
  const today = process.env['ROOTLOCK_TODAY'];
  return {
    ...defaultIO,
    ...(base === 'kubectl-rootlock' ? { programName: 'kubectl rootlock' } : {}),
    ...(today && /^\d{4}-\d{2}-\d{2}$/.test(today) ? { today } : {}),
  };
}

/**
 * Runs the CLI as this process, with its streams and its exit code: what the launcher (bin/rootlock.js) and the
 * single executable do once they have the CLI.
 */
export function runAsProcess(argv: readonly string[], executable: string | undefined): void {
  main(argv, processIO(executable)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      writeToDescriptor(2, `rootlock: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

/** The engines of src/policy/engines.ts, spelled here so --help loads no generator (a test holds the two equal). */
export const POLICY_ENGINE_CHOICES = ['gatekeeper', 'kyverno', 'vap', 'mutating-policy', 'psa', 'falco'] as const;

function splitList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export async function main(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  let exitCode = EXIT_OK;
  const name = io.programName ?? 'rootlock';
  const program = new Command(name)
    .description('Make Kubernetes containers immutable and keep them that way.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('audit')
    .description('find mutable containers in manifests (files, directories, globs, - for stdin)')
    .argument('[paths...]', 'files, directories, globs, or - for standard input', ['.'])
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'sarif', 'junit', 'markdown', 'html']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--drift <file>', 'with --format html: show the drift found by `rootlock drift scan --format json` (its output file)')
    .option('--profile <file>', 'with --format html: show what this `rootlock profile --format json` result saw written, and whether the containers that run its image mount it writable (repeatable)', (v: string, previous: string[] = []) => [...previous, v])
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity is found').choices(['error', 'warning', 'info', 'none']))
    .option('-c, --config <file>', 'config file (default: .rootlock.yaml found upward from the working directory)')
    .option('--no-config', 'ignore any .rootlock.yaml')
    .option('--rules <ids>', 'only run these rules (comma-separated)', splitList)
    .option('--disable-rules <ids>', 'skip these rules (comma-separated)', splitList)
    .option('--max-document-size <MiB>', 'skip (with an error) any YAML document larger than this; bounds memory (default: 32)', (v) => Number(v))
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output')
    .option('--cluster', 'audit the workloads running in a cluster instead of manifests')
    .option('--kubeconfig <file>', 'with --cluster: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'with --cluster: kubeconfig context to use')
    .option('-n, --namespace <namespace>', 'with --cluster: audit this namespace (repeatable; default: all)', (v: string, previous: string[] = []) => [...previous, v])
    .option('-A, --all-namespaces', 'with --cluster: audit every namespace (the default)')
    .option('-l, --selector <selector>', 'with --cluster: only Pods and workloads with these labels (app=web,tier!=db)')
    .option('--chunk-size <n>', 'with --cluster: objects per list request', (v) => Number(v))
    .option('--watch', 'with --cluster: keep auditing as objects change, until stopped (SIGTERM)')
    .option('--policy-reports', 'with --watch: write a wgpolicyk8s.io PolicyReport per namespace and a ClusterPolicyReport')
    .option('--metrics-listen <host:port>', 'with --watch: serve Prometheus /metrics, /healthz and /readyz here')
    .option('--report-interval <seconds>', 'with --watch: shortest time between two writes of one report (default 2)', (v) => Number(v))
    .option('--leader-elect', 'with --watch: write reports only while holding a Lease, so replicas never both write')
    .option('--lease-name <name>', 'with --leader-elect: the Lease (default rootlock-audit)')
    .option('--lease-namespace <ns>', 'with --leader-elect: its namespace (default: the pod\'s namespace, else rootlock-system)')
    .option('--lease-duration <seconds>', 'with --leader-elect: how long a Lease not renewed stays held (default 15)', (v) => Number(v))
    .addHelpText('after', `
Exit codes: 0 nothing at or above --fail-on (default error), 1 findings, 2 usage or input errors.
Examples:
  ${name} audit k8s/
  helm template ./chart | ${name} audit -
  kustomize build overlays/prod | ${name} audit - --format sarif -o rootlock.sarif
  ${name} audit k8s/ --format html -o report.html
  ${name} audit k8s/ --format html --profile nginx.profile.json -o report.html
  ${name} audit --cluster -n shop -l app=web
  ${name} audit --cluster --watch --policy-reports --metrics-listen 127.0.0.1:9090 --leader-elect`)
    .action(async (paths: string[], options, command: Command) => {
      const { wantsCluster, runClusterAudit } = await import('./cluster-audit.js');
      if (wantsCluster(options)) {
        exitCode = await runClusterAudit(command.args, options, io);
        return;
      }
      const { runAudit } = await import('./audit-command.js');
      exitCode = await runAudit(paths, options, io);
    });

  program
    .command('dashboard')
    .description('serve the HTML report of a live cluster, read-only: the continuous auditor\'s PolicyReports when the cluster has them, else its own audit, again every --interval (docs/html-report.md)')
    .option('--listen <[host]:port>', 'address to serve on', '127.0.0.1:8080')
    .option('--interval <duration>', 'how often to read the reports or audit the cluster again (30s, 5m, 1h)', '5m')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <namespace>', 'show this namespace (repeatable; default: all)', (v: string, previous: string[] = []) => [...previous, v])
    .option('-l, --selector <selector>', 'only Pods and workloads with these labels')
    .option('-c, --config <file>', 'config file (default: .rootlock.yaml found upward from the working directory)')
    .option('--no-config', 'ignore any .rootlock.yaml')
    .option('--rules <ids>', 'only run these rules (comma-separated)', splitList)
    .option('--disable-rules <ids>', 'skip these rules (comma-separated)', splitList)
    .action(async (options) => {
      const { runDashboard } = await import('./dashboard-command.js');
      exitCode = await runDashboard(options, io);
    });

  program
    .command('fix')
    .description('fix mutable containers in manifests: prints a diff, or rewrites files with --write')
    .argument('[paths...]', 'files, directories, globs, or - for standard input', ['.'])
    .option('-w, --write', 'rewrite the files in place (atomically) instead of printing a diff')
    .option('--check', 'exit 1 when anything would change; change nothing')
    .option('-c, --config <file>', 'config file (default: .rootlock.yaml found upward from the working directory)')
    .option('--no-config', 'ignore any .rootlock.yaml')
    .option('--rules <ids>', 'only apply fixes of these rules (comma-separated)', splitList)
    .option('--disable-rules <ids>', 'skip these rules (comma-separated)', splitList)
    .option('--max-file-size <MiB>', 'refuse input files larger than this', (v) => Number(v), 64)
    .addOption(new Option('-f, --format <format>', 'summary format (JSON goes to standard output, with the diffs)').choices(['text', 'json']).default('text'))
    .option('--memory-tmp [size]', 'make the emptyDirs fix adds memory-backed (medium: Memory) with this sizeLimit (default 64Mi)')
    .option('--raise-memory-limit', 'with --memory-tmp: raise memory limits that leave no room for the tmpfs volumes (default: report them)')
    .option('--default-limits <limits>', 'set these limits where a container has none, e.g. cpu=500m,memory=256Mi (never invented otherwise)')
    .option('--pin-digests', 'pin every image to the digest its tag has now (OCI distribution API; Docker config credentials)')
    .option('--lock-file <file>', 'with --pin-digests: lock file of resolved digests (default rootlock.lock.json beside the manifests)')
    .option('--offline', 'with --pin-digests: use only the lock file, never a registry')
    .option('--refresh-digests', 'with --pin-digests: ask the registry again even for images in the lock file')
    .option('--insecure-registry <hosts>', 'with --pin-digests: registries that may be reached over plain HTTP (comma-separated)', splitList)
    .option('--profile <file>', 'mount what this `rootlock profile --format json` result saw written, ahead of the knowledge base (repeatable)', (v: string, previous: string[] = []) => [...previous, v])
    // fix --helm: the chart is fixed through a values override file (docs/helm-values.md).
    .option('--helm <chart>', 'fix this Helm chart (directory, package or repo/name) through a values override file instead of manifests')
    .option('--values <file>', 'with --helm: a values file, as helm\'s --values (repeatable, in order)', (v: string, previous: string[] = []) => [...previous, v])
    .option('--set <key=value>', 'with --helm: passed to helm template unchanged (repeatable)', (v: string, previous: string[] = []) => [...previous, v])
    .option('--values-out <file>', 'with --helm: the values override file to write (default rootlock-values.yaml)')
    .option('--post-render-patch [file]', 'with --helm: write what no value reaches as strategic merge patches for a post-renderer (default rootlock-post-render-patch.yaml)')
    .option('--release-name <name>', 'with --helm: the release name helm template renders with')
    .option('--namespace <namespace>', 'with --helm: the release namespace (helm template --namespace)')
    .option('--helm-bin <path>', 'the helm binary (default: helm on PATH)')
    // fix --kustomize and --post-renderer (docs/helm-kustomize.md).
    .option('--kustomize <dir>', 'fix this Kustomize overlay through patch files listed in its kustomization.yaml instead of manifests')
    .option('--kustomize-bin <path>', 'the kustomize binary (default: kustomize on PATH)')
    .option('--post-renderer', 'a Helm post-renderer: rendered manifests on standard input, the fixed ones on standard output, exit 0 unless the input cannot be read')
    .addHelpText('after', `
What it changes: readOnlyRootFilesystem: true on every container, emptyDir volumes where the image
writes (knowledge base; /tmp for unknown images, see fix.defaultWritablePaths), allowPrivilegeEscalation:
false, drop ALL capabilities (adding back what the image needs), seccomp RuntimeDefault, no token
automount where nothing suggests the pod calls the API, runAsNonRoot where the image's uid is known,
misplaced pod-level fields moved to the containers. Anything it cannot do safely is listed as needing
a human decision, with the reason.
Comments, key order, quoting and indentation are kept; only the lines a fix needs change.
A document that does not parse is never rewritten. Exempted findings are not fixed.
Exit codes: 0 done (or nothing to fix), 1 --check found something to fix, 2 usage or input errors.
Examples:
  rootlock fix k8s/                 # show the diff
  rootlock fix --write k8s/         # apply it
  rootlock fix --check k8s/         # in CI: fail when a fix is missing
  helm template ./chart | rootlock fix - > fixed.yaml
  rootlock fix --helm ./chart --values my-values.yaml   # diff of rootlock-values.yaml; --write writes it
  rootlock fix --kustomize overlays/prod                # diff of the patches and kustomization.yaml; --write writes them
  helm install web ./chart --post-renderer rootlock     # Helm 4, with the plugin in plugins/helm-rootlock`)
    .action(async (paths: string[], options) => {
      const { runFix } = await import('./fix-command.js');
      exitCode = await runFix(paths, options, io);
    });

  program
    .command('rules')
    .description('list the rules, or write their docs')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--write-docs <dir>', 'write one Markdown page per rule into this directory (docs/rules)')
    .action(async (options) => {
      const { runRules } = await import('./rules-command.js');
      exitCode = await runRules(options, io);
    });

  const webhook = program.command('webhook').description('admission webhook: reject or repair mutable workloads as they are applied (docs/webhook.md)');
  webhook
    .command('serve')
    .description('serve POST /validate and /mutate (AdmissionReview v1) over HTTPS, with /healthz, /readyz, /metrics')
    .option('--cert <file>', 'serving certificate (PEM); reloaded when it changes on disk')
    .option('--key <file>', 'private key (PEM); reloaded with the certificate')
    .option('--listen <[host]:port>', 'address to listen on', ':8443')
    .option('-c, --config <file>', '.rootlock.yaml (e.g. a mounted ConfigMap); reloaded when it changes')
    .addOption(new Option('--mode <mode>', 'enforce: deny; warn: allow with warnings; audit: allow with audit annotations').choices(['enforce', 'warn', 'audit']).default('enforce'))
    .option('--mutate', 'serve /mutate: apply the safe fixes of rootlock fix as a JSONPatch')
    .addOption(new Option('--fail-on <severity>', 'deny findings at or above this severity (default: the config\'s failOn, else error)').choices(['error', 'warning', 'info']))
    .option('--deny-rules <ids>', 'rules that may deny (comma-separated, or all); default: the immutability rules', splitList)
    .option('--max-body-size <KiB>', 'answer 413 to larger request bodies', (v) => Number(v), 3072)
    .addOption(new Option('--log-level <level>', 'JSON log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--log-requests', 'log every admission at info level (default: denials and errors)')
    .option('--reload-interval <seconds>', 'how often certificate, key and config are checked for changes', (v) => Number(v), 2)
    .action(async (options) => {
      const { runWebhookServe } = await import('./webhook-command.js');
      exitCode = await runWebhookServe(options, io);
    });
  webhook
    .command('certs')
    .description('create a CA and a serving certificate for the webhook Service (openssl)')
    .option('--service <name>', 'Service name', 'rootlock-webhook')
    .option('-n, --namespace <ns>', 'Service namespace', 'rootlock-system')
    .option('-o, --out-dir <dir>', 'where to write ca.crt, ca.key, tls.crt, tls.key', '.')
    .option('--ip <addresses>', 'extra IP addresses (comma-separated)', splitList)
    .option('--dns <names>', 'extra DNS names (comma-separated)', splitList)
    .option('--days <n>', 'validity in days', (v) => Number(v), 365)
    .action(async (options) => {
      const { runWebhookCerts } = await import('./webhook-command.js');
      exitCode = await runWebhookCerts(options, io);
    });
  webhook
    .command('manifests')
    .description('print everything to install the webhook (namespace, Deployment, Service, webhook configurations)')
    .option('-n, --namespace <ns>', 'namespace to install into', 'rootlock-system')
    .option('--name <name>', 'name of the Deployment, Service and webhook configurations', 'rootlock-webhook')
    .option('--image <image>', 'rootlock image (pin it by digest; build it with npm run image and push it to your registry)')
    .addOption(new Option('--mode <mode>', 'webhook mode').choices(['enforce', 'warn', 'audit']).default('enforce'))
    .option('--mutate', 'also install the MutatingWebhookConfiguration')
    .addOption(new Option('--validate-failure-policy <policy>', 'failurePolicy of the validating webhook').choices(['Fail', 'Ignore']).default('Fail'))
    .addOption(new Option('--mutate-failure-policy <policy>', 'failurePolicy of the mutating webhook').choices(['Fail', 'Ignore']).default('Ignore'))
    .option('--certs <dir>', 'directory written by rootlock webhook certs: a static caBundle and TLS Secret')
    .option('--cert-manager', 'let cert-manager issue the certificate and inject the caBundle')
    .option('--replicas <n>', 'replicas of the webhook Deployment', (v) => Number(v), 2)
    .action(async (options) => {
      const { runWebhookManifests } = await import('./webhook-command.js');
      exitCode = await runWebhookManifests(options, io);
    });

  program
    .command('profile')
    .description('run an image in a sandbox and list the directories it writes (docs/profile.md; a test harness, not a security boundary)')
    .argument('<image>', 'OCI image layout directory (dir or dir:tag), docker save or OCI archive file (file or file:tag), root filesystem directory, or an image reference to pull (registry/repo:tag or @sha256:...)')
    .option('--pod <manifest>', "run the container the way this manifest says (command, args, env, user, volumes)")
    .option('--container <name>', 'with --pod: the container to run (default: the first)')
    .option('--duration <time>', 'how long to let the program run', '20s')
    .option('--image-name <ref>', 'the image reference manifests use (default: the --pod container\'s image); `fix --profile` matches by it')
    .option('--probe <probe>', 'stop as soon as this succeeds inside the sandbox (within --duration): http://:PORT/PATH, https://:PORT/PATH, tcp://:PORT, exec:COMMAND')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write the result to a file instead of standard output')
    .action(async (image: string, options) => {
      const { runProfileCommand } = await import('./profile-command.js');
      exitCode = await runProfileCommand(image, options, io);
    });

  program
    .command('verify')
    .description('check that workloads stay up the way their manifests say (read-only root, their volumes, their user): in a local sandbox, or with --cluster in a throwaway namespace of your cluster (docs/profile.md)')
    .argument('<manifests...>', 'manifest with the workload (with --cluster: files, directories, globs, or - for standard input)')
    .option('--image-source <image>', 'without --cluster, required: the container\'s image: OCI image layout directory, docker save or OCI archive file, root filesystem directory, or an image reference to pull')
    .option('--container <name>', 'the container to run (default: the first)')
    .option('--settle <time>', 'how long the container (with --cluster: each workload, no container restarting) must stay up', '5s')
    .option('--probe <probe>', 'the probe to make after the settle time instead of the manifest\'s readinessProbe/livenessProbe: http://:PORT/PATH, https://:PORT/PATH, tcp://:PORT, exec:COMMAND')
    .option('--probe-wait <time>', 'how long the probe may take to succeed after the settle time', '10s')
    .option('--cluster', 'create the manifests in a throwaway namespace of the cluster and wait for every workload to be Ready or Complete')
    .option('--kubeconfig <file>', 'with --cluster: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'with --cluster: kubeconfig context to use')
    .option('--timeout <time>', 'with --cluster: how long the workloads may take to come up', '120s')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', `
With --cluster every object is first sent as a server-side dry run; if the API server refuses one,
nothing is created. The namespace (rootlock-verify-*) is deleted at the end, on Ctrl-C too.
Least privilege for it: deploy/rbac/verify-clusterrole.yaml.
Exit codes: 0 every workload passed, 1 a workload failed, 2 could not judge (image not pulled, no node,
timeout), usage or API errors.
Examples:
  ${name} verify pod.yaml --image-source ./nginx-layout:nginx
  ${name} verify --cluster k8s/ --timeout 3m`)
    .action(async (manifests: string[], options, command: Command) => {
      if (options.cluster) {
        const { runVerifyClusterCommand } = await import('./verify-cluster-command.js');
        exitCode = await runVerifyClusterCommand(manifests, options, io);
        return;
      }
      const clusterOnly = (['kubeconfig', 'context'] as const).filter((key) => options[key] !== undefined);
      if (command.getOptionValueSource('timeout') === 'cli') clusterOnly.push('timeout' as never);
      const problem = clusterOnly.length ? `${clusterOnly.map((key) => `--${key}`).join(', ')} ${clusterOnly.length === 1 ? 'needs' : 'need'} --cluster`
        : options.imageSource === undefined ? "required option '--image-source <image>' not specified (or give --cluster)"
        : manifests.length !== 1 ? 'verify without --cluster takes one manifest'
        : undefined;
      if (problem) {
        io.stderr(`error: ${problem}\n`);
        exitCode = EXIT_USAGE;
        return;
      }
      const { runVerifyCommand } = await import('./profile-command.js');
      exitCode = await runVerifyCommand(manifests[0]!, options, io);
    });

  program
    .command('suggest')
    .description('read container logs and suggest the directories to mount for every read-only-file-system error (docs/suggest.md)')
    .option('--logs <file>', 'container logs (for example `kubectl logs` of a crashing pod), or - for standard input')
    .option('--pod <name>', 'read the logs of this pod through the API instead (its previous instance when it restarted)')
    .option('-n, --namespace <namespace>', 'with --pod: the pod\'s namespace (default: default)')
    .option('--kubeconfig <file>', 'with --pod: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'with --pod: kubeconfig context to use')
    .option('--manifest <file>', 'print the fix as a unified diff of this manifest')
    .option('--container <name>', 'the container the logs are from (default: the first)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-c, --config <file>', 'config file (default: .rootlock.yaml found upward from the working directory)')
    .option('--no-config', 'ignore any .rootlock.yaml')
    .action(async (options) => {
      const { runSuggest } = await import('./suggest-command.js');
      exitCode = await runSuggest(options, io);
    });

  program
    .command('drift')
    .description('runtime drift: what changed inside running containers (scan, baseline, watch, manifests)')
    .argument('[args...]', 'drift subcommand and its options (see rootlock drift --help)')
    .helpOption(false)
    .allowUnknownOption()
    .action(async (_args: string[], _options, command: Command) => {
      const { runDrift } = await import('./drift-command.js');
      exitCode = await runDrift(command.args, io, name);
    });

  program
    .command('policy')
    .description('generate admission policies that enforce the rules in the cluster (ready for kubectl apply)')
    .addArgument(new Argument('<engine>', 'policy engine').choices(POLICY_ENGINE_CHOICES))
    .option('--rules <ids>', 'only these rules (comma-separated; default all that admission can enforce)', splitList)
    .option('--namespaces <names>', 'enforce only in these namespaces (comma-separated)', splitList)
    .option('--exclude-namespaces <names>', 'never enforce in these namespaces (comma-separated)', splitList)
    .option('--exempt-images <globs>', 'images exempt from container checks: exact, or ending in * (comma-separated)', splitList)
    .addOption(new Option('--action <action>', 'what a violation does').choices(['deny', 'warn', 'audit']).default('deny'))
    .option('-o, --output <dir>', 'write one file per engine into this directory instead of standard output')
    .addOption(new Option('--psa-level <level>', 'psa: the Pod Security Standard to apply').choices(['restricted', 'baseline']).default('restricted'))
    .option('--psa-version <version>', 'psa: the standard\'s version (latest, or a minor version such as v1.37)', 'latest')
    .option('--legacy', 'kyverno: a ClusterPolicy (kyverno.io/v1) instead of a ValidatingPolicy')
    .option('--kubectl', 'psa: print kubectl label commands instead of Namespace manifests')
    .option('--check <paths...>', 'psa: audit these Namespace manifests for Pod Security labels instead of generating any')
    .action(async (engine: string, options) => {
      const { runPolicy } = await import('./policy-command.js');
      exitCode = await runPolicy(engine, options, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help or version asked for exits 0; help shown because no command was given is a usage error.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}
