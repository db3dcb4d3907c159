// Entry point. Only commander and this file load at start; each command
// imports its modules when it runs, so `rootlock --version` stays fast.
import { Command, CommanderError, Option } from 'commander';
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
    .option('--cluster', 'audit the workloads running in a cluster instead of manifests')
    .option('--kubeconfig <file>', 'with --cluster: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'with --cluster: kubeconfig context to use')
    .option('-n, --namespace <namespace>', 'with --cluster: audit this namespace (repeatable; default: all)', (v: string, previous: string[] = []) => [...previous, v])
    .option('-A, --all-namespaces', 'with --cluster: audit every namespace (the default)')
    .option('-l, --selector <selector>', 'with --cluster: only Pods and workloads with these labels (app=web,tier!=db)')
    .option('--chunk-size <n>', 'with --cluster: objects per list request', (v) => Number(v))
    .addHelpText('after', `
Exit codes: 0 nothing at or above --fail-on (default error), 1 findings, 2 usage or input errors.
Examples:
  rootlock audit k8s/
  helm template ./chart | rootlock audit -
  kustomize build overlays/prod | rootlock audit - --format sarif -o rootlock.sarif
  rootlock audit --cluster -n shop -l app=web`)
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
    .command('rules')
    .description('list the rules, or write their docs')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .option('--write-docs <dir>', 'write one Markdown page per rule into this directory (docs/rules)')
    .action(async (options) => {
      const { runRules } = await import('./rules-command.js');
      exitCode = await runRules(options, io);
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
