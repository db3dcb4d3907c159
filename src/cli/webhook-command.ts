// `rootlock webhook serve|certs|manifests`: wires src/webhook to the command
// line. Loaded only when a webhook command runs.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_USAGE } from './io.js';
import { packageVersion } from './version.js';
import { defaultImageReference } from '../image/rootlock-image.js';
import type { Severity } from '../core/types.js';
import type { WebhookMode, WebhookSettings } from '../webhook/settings.js';
import type { FailurePolicy } from '../webhook/manifests.js';

export interface ServeFlags {
  cert?: string;
  key?: string;
  listen: string;
  config?: string;
  mode: WebhookMode;
  mutate?: boolean;
  /** Absent when not given: the config's failOn applies, else error. */
  failOn?: Severity;
  denyRules?: string[];
  maxBodySize: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logRequests?: boolean;
  reloadInterval: number;
}

/** `:8443`, `127.0.0.1:8443`, `[::1]:8443` -> host (undefined: every interface) and port. */
export function parseListen(text: string): { host: string | undefined; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return { host: host === '' || host === undefined ? undefined : host, port };
}

export async function runWebhookServe(flags: ServeFlags, io: CliIO, signals: NodeJS.EventEmitter = process): Promise<number> {
  const usage = (message: string): number => {
    io.stderr(`rootlock: ${message}\n`);
    return EXIT_USAGE;
  };
  if (!flags.cert || !flags.key) return usage('webhook serve needs --cert and --key (PEM files; see rootlock webhook certs)');
  const listen = parseListen(flags.listen);
  if (!listen) return usage(`--listen takes [host]:port, e.g. :8443 or 127.0.0.1:8443 (got "${flags.listen}")`);
  if (!Number.isFinite(flags.maxBodySize) || flags.maxBodySize <= 0) return usage('--max-body-size must be a positive number of KiB');
  if (!Number.isFinite(flags.reloadInterval) || flags.reloadInterval <= 0) return usage('--reload-interval must be a positive number of seconds');
  const { RULES, RULE_IDS } = await import('../rules/index.js');
  for (const id of flags.denyRules ?? []) if (id !== 'all' && !RULE_IDS.has(id)) return usage(`unknown rule "${id}" in --deny-rules (see rootlock rules)`);
  const { emptyConfig } = await import('../core/config.js');
  const { defaultDenyRules } = await import('../webhook/settings.js');
  const { loadWebhookConfig, watchConfig, formatInputError } = await import('../webhook/config-reload.js');
  const { startWebhookServer } = await import('../webhook/server.js');
  const { Logger } = await import('../webhook/log.js');
  const { WebhookMetrics } = await import('../webhook/metrics.js');
  const logger = new Logger(io.stderr, flags.logLevel);
  const cwd = io.cwd ?? process.cwd();

  let config = emptyConfig();
  const configFile = flags.config ? resolve(cwd, flags.config) : undefined;
  if (configFile) {
    const loaded = await loadWebhookConfig(configFile, RULE_IDS);
    if (!loaded.ok) {
      for (const error of loaded.errors) io.stderr(`${formatInputError(error)}\n`);
      return usage(`config ${configFile} is invalid; the webhook does not start with a config it cannot read`);
    }
    config = loaded.config;
  }
  const denyRules = flags.denyRules?.includes('all') ? 'all' as const : new Set(flags.denyRules?.length ? flags.denyRules : defaultDenyRules(RULES));
  // The UTC date, formatted once a day rather than on every admission.
  let day = '';
  let nextDayStarts = 0;
  const utcToday = (): string => {
    const now = Date.now();
    if (now >= nextDayStarts) {
      day = new Date(now).toISOString().slice(0, 10);
      nextDayStarts = (Math.floor(now / 86_400_000) + 1) * 86_400_000;
    }
    return day;
  };
  const makeSettings = (c: typeof config): WebhookSettings => ({
    rules: RULES,
    config: c,
    mode: flags.mode,
    // The flag over the file, as for audit; the config is reloaded, the flag stays.
    failOn: flags.failOn ?? c.failOn ?? 'error',
    denyRules,
    today: () => io.today ?? utcToday(),
  });
  let settings = makeSettings(config);
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(resolve(cwd, flags.cert)), readFile(resolve(cwd, flags.key))]);
  } catch (error) {
    return usage(`cannot read the certificate or key: ${(error as Error).message}`);
  }
  const metrics = new WebhookMetrics();
  let server;
  try {
    server = await startWebhookServer({
      ...listen,
      host: listen.host ?? '::',
      cert: { certFile: resolve(cwd, flags.cert), keyFile: resolve(cwd, flags.key), cert, key },
      settings: () => settings,
      mutate: flags.mutate === true,
      logger,
      metrics,
      maxBodyBytes: Math.floor(flags.maxBodySize * 1024),
      certReloadIntervalMs: flags.reloadInterval * 1000,
      logAllRequests: flags.logRequests === true,
    });
  } catch (error) {
    io.stderr(`rootlock: cannot serve on ${flags.listen}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const configWatch = configFile
    ? await watchConfig(configFile, RULE_IDS, flags.reloadInterval * 1000, (loaded) => {
        if (loaded.ok) {
          settings = makeSettings(loaded.config);
          metrics.configReloads++;
          logger.info('config reloaded', { config: configFile });
        } else {
          metrics.configReloadErrors++;
          logger.error('config on disk is invalid; keeping the previous config', { config: configFile, errors: loaded.errors.map(formatInputError) });
        }
      })
    : undefined;
  logger.info('rootlock webhook serving', { version: packageVersion(), listen: flags.listen, port: server.port, mode: flags.mode, mutate: flags.mutate === true, denyRules: denyRules === 'all' ? 'all' : [...denyRules] });
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      logger.info('shutting down: finishing in-flight requests', { signal, inFlight: server.inFlight() });
      configWatch?.stop();
      void server.shutdown().then(done);
    };
    signals.once('SIGTERM', () => stop('SIGTERM'));
    signals.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return EXIT_OK;
}

export interface CertsFlags {
  service: string;
  namespace: string;
  outDir: string;
  ip?: string[];
  dns?: string[];
  days: number;
}

export async function runWebhookCerts(flags: CertsFlags, io: CliIO): Promise<number> {
  const { createCertificates } = await import('../webhook/certs.js');
  if (!Number.isInteger(flags.days) || flags.days <= 0) {
    io.stderr('rootlock: --days must be a positive whole number\n');
    return EXIT_USAGE;
  }
  const bundle = await createCertificates({ service: flags.service, namespace: flags.namespace, ips: flags.ip ?? [], dnsNames: flags.dns ?? [], days: flags.days });
  const dir = resolve(io.cwd ?? process.cwd(), flags.outDir);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.crt'), bundle.caCert);
  await writeFile(join(dir, 'ca.key'), bundle.caKey, { mode: 0o600 });
  await writeFile(join(dir, 'tls.crt'), bundle.cert);
  await writeFile(join(dir, 'tls.key'), bundle.key, { mode: 0o600 });
  io.stderr(`wrote ca.crt, ca.key, tls.crt, tls.key to ${dir} for ${flags.service}.${flags.namespace}.svc\n`);
  return EXIT_OK;
}

export interface ManifestsFlags {
  namespace: string;
  name: string;
  image?: string;
  mode: WebhookMode;
  mutate?: boolean;
  validateFailurePolicy: FailurePolicy;
  mutateFailurePolicy: FailurePolicy;
  certs?: string;
  certManager?: boolean;
  replicas: number;
}

export async function runWebhookManifests(flags: ManifestsFlags, io: CliIO): Promise<number> {
  const { installManifests } = await import('../webhook/manifests.js');
  if (flags.certs && flags.certManager) {
    io.stderr('rootlock: --certs and --cert-manager exclude each other\n');
    return EXIT_USAGE;
  }
  if (!flags.certs && !flags.certManager) {
    io.stderr('rootlock: give --certs DIR (from rootlock webhook certs) or --cert-manager\n');
    return EXIT_USAGE;
  }
  if (!Number.isInteger(flags.replicas) || flags.replicas < 1) {
    io.stderr('rootlock: --replicas must be a positive whole number\n');
    return EXIT_USAGE;
  }
  let tls;
  let caBundlePem;
  if (flags.certs) {
    const dir = resolve(io.cwd ?? process.cwd(), flags.certs);
    try {
      const [ca, cert, key] = await Promise.all(['ca.crt', 'tls.crt', 'tls.key'].map((f) => readFile(join(dir, f), 'utf8')));
      caBundlePem = ca as string;
      tls = { cert: cert as string, key: key as string };
    } catch (error) {
      io.stderr(`rootlock: cannot read ca.crt, tls.crt and tls.key in ${dir}: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }
  const objects = installManifests({
    namespace: flags.namespace,
    name: flags.name,
    image: flags.image ?? defaultImageReference(packageVersion()),
    mode: flags.mode,
    mutate: flags.mutate === true,
    validateFailurePolicy: flags.validateFailurePolicy,
    mutateFailurePolicy: flags.mutateFailurePolicy,
    replicas: flags.replicas,
    ...(caBundlePem ? { caBundlePem } : {}),
    ...(tls ? { tls } : {}),
    ...(flags.certManager ? { certManager: true } : {}),
  });
  io.stdout(objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
  return EXIT_OK;
}
