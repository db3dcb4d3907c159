// Real error output of Debian software on a read-only root, captured by
// running it in the sandbox the way `rootlock verify` does, for tests that
// read such output (`rootlock suggest --logs`). Each function starts the
// program fresh: the text is what this machine's nginx or python3 printed,
// never a copy kept in the repository.
import { openImage } from '../../src/image/source.js';
import type { PodContainerView } from '../../src/profile/pod.js';
import { runVerify } from '../../src/profile/verify.js';
import { debianImageLayout } from './debian-image.js';

/** The directories Debian's nginx (as the nginx image runs it) must have writable. */
export const NGINX_WRITABLE_DIRS = ['/run', '/var/lib/nginx', '/var/log/nginx'] as const;

function view(container: string, mounts: readonly string[], extra: Partial<PodContainerView> = {}): PodContainerView {
  return {
    workload: 'Pod/captured', container, image: undefined, env: [], placeholders: [],
    volumeMounts: mounts.map((path, i) => ({ path, volume: `v${i}` })), ...extra,
  };
}

/** The programs fail at once; a long settle time only keeps a loaded machine from hiding the failure. */
const SETTLE_MS = 10_000;

export interface CapturedFailure {
  /** What the program printed (nginx prints only to stderr here; stdout and stderr interleaved as a log would be). */
  output: string;
  /** The paths `verify` read out of it. */
  readOnlyPaths: string[];
  exitCode: number | null | undefined;
}

/**
 * nginx of the Debian image on a read-only root with only `mounted` writable
 * (default: nothing). With nothing mounted nginx stops at its first write:
 * `[emerg] mkdir() "/var/lib/nginx/body" failed (30: Read-only file system)`.
 */
export async function nginxReadOnlyFailure(mounted: readonly string[] = []): Promise<CapturedFailure> {
  const image = openImage(`${debianImageLayout()}:nginx`);
  const result = await runVerify(image, view('nginx', mounted), { settleMs: SETTLE_MS, probeWaitMs: 0 });
  if (result.passed) throw new Error(`nginx ran with only ${mounted.join(', ') || 'nothing'} writable: no failure to capture`);
  return { output: result.output, readOnlyPaths: result.readOnlyPaths, exitCode: result.exited?.code };
}

/** The stderr text of nginx without any volume: what `kubectl logs` shows for the crashing pod. */
export async function nginxWithoutVolumesStderr(): Promise<string> {
  return (await nginxReadOnlyFailure()).output;
}

/**
 * python3 as user 1000 writing a file to /tmp before serving (a Python
 * program that does use /tmp), without /tmp mounted:
 * `OSError: [Errno 30] Read-only file system: '/tmp/rootlock-ready'`.
 */
export const PYTHON_WRITES_TMP = ['python', '-c',
  "open('/tmp/rootlock-ready', 'w').write('1'); import runpy, sys; sys.argv = ['http.server', '8080']; runpy.run_module('http.server', run_name='__main__')"];

export async function pythonTmpReadOnlyFailure(): Promise<CapturedFailure> {
  const image = openImage(`${debianImageLayout()}:python`);
  const result = await runVerify(image, view('app', [], { command: PYTHON_WRITES_TMP, runAsUser: 1000 }), { settleMs: SETTLE_MS, probeWaitMs: 0 });
  if (result.passed) throw new Error('python wrote to /tmp on a read-only root: no failure to capture');
  return { output: result.output, readOnlyPaths: result.readOnlyPaths, exitCode: result.exited?.code };
}
