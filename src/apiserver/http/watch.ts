/**
 * Watch over HTTP: 200 with chunked JSON, one `{"type","object"}` per line. Headers are flushed at once
 * (clients such as the JavaScript informer wait for them before anything else). The stream ends at
 * timeoutSeconds (default: a random 30-60 minutes, as kube-apiserver picks), when the storage ends it,
 * or when the server shuts down; the storage watch stops when the client goes away.
 *
 * A client that does not read its watch must not make the server buffer events for it without
 * bound: once the bytes waiting for the socket pass the registry's `bufferLimit` (beyond what the
 * initial burst of ADDED events put there), the watch is closed and its connection dropped, as
 * upstream's cacher forces unresponsive watchers closed ("Forcing watcher close due to
 * unresponsiveness"); the client relists and watches again, as it does after any closed watch.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext, ResourceStorage, StorageWatchEvent, WatchQuery, WatchStream } from '../storage/types.js';
import type { OutputFormat } from './media.js';
import { contentTypes, setWarnings } from './respond.js';
import { partialObjectMetadata, toTable } from './table.js';
import { objectJson } from '../storage/codec.js';
import { watchInitialized } from '../flowcontrol/watch-initialization.js';

/** Default bound of bytes buffered for one watch (beyond its initial events). */
export const WATCH_BUFFER_LIMIT = 16 * 1024 * 1024;

/** Tracks open watches so shutdown can end them, and how the slow ones fared. */
export class WatchRegistry {
  private readonly open = new Set<() => void>();
  /** Watches closed because their client did not keep up. */
  slowClosed = 0;
  /** Most bytes ever buffered for one watch after a live event (the bound at work). */
  maxBuffered = 0;

  constructor(readonly bufferLimit = WATCH_BUFFER_LIMIT, private readonly onSlowClose?: (what: string) => void) {}

  /** Records a watch closed for being too slow. */
  closedSlow(what: string): void {
    this.slowClosed++;
    this.onSlowClose?.(what);
  }

  add(end: () => void): () => unknown {
    this.open.add(end);
    return () => this.open.delete(end);
  }
  endAll(): void {
    for (const end of [...this.open]) end();
  }
  get size(): number {
    return this.open.size;
  }
}

// The storage hands every watcher the same event object; with many watchers, serialising it once
// per event type rather than once per watcher is what keeps fan-out cheap.
const encodedLines = new WeakMap<object, Partial<Record<string, string>>>();

function encodeShared(ev: StorageWatchEvent): string {
  let byType = encodedLines.get(ev.object);
  if (!byType) encodedLines.set(ev.object, (byType = {}));
  return (byType[ev.type] ??= `{"type":${JSON.stringify(ev.type)},"object":${objectJson(ev.object)}}\n`);
}

/** The annotation of a watch-list's initial-events-end bookmark holding an empty list of the output's kind. */
export const INITIAL_EVENTS_LIST_BLUEPRINT = 'k8s.io/initial-events-list-blueprint';

/**
 * An empty list of what the watch sends (the kind's list, or PartialObjectMetadataList), encoded and
 * base64'd: 1.32's watchListTransformer puts it on the initial-events-end bookmark of a watch-list
 * request (sendInitialEvents and allowWatchBookmarks), and client-go's WatchList decodes the
 * items into it, failing without it ("annotation is missing content").
 */
function listBlueprint(def: ResourceStorage['def'], fmt: OutputFormat): string {
  const type = fmt.as === 'PartialObjectMetadata'
    ? { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' }
    : { kind: def.listKind, apiVersion: def.group ? `${def.group}/${def.version}` : def.version };
  return Buffer.from(`${JSON.stringify({ ...type, metadata: {}, items: null })}\n`).toString('base64');
}

/** `ev` with the blueprint when it is the initial-events-end bookmark. */
function withBlueprint(ev: StorageWatchEvent, blueprint: string): StorageWatchEvent {
  if (ev.type !== 'BOOKMARK') return ev;
  const annotations = ev.object.metadata?.annotations;
  if (annotations?.['k8s.io/initial-events-end'] !== 'true') return ev;
  const metadata = { ...ev.object.metadata, annotations: { ...annotations, [INITIAL_EVENTS_LIST_BLUEPRINT]: blueprint } };
  return { type: ev.type, object: { ...ev.object, metadata } };
}

function defaultTimeoutSeconds(): number {
  return 1800 + Math.floor(Math.random() * 1800);
}

/** Serves one watch until it ends. Resolves when the response is finished. */
export async function serveWatch(
  req: IncomingMessage, res: ServerResponse, storage: ResourceStorage, ctx: RequestContext,
  namespace: string | undefined, q: WatchQuery, fmt: OutputFormat, registry: WatchRegistry,
): Promise<void> {
  const def = storage.def;
  const timeoutSeconds = q.timeoutSeconds ?? defaultTimeoutSeconds();
  let first = true;
  let ended = false;
  // Set once the storage watch is open / the response started; read by end() whenever it runs.
  const live: { stream?: WatchStream; timer?: NodeJS.Timeout } = {};
  let unregister: () => unknown = () => undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  // Events the storage delivers before the headers are out wait here.
  let pending: string[] | undefined = [];
  const startResponse = (): void => {
    if (!pending) return;
    setWarnings(res, ctx.warnings);
    res.writeHead(200, { 'Content-Type': contentTypes.json, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    for (const line of pending) res.write(line);
    pending = undefined;
  };

  // Bytes the initial events left in the buffer: a reading client works them off, and only growth
  // past them plus the bound marks it as too slow.
  let allowance = registry.bufferLimit;

  const end = (drop = false): void => {
    if (ended) return;
    ended = true;
    clearTimeout(live.timer);
    unregister();
    live.stream?.stop();
    if (drop) {
      // Ending politely would queue behind what the client never read: drop the connection.
      res.destroy();
    } else if (!res.writableEnded && !res.destroyed) {
      startResponse();
      res.end();
    }
    resolveDone();
  };

  const blueprint = q.sendInitialEvents && q.allowWatchBookmarks ? listBlueprint(def, fmt) : undefined;
  const encode = (storageEvent: StorageWatchEvent): string => {
    const ev = blueprint ? withBlueprint(storageEvent, blueprint) : storageEvent;
    if (fmt.as === 'object') return encodeShared(ev);
    let object: unknown = ev.object;
    if (ev.type !== 'ERROR' && ev.object.kind !== 'Status') {
      const obj = ev.object;
      if (fmt.as === 'Table') {
        const rows = ev.type === 'BOOKMARK' ? [] : [obj];
        object = toTable(def, rows, { resourceVersion: obj.metadata?.resourceVersion }, fmt.includeObject, first);
        first = false;
      } else if (fmt.as === 'PartialObjectMetadata') {
        object = partialObjectMetadata(obj);
      }
    }
    return `${JSON.stringify({ type: ev.type, object })}\n`;
  };

  const sink = {
    onEvent(ev: StorageWatchEvent): void {
      if (ended) return;
      const line = encode(ev);
      if (pending) {
        pending.push(line);
        return;
      }
      res.write(line);
      const buffered = res.writableLength;
      if (buffered > registry.maxBuffered) registry.maxBuffered = buffered;
      if (buffered > allowance) {
        registry.closedSlow(`${def.plural} watch of ${ctx.user}`);
        end(true);
      }
    },
    onClose(): void {
      end();
    },
  };

  // The storage may fail before any event (bad selector, 410 for a too-old resourceVersion): the
  // caller renders that as a plain Status answer, since no headers have been sent yet.
  live.stream = await storage.watch(ctx, namespace, { ...q, timeoutSeconds }, sink);
  if (ended) {
    live.stream.stop();
    return done;
  }
  startResponse();
  // The initial events are written: APF releases the watch's seats (an ended watch's response did).
  watchInitialized(res);
  allowance = registry.bufferLimit + res.writableLength;
  req.socket.setNoDelay(true);
  req.socket.setTimeout(0);
  unregister = registry.add(end);
  live.timer = setTimeout(() => end(), timeoutSeconds * 1000);
  res.once('close', () => end());
  req.once('close', () => {
    if (!res.writableEnded) end();
  });
  return done;
}
