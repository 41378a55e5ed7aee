/**
 * The reflector keeps a sink in step with the server: list, then watch from the list's
 * resourceVersion. A watch that ends normally (server timeout) is reopened from the last version
 * seen; a 410 (history compacted) forces a fresh list; other failures back off and retry, so the
 * sink is written only by this one stream (client-go's Reflector.ListAndWatch).
 */
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { WatchExpiredError, isGone } from '../../client/errors.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { realClock, sleep, type Clock } from '../clock/clock.js';
import { defaultLogger, type Logger } from '../log.js';

/** Where the reflector writes. */
export interface ReflectorSink<T> {
  /** The full state as of `resourceVersion` (after each list). */
  replace(items: T[], resourceVersion: string): void;
  /** One watch event. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void;
}

export interface ReflectorOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (client-go uses 500). */
  pageSize?: number;
  /** Backoff after failures: starts here, doubles, capped at maxBackoffMs (client-go: 800 ms to 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Server-side watch timeout range; a random value in it spreads reconnects (kubectl uses 300-600 s). */
  minWatchTimeoutSeconds?: number;
  /** Ask for BOOKMARK events, which advance the resume version without changes. Default true. */
  allowWatchBookmarks?: boolean;
  clock?: Clock;
  logger?: Logger;
}

export class Reflector<T extends KubeObject = KubeObject> {
  /** Version of the last list or event applied; the next watch starts here. */
  lastSyncResourceVersion = '';
  /** How many full lists have been applied (1 after the first sync; more after relists). */
  listCount = 0;
  /** How many watches have been opened (re-watches after server timeouts raise it without a list). */
  watchCount = 0;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private backoffMs: number;

  constructor(
    private readonly client: KubeClient,
    private readonly ref: ResourceRef,
    private readonly sink: ReflectorSink<T>,
    private readonly opts: ReflectorOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'reflector', resource: ref.resource, namespace: opts.namespace });
    this.backoffMs = opts.initialBackoffMs ?? 800;
  }

  /** Start the list-and-watch loop (idempotent). */
  start(): void {
    this.running ??= this.run();
  }

  /** Stop the loop and close the open watch; resolves once the loop has exited. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.list();
        await this.watchUntilExpired();
      } catch (err) {
        if (this.stopped) break;
        this.log.warn({ err: String(err) }, 'list failed; retrying');
        await this.backoff();
      }
    }
  }

  private async list(): Promise<void> {
    const list = await this.client.listAll<T>(this.ref, this.opts.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      limit: this.opts.pageSize ?? 500,
      signal: this.abort.signal,
    });
    if (this.stopped) return;
    const rv = list.metadata.resourceVersion ?? '';
    this.sink.replace(list.items, rv);
    this.lastSyncResourceVersion = rv;
    this.listCount++;
    this.resetBackoff();
  }

  /** Watch (and re-watch) until the version is too old (then return to relist) or the reflector stops. */
  private async watchUntilExpired(): Promise<void> {
    while (!this.stopped) {
      const min = this.opts.minWatchTimeoutSeconds ?? 300;
      try {
        const w = await this.client.watch<T>(this.ref, this.opts.namespace, {
          resourceVersion: this.lastSyncResourceVersion,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          allowWatchBookmarks: this.opts.allowWatchBookmarks ?? true,
          timeoutSeconds: Math.floor(min + Math.random() * min),
          signal: this.abort.signal,
        });
        this.watchCount++;
        const openedAt = this.clock.now();
        let events = 0;
        for await (const ev of w) {
          events++;
          const rv = ev.object?.metadata?.resourceVersion;
          if (ev.type !== 'BOOKMARK') this.sink.apply(ev.type as 'ADDED' | 'MODIFIED' | 'DELETED', ev.object);
          if (rv) this.lastSyncResourceVersion = rv;
          this.resetBackoff();
        }
        // A normal close (server timeout or our stop): reopen from the last version seen, pausing
        // first if the server keeps closing at once so a misbehaving server is not hammered.
        if (events === 0 && this.clock.now() - openedAt < 1000) await this.backoff();
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof WatchExpiredError || isGone(err)) {
          this.log.info({ rv: this.lastSyncResourceVersion }, 'watch expired; relisting');
          return;
        }
        this.log.warn({ err: String(err) }, 'watch failed; retrying');
        await this.backoff();
      }
    }
  }

  private async backoff(): Promise<void> {
    const max = this.opts.maxBackoffMs ?? 30_000;
    // Jitter avoids many reflectors reconnecting in lockstep after a server restart.
    const ms = this.backoffMs * (1 + Math.random() * 0.2);
    this.backoffMs = Math.min(max, this.backoffMs * 2);
    await sleep(this.clock, ms, this.abort.signal);
  }

  private resetBackoff(): void {
    this.backoffMs = this.opts.initialBackoffMs ?? 800;
  }
}
