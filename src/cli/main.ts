// Entry point. Only commander and this file load at start; each command
// imports its modules when it runs, so `rootlock --version` stays fast.
import { Argument, Command, CommanderError, Option } from 'commander';
import { packageVersion } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin?: NodeJS.ReadableStream;
  cwd?: string;
  isTTY?: boolean;
  /** Today (YYYY-MM-DD); tests pin it. */
  today?: string;
}

const defaultIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

function splitList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export async function main(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('rootlock')
    .description('Make Kubernetes containers immutable and keep them that way.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('audit')
    .description('find mutable containers in manifests (files, directories, globs, - for stdin)')
    .argument('[paths...]', 'files, directories, globs, or - for standard input', ['.'])
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'sarif', 'junit', 'markdown']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding at or above this severity is found').choices(['error', 'warning', 'info', 'none']))
    .option('-c, --config <file>', 'config file (default: .rootlock.yaml found upward from the working directory)')
    .option('--no-config', 'ignore any .rootlock.yaml')
    .option('--rules <ids>', 'only run these rules (comma-separated)', splitList)
    .option('--disable-rules <ids>', 'skip these rules (comma-separated)', splitList)
    .option('--max-file-size <MiB>', 'refuse input files larger than this', (v) => Number(v), 64)
    .option('--color', 'force colour in text output')
    .option('--no-color', 'never colour text output')
    .addHelpText('after', `
Exit codes: 0 nothing at or above --fail-on (default error), 1 findings, 2 usage or input errors.
Examples:
  rootlock audit k8s/
  helm template ./chart | rootlock audit -
  kustomize build overlays/prod | rootlock audit - --format sarif -o rootlock.sarif`)
    .action(async (paths: string[], options) => {
      const { runAudit } = await import('./audit-command.js');
      exitCode = await runAudit(paths, options, io);
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
  helm template ./chart | rootlock fix - > fixed.yaml`)
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

  program
    .command('policy')
    .description('generate admission policies that enforce the rules in the cluster (ready for kubectl apply)')
    .addArgument(new Argument('<engine>', 'policy engine').choices(['gatekeeper', 'kyverno', 'vap', 'mutating-policy', 'psa', 'falco']))
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
      if (error.code === 'commander.version' || error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}
