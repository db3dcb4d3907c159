// The script probe.ts runs with node inside a sandbox's network namespace.
import { runNetworkProbe } from './probe-runner.js';

void runNetworkProbe(process.argv[2] ?? '{}');
