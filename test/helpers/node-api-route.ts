// How a test node's pods reach the API server, which listens on 127.0.0.1
// only: what kube-proxy does for the `kubernetes` Service, and no more. A TCP
// forwarder listens on the node's bridge address (reachable from this node's
// pods, and from nothing off the machine), and one iptables rule sends the
// pods' connections to the Service's ClusterIP:443 to it. Pods then use the
// standard in-cluster configuration (KUBERNETES_SERVICE_HOST, the mounted
// token), unchanged; the API server's certificate names the ClusterIP.
// Nothing is forwarded off the bridge and nothing is masqueraded. The rule
// names the bridge, so node-host's teardown removes it if the test dies.
import { spawnSync } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { KUBERNETES_SERVICE_IP } from './control-plane.js';
import type { NodeHost } from './node-host.js';

export interface ApiRoute {
  /** Where the forwarder listens: the bridge address and an ephemeral port. */
  listen: { host: string; port: number };
  stop(): Promise<void>;
}

function ruleArgs(host: NodeHost, port: number): string[] {
  return [
    '-t', 'nat', 'PREROUTING', '-i', host.bridge, '-d', `${KUBERNETES_SERVICE_IP}/32`, '-p', 'tcp', '--dport', '443',
    '-m', 'comment', '--comment', `${host.networkName} kubernetes service`,
    '-j', 'DNAT', '--to-destination', `${host.gateway}:${port}`,
  ];
}

function iptables(action: '-A' | '-D', args: string[]): void {
  const [table, tableName, chain, ...rest] = args;
  const result = spawnSync('iptables', ['-w', table!, tableName!, action, chain!, ...rest], { encoding: 'utf8' });
  if (result.status !== 0 && action === '-A') throw new Error(`iptables ${action} ${args.join(' ')}: ${result.stderr.trim()}`);
}

/** Starts the forwarder to `apiServer` (https://127.0.0.1:PORT) and adds the Service rule; stop() removes both. */
export async function routeApiServerToPods(host: NodeHost, apiServer: string): Promise<ApiRoute> {
  const target = new URL(apiServer);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // A pod that goes away mid-request resets its end: close the other, nothing more.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host.gateway, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the API forwarder has no address');
  const args = ruleArgs(host, address.port);
  try {
    iptables('-A', args);
  } catch (error) {
    server.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    listen: { host: host.gateway, port: address.port },
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        iptables('-D', args);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}
