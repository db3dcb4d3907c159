// `rootlock audit --cluster --watch`: informers feed the watch state, changed
// scopes are rebuilt at most once per interval, and (with --policy-reports,
// while leading) their reports are written. Also the metrics and health
// endpoints. The pieces are in informer.ts, watch-state.ts, policy-report.ts,
// report-writer.ts, leader-election.ts and metrics.ts.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { isObject } from '../core/path.js';
import type { RootlockConfig } from '../core/config.js';
import type { RuleDefinition } from '../core/rule.js';
import type { JsonObject } from '../core/types.js';
import type { ClusterConnection } from './connection.js';
import { Informer } from './informer.js';
import type { InformerHandler } from './informer.js';
import { LeaderElection } from './leader-election.js';
import { asObject, statusMessage } from './list.js';
import { WatchMetrics } from './metrics.js';
import { MANAGED_BY_LABEL, REPORT_GROUP, REPORT_NAME, REPORT_VERSION, reportBody } from './policy-report.js';
import { ReportWriter } from './report-writer.js';
import { AUDITED_RESOURCES, NAMESPACES, objectPath, PODS, qualifiedResource, resourceTypeOf, SERVICE_ACCOUNTS, WORKLOAD_CONTROLLERS } from './resources.js';
import type { ResourceType } from './resources.js';
import { CLUSTER_SCOPE, WatchState } from './watch-state.js';
import type { ChangeEffect } from './watch-state.js';

export const POLICY_REPORTS: ResourceType = { group: REPORT_GROUP, version: REPORT_VERSION, kind: 'PolicyReport', plural: 'policyreports', namespaced: true };
export const CLUSTER_POLICY_REPORTS: ResourceType = { group: REPORT_GROUP, version: REPORT_VERSION, kind: 'ClusterPolicyReport', plural: 'clusterpolicyreports', namespaced: false };

/** What is listed first: Namespaces and ServiceAccounts, then controllers parents first, then Pods. */
const INITIAL_LIST_ORDER: readonly ResourceType[] = [NAMESPACES, SERVICE_ACCOUNTS, ...WORKLOAD_CONTROLLERS, PODS];

export interface WatchOptions {
  connection: ClusterConnection;
  rules: readonly RuleDefinition[];
  config: RootlockConfig;
  today: string;
  policyReports: boolean;
  /** host:port for /metrics, /healthz and /readyz. */
  metricsListen?: { host: string; port: number };
  leaderElection?: { namespace: string; name: string; identity: string; leaseDurationSeconds: number; retryPeriodMs: number };
  /** The shortest time between two writes of one scope's report. */
  reportIntervalMs: number;
  chunkSize?: number;
  watchTimeoutSeconds?: number;
  /** rootlock's own namespace: the ClusterPolicyReport's owner, so deleting the namespace removes it. */
  ownerNamespace?: string;
  /** Filled in by startWatch from ownerNamespace. */
  clusterOwner?: { apiVersion: string; kind: string; name: string; uid: string };
  /** One line for the user (stderr): problems, once each, and leadership changes. */
  log: (line: string) => void;
  /** Each API request an informer makes (the benchmark counts them). */
  onRequest?: (kind: 'list' | 'watch' | 'write' | 'get') => void;
}

export type StartResult = { watcher: Watcher } | { problem: string };

/** Checks what must be there before anything starts: the report CRDs when reports are asked for. */
async function preflight(options: WatchOptions): Promise<string | undefined> {
  if (!options.policyReports) return undefined;
  let response;
  try {
    response = await options.connection.get(`/apis/${REPORT_GROUP}/${REPORT_VERSION}`);
  } catch (error) {
    return `cannot reach the API server of context "${options.connection.context}": ${(error as Error).message}`;
  }
  if (response.status === 404) {
    return `the cluster does not serve ${REPORT_GROUP}/${REPORT_VERSION}: install the PolicyReport and ClusterPolicyReport CRDs (kubectl apply -f deploy/crds/) before --policy-reports`;
  }
  if (response.status !== 200) return `cannot read the API group ${REPORT_GROUP}/${REPORT_VERSION}: ${statusMessage(response)}`;
  return undefined;
}

export async function startWatch(options: WatchOptions): Promise<StartResult> {
  const problem = await preflight(options);
  if (problem) return { problem };
  let clusterOwner;
  if (options.policyReports && options.ownerNamespace !== undefined) {
    const response = await options.connection.get(`/api/v1/namespaces/${encodeURIComponent(options.ownerNamespace)}`).catch(() => undefined);
    const metadata = response?.status === 200 && isObject(response.body) && isObject(response.body['metadata']) ? response.body['metadata'] : {};
    if (typeof metadata['uid'] === 'string') clusterOwner = { apiVersion: 'v1', kind: 'Namespace', name: options.ownerNamespace, uid: metadata['uid'] };
    else options.log(`rootlock: namespace "${options.ownerNamespace}" cannot be read, so the ClusterPolicyReport has no owner and stays when rootlock is uninstalled`);
  }
  const watcher = new Watcher(clusterOwner ? { ...options, clusterOwner } : options);
  const listening = await watcher.start();
  return listening ? { problem: listening } : { watcher };
}

export class Watcher {
  readonly state: WatchState;
  readonly metrics = new WatchMetrics();
  private readonly informers: Informer[] = [];
  private readonly reportInformers: Informer[] = [];
  private readonly writer: ReportWriter | undefined;
  private readonly election: LeaderElection | undefined;
  private server: Server | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastRebuild = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly reported = new Set<string>();
  private pendingTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Set once every audited resource was listed (or refused): reports before that would be partial. */
  synced = false;
  /** Resolves when synced. */
  readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(private readonly options: WatchOptions) {
    this.state = new WatchState({ rules: options.rules, config: options.config, today: options.today });
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    if (options.policyReports) {
      this.writer = new ReportWriter(options.connection, {
        ...(options.clusterOwner ? { clusterOwner: options.clusterOwner } : {}),
        onProblem: (message) => this.once(message),
        onWrite: (_scope, outcome) => {
          options.onRequest?.('write');
          this.metrics.reportWritten(outcome);
        },
      });
    }
    if (options.leaderElection) {
      this.election = new LeaderElection(options.connection, {
        ...options.leaderElection,
        onProblem: (message) => this.once(message),
        onChange: (leader) => {
          this.metrics.leader = leader;
          options.log(leader ? `rootlock: leading (Lease ${options.leaderElection?.namespace}/${options.leaderElection?.name}); writing reports` : 'rootlock: not leading; another replica writes the reports');
          if (leader) for (const scope of this.allScopes()) this.dirty(scope);
        },
      });
    } else {
      this.metrics.leader = true;
    }
  }

  private once(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.options.log(`rootlock: ${message}`);
  }

  private get writing(): boolean {
    return this.writer !== undefined && this.synced && (this.election?.isLeader ?? true);
  }

  private now(): number {
    return Math.floor(Date.now() / 1000);
  }

  private apply(effect: ChangeEffect): void {
    for (const scope of effect.scopes) this.dirty(scope);
    for (const ref of effect.refetch) {
      const type = resourceTypeOf(ref.apiVersion, ref.kind);
      if (!type) continue;
      this.options.onRequest?.('get');
      void this.options.connection.get(objectPath(type, ref.name, ref.namespace)).then((response) => {
        const object = response.status === 200 ? asObject(response.body, type) : undefined;
        if (object) this.apply(this.state.upsert(object, this.now()));
      }, () => undefined);
    }
    this.metrics.auditedObjects = this.state.size;
  }

  private timed(object: JsonObject): void {
    const started = process.hrtime.bigint();
    const effect = this.state.upsert(object, this.now());
    this.metrics.observeAudit(Number(process.hrtime.bigint() - started) / 1e9);
    this.apply(effect);
  }

  private handler(): InformerHandler {
    return {
      page: (_type, items) => {
        for (const item of items) this.timed(item);
      },
      listed: (type, uids) => {
        this.apply(this.state.retainOnly(type, uids));
        if (type === PODS) this.state.podsListed = true;
        this.checkSynced();
      },
      added: (_type, object) => this.timed(object),
      modified: (_type, object) => this.timed(object),
      deleted: (_type, object) => this.apply(this.state.remove(object)),
      failed: (type, error) => {
        if (type === PODS) this.state.podsListed = false;
        this.once(error.message);
        this.checkSynced();
      },
      restarted: (type, reason, relist) => {
        this.metrics.watchRestarted(qualifiedResource(type), relist);
        if (relist) this.once(`watch of ${qualifiedResource(type)} expired (${reason}); listing again`);
      },
    };
  }

  private readonly refused = new Set<ResourceType>();

  private checkSynced(): void {
    if (this.synced) return;
    // An informer whose list was refused counts as done: the rest is audited without it.
    if (this.informers.length < AUDITED_RESOURCES.length) return;
    if (this.informers.some((informer) => !informer.synced && !this.refused.has(informer.type))) return;
    this.synced = true;
    // Pods whose controller never came are workloads of their own from now on.
    this.apply(this.state.expirePending(Number.POSITIVE_INFINITY, 0));
    this.pendingTimer = setInterval(() => this.apply(this.state.expirePending(this.now(), 10)), 5000);
    this.pendingTimer.unref();
    for (const scope of this.allScopes()) this.dirty(scope);
    this.markReady();
  }

  private allScopes(): string[] {
    return [...new Set([...this.state.scopes(), CLUSTER_SCOPE])];
  }

  /** Rebuilds a scope's view soon: at once after a quiet spell, else one interval after its last rebuild. */
  dirty(scope: string): void {
    if (this.stopped || this.timers.has(scope)) return;
    const since = Date.now() - (this.lastRebuild.get(scope) ?? 0);
    const delay = Math.max(50, this.options.reportIntervalMs - since);
    const timer = setTimeout(() => {
      this.timers.delete(scope);
      void this.rebuild(scope);
    }, delay);
    this.timers.set(scope, timer);
  }

  private async rebuild(scope: string): Promise<void> {
    const previous = this.inFlight.get(scope);
    if (previous) {
      await previous;
      this.dirty(scope);
      return;
    }
    this.lastRebuild.set(scope, Date.now());
    const entries = this.state.view(scope);
    const counts = new Map<string, number>();
    for (const entry of entries) for (const { finding } of entry.findings) {
      const key = `${finding.rule}\0${finding.severity}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    this.metrics.setFindings(scope, counts);
    if (!this.writing || !this.writer) return;
    const body = entries.length ? reportBody(entries, this.now()) : undefined;
    const write = this.writer.write(scope, body).catch((error: unknown) => this.once(`cannot write the report of ${scope || 'the cluster'}: ${(error as Error).message}`));
    this.inFlight.set(scope, write);
    await write;
    this.inFlight.delete(scope);
  }

  /** Starts the informers, the report watch, the election and the server; a problem that stops the start, or undefined. */
  async start(): Promise<string | undefined> {
    const { connection } = this.options;
    if (this.options.metricsListen) {
      const problem = await this.listen(this.options.metricsListen.host, this.options.metricsListen.port);
      if (problem) return problem;
    }
    const handler = this.handler();
    const failed = handler.failed;
    handler.failed = (type, error) => {
      if (error.code === 'forbidden' || error.code === 'resource-not-served') this.refused.add(type);
      failed(type, error);
    };
    const informerOptions = {
      ...(this.options.chunkSize !== undefined ? { chunkSize: this.options.chunkSize } : {}),
      ...(this.options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: this.options.watchTimeoutSeconds } : {}),
      ...(this.options.onRequest ? { onRequest: this.options.onRequest } : {}),
    };
    // One first list after another, owners before what they own, so that a ReplicaSet arrives after its
    // Deployment (and is not audited) and a Pod after its controllers (and shares their verdict).
    let previous: Promise<void> | undefined;
    for (const type of INITIAL_LIST_ORDER) {
      const informer = new Informer(connection, type, handler, { ...informerOptions, ...(previous ? { startAfter: previous } : {}) });
      previous = informer.firstListDone;
      this.informers.push(informer);
    }
    if (this.writer) {
      const writer = this.writer;
      const seen = (type: ResourceType, object: JsonObject, gone: boolean) => {
        const metadata = isObject(object['metadata']) ? object['metadata'] : {};
        if (metadata['name'] !== REPORT_NAME) return;
        const scope = type === CLUSTER_POLICY_REPORTS ? CLUSTER_SCOPE : String(metadata['namespace'] ?? '');
        const rv = typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
        const before = writer.isStale(scope, undefined);
        writer.observed(scope, gone ? undefined : rv, true);
        // A report deleted behind our back is written again.
        if (gone && before) this.dirty(scope);
      };
      const reportHandler: InformerHandler = {
        page: (type, items) => items.forEach((item) => seen(type, item, false)),
        listed: () => undefined,
        added: (type, object) => seen(type, object, false),
        modified: (type, object) => seen(type, object, false),
        deleted: (type, object) => seen(type, object, true),
        failed: (_type, error) => this.once(error.message),
        restarted: (type, _reason, relist) => this.metrics.watchRestarted(qualifiedResource(type), relist),
      };
      for (const type of [POLICY_REPORTS, CLUSTER_POLICY_REPORTS]) {
        this.reportInformers.push(new Informer(connection, type, reportHandler, { ...informerOptions, labelSelector: `${MANAGED_BY_LABEL}=rootlock` }));
      }
    }
    for (const informer of [...this.reportInformers, ...this.informers]) informer.start();
    this.election?.start();
    return undefined;
  }

  private listen(host: string, port: number): Promise<string | undefined> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(this.metrics.render());
      } else if (path === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok\n');
      } else if (path === '/readyz') {
        res.writeHead(this.synced ? 200 : 503, { 'Content-Type': 'text/plain' });
        res.end(this.synced ? 'ok\n' : 'the first list of the cluster is not complete\n');
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
      }
    });
    this.server = server;
    return new Promise((resolve) => {
      server.once('error', (error) => resolve(`cannot listen on ${host}:${port} for --metrics-listen: ${error.message}`));
      server.listen(port, host, () => resolve(undefined));
    });
  }

  /** The port the metrics server listens on (when it was given port 0). */
  get metricsPort(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    clearInterval(this.pendingTimer);
    await Promise.all([...this.informers, ...this.reportInformers].map((informer) => informer.stop()));
    await Promise.all(this.inFlight.values());
    await this.election?.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
