// Entry of the single executable that `npm run sea` builds: the CLI with Node
// inside, one file to download in CI. Also the sandbox's network probe runner,
// since the executable has no script files for Node to run.
import { runAsProcess } from './main.js';
import { NETWORK_PROBE_ARGUMENT } from '../sandbox/single-executable.js';

const argv = process.argv.slice(2);
if (argv[0] === NETWORK_PROBE_ARGUMENT) {
  void import('../sandbox/probe-runner.js').then(({ runNetworkProbe }) => runNetworkProbe(argv[1] ?? '{}'));
} else {
  // argv0 keeps the name the executable was started by (kubectl-rootlock, say); argv[1] is its resolved path.
  runAsProcess(argv, process.argv0);
}
