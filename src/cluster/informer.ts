// An informer for one resource type, the way client-go's reflector works:
// list (page by page), then watch from the list's resourceVersion with
// bookmarks, so a reconnect resumes where it left off; re-list when the API
// server answers 410 Gone (the resourceVersion was compacted away); reconnect
// with backoff when the connection drops. It hands objects to its handler and
// keeps nothing of them but the last resourceVersion.
import { isObject } from '../core/path.js';
import type { InputError, JsonObject } from '../core/types.js';
import type { ClusterConnection } from './connection.js';
import { asObject, httpError, listAll, statusMessage } from './list.js';
import { listPath, listReference, qualifiedResource } from './resources.js';
import type { ResourceType } from './resources.js';

export interface InformerHandler {
  /** One page of a full list (the first one, or after a 410). */
  page(type: ResourceType, items: readonly JsonObject[]): void;
  /** A full list ended: `uids` are all the objects there are, its pages had them all. */
  listed(type: ResourceType, uids: ReadonlySet<string>): void;
  added(type: ResourceType, object: JsonObject): void;
  modified(type: ResourceType, object: JsonObject): void;
  deleted(type: ResourceType, object: JsonObject): void;
  /** A list could not be read (403, 404, ...); the informer retries after `retryMs`. */
  failed(type: ResourceType, error: InputError): void;
  /** The watch ended and is being opened again; `relist` when a full list is needed. */
  restarted(type: ResourceType, reason: string, relist: boolean): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  chunkSize?: number;
  /** How long the API server keeps one watch request open before it ends it (and the informer opens the next). */
  watchTimeoutSeconds?: number;
  /** First and longest wait between reconnects. */
  backoffMs?: { initial: number; max: number };
  /** Wait before listing again a resource that could not be listed (403, 404). */
  retryMs?: number;
  /** Called with each request the informer makes: the benchmark counts them. */
  onRequest?: (kind: 'list' | 'watch') => void;
  /** The first list waits for this (another informer's first list), so that owners are known before what they own. */
  startAfter?: Promise<void>;
}

interface WatchEvent {
  type: string;
  object: JsonObject;
}

function resourceVersionOf(object: JsonObject): string | undefined {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  return typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Waits for `promise`, or less when `signal` aborts first. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void promise.then(done);
  });
}

export class Informer {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private stopStream: (() => void) | undefined;
  /** The last list failed with 401, 403 or 404. */
  private refused = false;
  /** Set after the first full list: /readyz waits for every informer's. */
  synced = false;
  /** Resolves when the first list has ended, read or refused. */
  readonly firstListDone: Promise<void>;
  private firstListEnded!: () => void;

  constructor(
    private readonly connection: ClusterConnection,
    readonly type: ResourceType,
    private readonly handler: InformerHandler,
    private readonly options: InformerOptions = {},
  ) {
    this.firstListDone = new Promise((resolve) => (this.firstListEnded = resolve));
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.firstListEnded();
    this.stopStream?.();
    await this.running;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** A list, then watches until stopped; lists again only when the watch cannot resume. */
  private async run(): Promise<void> {
    const backoff = this.options.backoffMs ?? { initial: 200, max: 10_000 };
    let wait = backoff.initial;
    let resourceVersion: string | undefined;
    if (this.options.startAfter) await untilAborted(this.options.startAfter, this.abort.signal);
    while (!this.stopped) {
      if (resourceVersion === undefined) {
        resourceVersion = await this.list();
        this.firstListEnded();
        if (resourceVersion === undefined) {
          // RBAC and missing APIs change slowly; anything else (a server still starting) soon.
          await sleep(this.refused ? this.options.retryMs ?? 30_000 : backoff.max / 2, this.abort.signal);
          continue;
        }
      }
      const outcome = await this.watch(resourceVersion);
      if (this.stopped) return;
      if (outcome.resourceVersion !== undefined) resourceVersion = outcome.resourceVersion;
      if (outcome.gone) {
        resourceVersion = undefined;
        this.handler.restarted(this.type, outcome.reason, true);
        continue;
      }
      if (outcome.progressed) wait = backoff.initial;
      this.handler.restarted(this.type, outcome.reason, false);
      if (!outcome.clean) {
        await sleep(wait, this.abort.signal);
        wait = Math.min(backoff.max, wait * 2);
      }
    }
  }

  /** The full list; its resourceVersion, or undefined when it could not be read. */
  private async list(): Promise<string | undefined> {
    this.options.onRequest?.('list');
    const uids = new Set<string>();
    let result;
    try {
      result = await listAll(this.connection, this.type, {
        ...(this.options.namespace !== undefined ? { namespace: this.options.namespace } : {}),
        ...(this.options.labelSelector !== undefined ? { labelSelector: this.options.labelSelector } : {}),
        ...(this.options.chunkSize !== undefined ? { chunkSize: this.options.chunkSize } : {}),
        withResourceVersion: true,
        onPage: (items) => {
          for (const item of items) {
            const metadata = item['metadata'];
            if (isObject(metadata) && typeof metadata['uid'] === 'string') uids.add(metadata['uid']);
          }
          this.handler.page(this.type, items);
        },
      });
    } catch (error) {
      this.handler.failed(this.type, { file: listReference(this.type, this.options.namespace), code: 'cluster-unreachable', message: `cannot list ${qualifiedResource(this.type)}: ${(error as Error).message}` });
      return undefined;
    }
    if ('error' in result) {
      this.refused = ['unauthorized', 'forbidden', 'resource-not-served'].includes(result.error.code);
      this.handler.failed(this.type, result.error);
      return undefined;
    }
    this.synced = true;
    this.handler.listed(this.type, uids);
    return result.resourceVersion ?? '0';
  }

  private async watch(resourceVersion: string): Promise<{ resourceVersion?: string; gone: boolean; clean: boolean; progressed: boolean; reason: string }> {
    const stream = this.connection.stream;
    if (!stream) throw new Error('this connection cannot watch');
    this.options.onRequest?.('watch');
    let response;
    try {
      response = await stream(listPath(this.type, this.options.namespace), {
        watch: '1',
        resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(this.options.watchTimeoutSeconds ?? 300),
        ...(this.options.labelSelector !== undefined ? { labelSelector: this.options.labelSelector } : {}),
      });
    } catch (error) {
      return { gone: false, clean: false, progressed: false, reason: `cannot open the watch: ${(error as Error).message}` };
    }
    if (response.status !== 200) {
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
      const answer = { status: response.status, body, text };
      if (response.status === 410) return { gone: true, clean: true, progressed: false, reason: statusMessage(answer) };
      return { gone: false, clean: false, progressed: false, reason: httpError(answer, this.type, 'list', this.options.namespace, listReference(this.type, this.options.namespace)).message };
    }
    this.stopStream = () => response.abort();
    if (this.stopped) response.abort();
    let latest: string | undefined;
    let progressed = false;
    for await (const line of response.lines) {
      let event: WatchEvent;
      try {
        event = JSON.parse(line) as WatchEvent;
      } catch {
        continue;
      }
      if (!isObject(event) || !isObject(event.object)) continue;
      if (event.type === 'ERROR') {
        const status = event.object;
        const code = status['code'];
        const message = typeof status['message'] === 'string' ? status['message'] : JSON.stringify(status);
        response.abort();
        // 410 Gone: the resourceVersion is older than etcd keeps; only a fresh list can tell what changed.
        return { ...(latest !== undefined ? { resourceVersion: latest } : {}), gone: code === 410, clean: code === 410, progressed, reason: message };
      }
      const rv = resourceVersionOf(event.object);
      if (rv !== undefined) latest = rv;
      progressed = true;
      if (event.type === 'BOOKMARK') continue;
      const object = asObject(event.object, this.type);
      if (!object) continue;
      if (event.type === 'ADDED') this.handler.added(this.type, object);
      else if (event.type === 'MODIFIED') this.handler.modified(this.type, object);
      else if (event.type === 'DELETED') this.handler.deleted(this.type, object);
    }
    this.stopStream = undefined;
    // The server ends every watch after timeoutSeconds: a clean end, resumed at once from the last resourceVersion.
    return { ...(latest !== undefined ? { resourceVersion: latest } : {}), gone: false, clean: false, progressed, reason: 'the watch connection closed' };
  }
}
