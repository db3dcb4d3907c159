// Starts Debian's docker-registry (the CNCF distribution server) on a free
// 127.0.0.1 port with throwaway storage, and the tools the end-to-end test
// drives it with: skopeo, openssl, htpasswd. Nothing here is mocked.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** Fails (never skips) when the system packages are missing, saying how to install them. */
export function assertToolsInstalled(): void {
  const missing: string[] = [];
  if (!existsSync(REGISTRY_BINARY)) missing.push(`${REGISTRY_BINARY} (package docker-registry)`);
  for (const tool of ['skopeo', 'openssl', 'htpasswd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(`${tool}${tool === 'htpasswd' ? ' (package apache2-utils)' : ''}`);
  }
  if (missing.length > 0) {
    throw new Error(`the registry end-to-end test needs ${missing.join(', ')}: run scripts/install-test-deps.sh (as root) first`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; file: string }
  | { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string };

export interface RegistryOptions {
  /** Folder for the config and the storage. */
  dir: string;
  auth: RegistryAuth;
  tls?: { certificate: string; key: string };
}

export interface RunningRegistry {
  /** host:port as written in image references. */
  host: string;
  port: number;
  storage: string;
  logs(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A failing test must not leave registries behind, even if its after-hook never runs.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const port = await freePort();
  const storage = join(options.dir, 'storage');
  const auth =
    options.auth.kind === 'htpasswd'
      ? { htpasswd: { realm: 'rootlock-test', path: options.auth.file } }
      : options.auth.kind === 'token'
        ? { token: { realm: options.auth.realm, service: options.auth.service, issuer: options.auth.issuer, rootcertbundle: options.auth.rootCertBundle } }
        : undefined;
  // JSON is YAML, so the config needs no YAML writer.
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true } },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: randomBytes(16).toString('hex'),
      ...(options.tls ? { tls: { certificate: options.tls.certificate, key: options.tls.key } } : {}),
    },
    ...(auth ? { auth } : {}),
  };
  const configPath = join(options.dir, 'config.yml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const child = spawn(REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`docker-registry exited before listening:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not listen on 127.0.0.1:${port} within 15s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { host: `127.0.0.1:${port}`, port, storage, logs: () => output, stop };
}

export interface CommandResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a tool and fails with its output when it fails. Asynchronous on purpose:
 * the token service runs in this process and must keep answering while skopeo waits on it.
 */
export function run(command: string, args: string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not be started: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { status: code ?? -1, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') };
      if (code === 0) resolve(result);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${result.stdout.toString('utf8')}${result.stderr}`));
    });
  });
}

export interface SkopeoDestination {
  creds?: string;
  /** Folder with ca.crt for a TLS registry; without it TLS is not verified (plain HTTP registries). */
  certDir?: string;
}

function tlsArgs(prefix: '--dest-' | '--' | '--src-', destination: SkopeoDestination): string[] {
  const args = destination.certDir ? [`${prefix}cert-dir=${destination.certDir}`] : [`${prefix}tls-verify=false`];
  if (destination.creds) args.push(`${prefix}creds=${destination.creds}`);
  return args;
}

/** Pushes `oci:<layout>:<tag>` to `docker://<host>/<target>` with a real client; `all` copies every platform of an index. */
export async function skopeoPush(layout: string, tag: string, host: string, target: string, destination: SkopeoDestination = {}, all = false): Promise<void> {
  await run('skopeo', ['--insecure-policy', 'copy', '--quiet', ...(all ? ['--all'] : []), ...tlsArgs('--dest-', destination), `oci:${layout}:${tag}`, `docker://${host}/${target}`]);
}

/** The manifest bytes the registry serves for a reference, as skopeo sees them. */
export async function skopeoRawManifest(host: string, target: string, source: SkopeoDestination = {}): Promise<Buffer> {
  return (await run('skopeo', ['--insecure-policy', 'inspect', '--raw', ...tlsArgs('--', source), `docker://${host}/${target}`])).stdout;
}

/** skopeo's own digest of a reference (`Digest` of `skopeo inspect`: the top-level manifest or index). */
export async function skopeoDigest(host: string, target: string, source: SkopeoDestination = {}): Promise<string> {
  return (await run('skopeo', ['--insecure-policy', 'inspect', '--format', '{{.Digest}}', ...tlsArgs('--', source), `docker://${host}/${target}`])).stdout.toString('utf8').trim();
}

/** A self-signed EC P-256 certificate (its own CA), for a TLS server on `ip` or for signing tokens. */
export async function selfSignedCertificate(dir: string, name: string, ip?: string): Promise<{ certificate: string; key: string }> {
  const certificate = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${ip ?? name}`, ...(ip ? ['-addext', `subjectAltName=IP:${ip}`] : []),
    '-keyout', key, '-out', certificate,
  ]);
  return { certificate, key };
}

/** An htpasswd file (bcrypt, the only format the registry accepts). */
export async function htpasswdFile(path: string, user: string, password: string): Promise<void> {
  writeFileSync(path, (await run('htpasswd', ['-Bbn', user, password])).stdout);
}
