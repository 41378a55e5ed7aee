/**
 * A live copy of one collection, as an informer: LIST (paged: 100 first, so a screenful paints before
 * the rest arrives, then 1,000 at a time), then WATCH from the list's resourceVersion (`?watch=1`, bookmarks) over a
 * WebSocket, as kube-apiserver serves watches to browsers: a streamed fetch would do, but each holds
 * one of the six HTTP/1.1 connections a page gets per origin, and a page watching seven lists would
 * have none left for anything else. A 410 Gone relists; an ended watch resumes from the last version
 * seen. No polling. Subscribers hear of changes at most once per animation frame.
 * One copy per (resource, namespace) is shared by every view that shows it, and stops when the last
 * view lets go.
 */
import { ApiError, errorText, request, withBearerProtocol, wsUrl } from './api.js';
import { key, type List, type Obj, type WatchEvent } from './kube.js';
import { byPlural, collectionPath } from './resources.js';

/** The first page fills a screen (paints fast even when the server is busy); the rest comes in larger pages. */
const FIRST_PAGE = 100;
const PAGE = 1000;

export class LiveList {
  readonly items = new Map<string, Obj>();
  /** Bumped on every change (views memoise on it). */
  version = 0;
  /** True once the whole LIST arrived. */
  synced = false;
  error: string | undefined;
  errorCode: number | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly abort = new AbortController();
  private scheduled = false;
  private sortedCache: { version: number; items: Obj[] } | undefined;
  private order: { version: number; keys: string[] } | undefined;
  private orderVersion = 0;
  refs = 0;

  constructor(readonly plural: string, readonly namespace: string) {
    void this.run();
  }

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /**
   * Items sorted by namespace and name (ordinal, as kubectl), cached per version. Only additions and
   * deletions change the order: a status change re-reads the items in the kept order, no re-sort
   * (10,000 pods re-sorted on every event would cost a frame's budget).
   */
  sorted(): Obj[] {
    if (this.sortedCache?.version !== this.version) {
      if (this.order?.version !== this.orderVersion) {
        const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
        const keys = [...this.items.entries()].sort(([, a], [, b]) => cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(a.metadata.name, b.metadata.name)).map(([k]) => k);
        this.order = { version: this.orderVersion, keys };
      }
      this.sortedCache = { version: this.version, items: this.order.keys.map((k) => this.items.get(k)!) };
    }
    return this.sortedCache.items;
  }

  private put(o: Obj): void {
    const k = key(o);
    if (!this.items.has(k)) this.orderVersion++;
    this.items.set(k, o);
  }

  private remove(k: string): void {
    if (this.items.delete(k)) this.orderVersion++;
  }

  stop(): void {
    this.abort.abort();
  }

  private changed(): void {
    this.version++;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const f of this.listeners) f();
    });
  }

  private get path(): string {
    return collectionPath(byPlural.get(this.plural)!, this.namespace || undefined);
  }

  private async list(): Promise<string> {
    let cont: string | undefined;
    let rv = '';
    const seen = new Set<string>();
    do {
      const q = new URLSearchParams({ limit: String(cont ? PAGE : FIRST_PAGE) });
      if (cont) q.set('continue', cont);
      const page = await request<List>(`${this.path}?${q}`, { signal: this.abort.signal });
      for (const o of page.items) {
        seen.add(key(o));
        this.put(o);
      }
      rv = page.metadata.resourceVersion ?? rv;
      cont = page.metadata.continue || undefined;
      if (cont) this.changed();
    } while (cont);
    for (const k of [...this.items.keys()]) if (!seen.has(k)) this.remove(k);
    this.synced = true;
    this.error = undefined;
    this.changed();
    return rv;
  }

  private async run(): Promise<void> {
    let rv: string | undefined;
    let delay = 500;
    while (!this.abort.signal.aborted) {
      try {
        rv ??= await this.list();
        const q = new URLSearchParams({ watch: '1', resourceVersion: rv, allowWatchBookmarks: 'true' });
        const gone = await this.watch(`${this.path}?${q}`, (ev) => {
          if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
          if (ev.type === 'BOOKMARK') return;
          if (ev.type === 'DELETED') this.remove(key(ev.object));
          else this.put(ev.object);
          this.changed();
        });
        if (gone) rv = undefined;
        delay = 500;
      } catch (e) {
        if (this.abort.signal.aborted) return;
        this.error = errorText(e);
        this.errorCode = e instanceof ApiError ? e.code : undefined;
        this.changed();
        if (e instanceof ApiError && (e.code === 403 || e.code === 401 || e.code === 404)) return;
        if (e instanceof ApiError && e.code === 410) rv = undefined;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  /**
   * One watch until the server ends it: resolves true when it ended with an ERROR event (410 Gone:
   * relist), false on a plain end; rejects when the connection could not be made.
   */
  private watch(path: string, onEvent: (ev: WatchEvent) => void): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(path), withBearerProtocol(['base64.binary.k8s.io']));
      let opened = false;
      let gone = false;
      const stop = (): void => ws.close();
      this.abort.signal.addEventListener('abort', stop, { once: true });
      ws.onopen = () => (opened = true);
      ws.onmessage = (m) => {
        const ev = JSON.parse(String(m.data)) as WatchEvent;
        if (ev.type === 'ERROR') gone = true;
        else onEvent(ev);
      };
      ws.onclose = () => {
        this.abort.signal.removeEventListener('abort', stop);
        if (opened) resolve(gone);
        else reject(new Error(`the watch of ${this.plural} could not be opened`));
      };
    });
  }
}

const lists = new Map<string, LiveList>();

/** The shared live list of `plural` in `namespace` ('' = all); release it with `release`. */
export function acquire(plural: string, namespace = ''): LiveList {
  const k = `${plural}|${namespace}`;
  let l = lists.get(k);
  if (!l) lists.set(k, (l = new LiveList(plural, namespace)));
  l.refs++;
  return l;
}

export function release(l: LiveList): void {
  if (--l.refs > 0) return;
  // Kept a few seconds: moving between pages often lets go and takes the same list again.
  setTimeout(() => {
    if (l.refs > 0) return;
    l.stop();
    lists.delete(`${l.plural}|${l.namespace}`);
  }, 5_000);
}

/** Drops every list (sign out). */
export function releaseAll(): void {
  for (const l of lists.values()) l.stop();
  lists.clear();
}
