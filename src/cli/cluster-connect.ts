// The --kubeconfig and --context flags every cluster command takes, turned into
// one connection. The connection module (and @kubernetes/client-node with it)
// loads only when a command asks for a cluster.
import { resolve } from 'node:path';
import type { ConnectResult } from '../cluster/connection.js';
import { packageVersion } from './version.js';

export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
}

/** Connects as the flags say; a relative --kubeconfig is read from the working directory. */
export async function connectFromFlags(flags: ClusterFlags, cwd: string): Promise<ConnectResult> {
  const { connect } = await import('../cluster/connection.js');
  return connect({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: resolve(cwd, flags.kubeconfig) } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    env: process.env,
    userAgent: `rootlock/${packageVersion()}`,
  });
}
