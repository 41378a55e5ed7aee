/**
 * A shared informer: one reflector feeding one cache, and any number of event handlers. Handlers
 * should only enqueue keys; they get the cached objects themselves (copy before writing; frozen
 * under the cache mutation detector, see Indexer). Handlers added after the
 * cache synced get an `onAdd` for every cached object first, as client-go does.
 *
 * Cached objects carry no metadata.managedFields (controller-runtime's TransformStripManagedFields,
 * as kube-scheduler and most controllers cache them): no controller reads field ownership, and it
 * is a large part of each object (three managers' field trees on a pod). A PUT of a cached object
 * leaves the stored managedFields as they are, as upstream does when they are absent.
 */
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { realClock, type Clock, type Timer } from '../clock/clock.js';
import { defaultLogger, type Logger } from '../log.js';
import { Indexer, type IndexFunc } from './indexer.js';
import { keyOf } from './keys.js';
import { Reflector, type ReflectorOptions, type ReflectorSink } from './reflector.js';

export interface EventHandler<T> {
  /** A new object; `initialList` is true while the first list is being delivered. */
  onAdd?(obj: Readonly<T>, initialList: boolean): void;
  /** A changed object (also called with old === new content on periodic resync). */
  onUpdate?(oldObj: Readonly<T>, newObj: Readonly<T>): void;
  /** A deleted object, in its last known state. */
  onDelete?(obj: Readonly<T>): void;
}

export interface InformerOptions extends ReflectorOptions {
  /** Extra indices beyond `namespace`. */
  indexers?: Record<string, IndexFunc<KubeObject>>;
  /** Re-deliver every cached object as an update this often (0: never). Lets reconcilers catch drift. */
  resyncMs?: number;
}

export class SharedInformer<T extends KubeObject = KubeObject> implements ReflectorSink<T> {
  readonly indexer: Indexer<T>;
  private readonly reflector: Reflector<T>;
  private readonly handlers: EventHandler<T>[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private resyncTimer: Timer | undefined;
  private started = false;
  private stopped = false;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(client: KubeClient, readonly ref: ResourceRef, private readonly opts: InformerOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'informer', resource: ref.resource });
    this.indexer = new Indexer<T>((opts.indexers ?? {}) as Record<string, IndexFunc<T>>);
    this.reflector = new Reflector<T>(client, ref, this, { ...opts, logger: opts.logger });
  }

  /** Register handlers. After sync, the current contents are replayed to them as adds. */
  addEventHandler(h: EventHandler<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.indexer.list()) this.call(() => h.onAdd?.(obj, true));
  }

  /** Add indices (allowed before or after start). */
  addIndexers(more: Record<string, IndexFunc<T>>): void {
    this.indexer.addIndexers(more);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.reflector.start();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resyncTimer?.cancel();
    for (const w of this.syncWaiters.splice(0)) w();
    await this.reflector.stop();
  }

  /** True once the first full list is in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves when synced (true) or when the informer or `signal` stops first (false). */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.synced);
      });
    });
  }

  /** The version of the last list or event applied. */
  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  /** How many full lists were applied (relists after 410 raise it). */
  get listCount(): number {
    return this.reflector.listCount;
  }

  /** How many watches were opened (a server-side timeout leads to a re-watch, not a relist). */
  get watchCount(): number {
    return this.reflector.watchCount;
  }

  // ReflectorSink: only the reflector calls these.

  replace(items: T[], _rv: string): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const listed of items) {
      const obj = withoutManagedFields(listed);
      const key = keyOf(obj);
      seen.add(key);
      const old = this.indexer.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.indexer.upsert(obj);
      if (old) this.dispatchUpdate(old, obj);
      else this.dispatchAdd(obj, initial);
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.remove(key)!;
      this.dispatchDelete(old);
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', event: T): void {
    const obj = withoutManagedFields(event);
    const key = keyOf(obj);
    if (type === 'DELETED') {
      const old = this.indexer.remove(key);
      this.dispatchDelete(old ?? obj);
      return;
    }
    const old = this.indexer.upsert(obj);
    if (old) this.dispatchUpdate(old, obj);
    else this.dispatchAdd(obj, false);
  }

  private dispatchAdd(obj: Readonly<T>, initial: boolean): void {
    for (const h of this.handlers) this.call(() => h.onAdd?.(obj, initial));
  }
  private dispatchUpdate(old: Readonly<T>, obj: Readonly<T>): void {
    for (const h of this.handlers) this.call(() => h.onUpdate?.(old, obj));
  }
  private dispatchDelete(obj: Readonly<T>): void {
    for (const h of this.handlers) this.call(() => h.onDelete?.(obj));
  }

  /** A throwing handler must not stop the stream or the other handlers. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err: String(err), stack: (err as Error)?.stack }, 'event handler threw');
    }
  }

  private scheduleResync(): void {
    const every = this.opts.resyncMs ?? 0;
    if (every <= 0 || this.stopped) return;
    this.resyncTimer = this.clock.setTimer(() => {
      if (this.synced) for (const obj of this.indexer.list()) this.dispatchUpdate(obj, obj);
      this.scheduleResync();
    }, every);
  }
}

/** `obj` without metadata.managedFields: the field dropped in place, or a copy when it is frozen. */
function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata;
  if (!meta || meta.managedFields === undefined) return obj;
  if (!Object.isFrozen(meta)) {
    delete meta.managedFields;
    return obj;
  }
  const { managedFields: _dropped, ...rest } = meta;
  return { ...obj, metadata: rest };
}
