// The single executable (`npm run sea`) has no script files for Node to run, so
// it is also the sandbox's network probe runner, when given this argument first.
import { createRequire } from 'node:module';

export const NETWORK_PROBE_ARGUMENT = '--rootlock-network-probe';

/** True in the single executable, where process.execPath is rootlock itself. */
export function inSingleExecutable(): boolean {
  try {
    return (createRequire(import.meta.url)('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    // A Node without node:sea runs no single executable.
    return false;
  }
}
