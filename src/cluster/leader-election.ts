// Leader election with a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection does it: take the Lease when it is free or its holder has
// not renewed it within leaseDurationSeconds, renew it every retry period
// with a resourceVersion-conditional update (so two candidates never both
// win), and give it up on stop so a standby takes over at once.
import { isObject } from '../core/path.js';
import type { ClusterConnection } from './connection.js';
import { statusMessage } from './list.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  retryPeriodMs: number;
  onChange: (leader: boolean) => void;
  onProblem: (message: string) => void;
  /** The clock, for tests of expiry; Date.now by default. */
  now?: () => number;
}

/** MicroTime as the API server writes it. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElection {
  private timer: NodeJS.Timeout | undefined;
  private leader = false;
  private stopped = false;
  private resourceVersion: string | undefined;
  private readonly reported = new Set<string>();

  constructor(private readonly connection: ClusterConnection, private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leader;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases`;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        this.set(await this.tryAcquireOrRenew());
      } catch (error) {
        this.problem(`cannot reach the API server for Lease ${this.options.namespace}/${this.options.name}: ${(error as Error).message}`);
        this.set(false);
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.retryPeriodMs);
    };
    void tick();
  }

  /** Stops and, when leading, releases the Lease so another replica can take it without waiting for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leader || this.resourceVersion === undefined) return;
    this.set(false);
    await this.connection.send('PUT', `${this.path}/${encodeURIComponent(this.options.name)}`, {}, this.lease({ holderIdentity: '', leaseDurationSeconds: 1 }, this.resourceVersion)).catch(() => undefined);
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.options.onChange(leader);
  }

  private problem(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.options.onProblem(message);
  }

  private lease(spec: Record<string, unknown>, resourceVersion?: string): Record<string, unknown> {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.options.name, namespace: this.options.namespace, ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
      spec,
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = (this.options.now ?? Date.now)();
    const { identity, leaseDurationSeconds } = this.options;
    const current = await this.connection.get(`${this.path}/${encodeURIComponent(this.options.name)}`);
    if (current.status === 404) {
      const created = await this.connection.send('POST', this.path, {}, this.lease({ holderIdentity: identity, leaseDurationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 }));
      if (created.status !== 201) {
        if (created.status !== 409) this.problem(`cannot create Lease ${this.options.namespace}/${this.options.name}: ${statusMessage(created)}`);
        return false;
      }
      this.resourceVersion = rvOf(created.body);
      return true;
    }
    if (current.status !== 200 || !isObject(current.body)) {
      this.problem(`cannot read Lease ${this.options.namespace}/${this.options.name}: ${statusMessage(current)}`);
      return false;
    }
    const spec = isObject(current.body['spec']) ? current.body['spec'] : {};
    const holder = typeof spec['holderIdentity'] === 'string' ? spec['holderIdentity'] : '';
    const renewed = typeof spec['renewTime'] === 'string' ? Date.parse(spec['renewTime']) : 0;
    const duration = typeof spec['leaseDurationSeconds'] === 'number' ? spec['leaseDurationSeconds'] : leaseDurationSeconds;
    const held = holder !== '' && holder !== identity && renewed + duration * 1000 > now;
    if (held) return false;
    const transitions = typeof spec['leaseTransitions'] === 'number' ? spec['leaseTransitions'] : 0;
    const ours = holder === identity;
    const updated = await this.connection.send('PUT', `${this.path}/${encodeURIComponent(this.options.name)}`, {}, this.lease({
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: ours && typeof spec['acquireTime'] === 'string' ? spec['acquireTime'] : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: ours ? transitions : transitions + 1,
    }, rvOf(current.body)));
    // 409: another candidate updated it first; it leads.
    if (updated.status !== 200) return false;
    this.resourceVersion = rvOf(updated.body);
    return true;
  }
}

function rvOf(body: unknown): string | undefined {
  const metadata = isObject(body) && isObject(body['metadata']) ? body['metadata'] : {};
  return typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
}
