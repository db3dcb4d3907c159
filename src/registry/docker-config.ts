// Registry credentials the way the Docker CLI stores them, so `docker login`
// (or a CI step that writes config.json) is all a user has to do:
// $DOCKER_CONFIG/config.json, else ~/.docker/config.json, with `auths`
// entries (`auth` = base64 "user:password", or username/password fields) and
// credential helpers (`credHelpers` per registry, `credsStore` for all).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { RegistryError } from './errors.js';

export interface Credentials {
  username: string;
  password: string;
}

/** Credentials for a registry host as written in image references (`docker.io`, `ghcr.io`, `127.0.0.1:5000`). */
export type CredentialSource = (registry: string) => Promise<Credentials | undefined>;

/** Where the Docker CLI keeps this registry's entry: Docker Hub is keyed by its historical v1 URL. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export type CredentialLookup =
  | { kind: 'none' }
  | { kind: 'credentials'; credentials: Credentials }
  | { kind: 'helper'; helper: string; serverUrl: string };

/** `https://host:port/v1/` → `host:port`, as the Docker CLI compares config keys. */
export function configKeyHost(key: string): string {
  const withoutScheme = key.replace(/^https?:\/\//i, '');
  return withoutScheme.split('/')[0]!.toLowerCase();
}

function sameRegistry(key: string, registry: string): boolean {
  const host = configKeyHost(key);
  const wanted = registry.toLowerCase();
  if (DOCKER_HUB_ALIASES.has(wanted)) return DOCKER_HUB_ALIASES.has(host);
  return host === wanted;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeAuth(auth: string, where: string): Credentials {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new RegistryError('CREDENTIALS', `${where}: "auth" is not base64 of "user:password"`);
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Finds what a parsed config.json says about `registry`, without running
 * anything: credentials, a helper to ask, or nothing. `where` names the file in errors.
 */
export function lookupDockerConfig(config: unknown, registry: string, where = 'docker config'): CredentialLookup {
  if (!isRecord(config)) return { kind: 'none' };
  const serverUrl = DOCKER_HUB_ALIASES.has(registry.toLowerCase()) ? DOCKER_HUB_CONFIG_KEY : registry;
  const helpers = config['credHelpers'];
  if (isRecord(helpers)) {
    for (const [key, helper] of Object.entries(helpers)) {
      if (typeof helper === 'string' && helper !== '' && sameRegistry(key, registry)) return { kind: 'helper', helper, serverUrl };
    }
  }
  const auths = config['auths'];
  if (isRecord(auths)) {
    // An exact key wins over a normalised match (e.g. both "host" and "https://host" present).
    const keys = Object.keys(auths).sort((a, b) => Number(b === serverUrl) - Number(a === serverUrl));
    for (const key of keys) {
      const entry = auths[key];
      if (!sameRegistry(key, registry) || !isRecord(entry)) continue;
      const entryWhere = `${where}: auths["${key}"]`;
      if (typeof entry['auth'] === 'string' && entry['auth'] !== '') return { kind: 'credentials', credentials: decodeAuth(entry['auth'], entryWhere) };
      if (typeof entry['username'] === 'string' && typeof entry['password'] === 'string') {
        return { kind: 'credentials', credentials: { username: entry['username'], password: entry['password'] } };
      }
    }
  }
  const store = config['credsStore'];
  if (typeof store === 'string' && store !== '') return { kind: 'helper', helper: store, serverUrl };
  return { kind: 'none' };
}

export interface DockerConfigOptions {
  /** Environment to read DOCKER_CONFIG and HOME from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Explicit config.json path; overrides the environment. */
  configPath?: string;
  /** Runs `docker-credential-<helper> get`; replaceable in tests. */
  runHelper?: (helper: string, serverUrl: string) => Promise<Credentials | undefined>;
}

export function dockerConfigPath(env: Record<string, string | undefined> = process.env): string {
  const dir = env['DOCKER_CONFIG'];
  if (dir !== undefined && dir !== '') return join(dir, 'config.json');
  return join(env['HOME'] || homedir(), '.docker', 'config.json');
}

/** A CredentialSource backed by the Docker config file, read once on first use. */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialSource {
  const path = options.configPath ?? dockerConfigPath(options.env ?? process.env);
  const runHelper = options.runHelper ?? ((helper: string, serverUrl: string) => runCredentialHelper(helper, serverUrl, options.env ?? process.env));
  let config: Promise<unknown> | undefined;
  const load = async (): Promise<unknown> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RegistryError('CREDENTIALS', `cannot read ${path}: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new RegistryError('CREDENTIALS', `cannot parse ${path}: ${(error as Error).message}`);
    }
  };
  return async (registry) => {
    config ??= load();
    const lookup = lookupDockerConfig(await config, registry, path);
    if (lookup.kind === 'credentials') return lookup.credentials;
    if (lookup.kind === 'helper') return runHelper(lookup.helper, lookup.serverUrl);
    return undefined;
  };
}

/** The credential-helper protocol: server URL on stdin, {"Username","Secret"} JSON on stdout. */
export function runCredentialHelper(helper: string, serverUrl: string, env: Record<string, string | undefined> = process.env): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.resume();
    child.on('error', (error) => reject(new RegistryError('CREDENTIALS', `docker config names credential helper ${program}, which could not be run: ${error.message}`)));
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8').trim();
      // Helpers answer "credentials not found" with a non-zero exit: that just means anonymous.
      if (code !== 0) return resolve(undefined);
      try {
        const parsed = JSON.parse(text) as { Username?: unknown; Secret?: unknown };
        if (typeof parsed.Username === 'string' && typeof parsed.Secret === 'string' && parsed.Username !== '<token>') {
          resolve({ username: parsed.Username, password: parsed.Secret });
        } else {
          resolve(undefined);
        }
      } catch {
        reject(new RegistryError('CREDENTIALS', `credential helper ${program} printed something that is not JSON`));
      }
    });
    child.stdin.end(serverUrl);
  });
}
