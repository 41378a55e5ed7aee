/**
 * Store over etcd v3 (via the `etcd3` client). etcd already has the semantics types.ts describes
 * (one global revision, MVCC reads at a revision, ordered watches, compaction), so each operation is
 * one etcd call: create = txn(create_revision == 0 -> put), update = txn(mod_revision == expected
 * -> put), delete = txn(mod_revision == expected -> delete with prev_kv), each with a range of the
 * key as the else-branch to tell NotFound from Conflict.
 *
 * Two members of the contract are synchronous and therefore cached:
 * - currentRevision(): the highest revision seen in any response header (writes, reads, watch
 *   responses) and in a periodic poll. It never runs ahead of etcd; with other writers on the same
 *   etcd it can lag them by up to one poll interval.
 * - compactedRevision(): set by compact(), found at open by binary search (a range at revision r
 *   fails iff r is below the compacted revision), and probed again whenever etcd reports a
 *   compaction this store did not make. Best effort: another client's compaction is noticed only
 *   when a read or watch runs into it.
 *
 * The revision is global to the etcd cluster, so a namespace shares it with every other user of the
 * same etcd: "each write advances the revision by one" holds only while this store is the writer.
 */
import { Etcd3, type ICompare, type IKeyValue, type IResponseHeader } from 'etcd3';
import { EtcdKeys } from './etcd-keys.js';
import { EtcdWatch, type EtcdWatchHost } from './etcd-watch.js';
import { SharedEvents } from './etcd-shared-events.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchCallbacks, WatchHandle } from './types.js';
import { alreadyExists, closed, conflict, notFound, tooOld } from './store-errors.js';
import { startAutoCompaction, type AutoCompactOptions } from './auto-compact.js';

/** TLS to etcd (k3s's --datastore-cafile/-certfile/-keyfile), PEM text. */
export interface EtcdTls {
  /** CA that etcd's serving certificate must chain to (default: the system's roots). */
  ca?: string;
  /** Client certificate and key, for etcd's --client-cert-auth. */
  cert?: string;
  key?: string;
}

export interface EtcdStoreOptions extends AutoCompactOptions {
  /** Client URLs, e.g. ['http://127.0.0.1:2379'], or https:// ones with `tls`. */
  endpoints: string[];
  tls?: EtcdTls;
  /** Prepended to every key (e.g. '/bosun'), so several stores can share one etcd. Default ''. */
  prefix?: string;
  /** Milliseconds between polls of etcd's revision for currentRevision() (default 1000; 0: never). */
  revisionPollInterval?: number;
}

/** gRPC's SSL credentials for `tls`; none: plaintext for http:// endpoints, system roots for https://. */
function credentialsOf(tls: EtcdTls | undefined): { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer } | undefined {
  if (!tls) return undefined;
  if (!tls.cert !== !tls.key) throw new Error('etcd TLS: a client certificate needs its key and a key its certificate');
  return {
    // grpc-js takes null for "the system's roots"; the etcd3 typings want a Buffer.
    rootCertificate: (tls.ca ? Buffer.from(tls.ca) : null) as Buffer,
    ...(tls.cert && tls.key ? { certChain: Buffer.from(tls.cert), privateKey: Buffer.from(tls.key) } : {}),
  };
}

const COMPACTED = /has been compacted/;
const FUTURE = /future revision/;

export class EtcdStore implements Store, EtcdWatchHost {
  readonly client: Etcd3;
  readonly keys: EtcdKeys;
  readonly sharedEvents = new SharedEvents();
  private rev = 0;
  private compacted = 0;
  private closed = false;
  private readonly watches = new Set<EtcdWatch>();
  private readonly detaching = new Set<Promise<void>>();
  private opening?: Promise<void>;
  private readonly stopCompaction: () => void;
  private readonly poll?: NodeJS.Timeout;

  constructor(opts: EtcdStoreOptions) {
    // Unlimited receive size: an unpaginated list of a big collection easily passes gRPC's 4 MiB
    // default (etcd itself sends responses of any size).
    this.client = new Etcd3({ hosts: opts.endpoints, credentials: credentialsOf(opts.tls), grpcOptions: { 'grpc.max_receive_message_length': -1 } });
    this.keys = new EtcdKeys(opts.prefix ?? '');
    // Rejections surface through ready() and the operations, which retry the sync.
    void this.ready().catch(() => {});
    const every = opts.revisionPollInterval ?? 1000;
    if (every > 0) {
      this.poll = setInterval(() => void this.refreshRevision().catch(() => {}), every);
      this.poll.unref();
    }
    this.stopCompaction = startAutoCompaction(this, opts);
  }

  /**
   * Resolves once currentRevision() and compactedRevision() reflect etcd (they read 0 before).
   * If etcd cannot be reached it rejects, and the next call tries again.
   */
  ready(): Promise<void> {
    this.opening ??= this.sync().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    await this.enter();
    const k = this.keys.key(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8') } }],
      failure: [{ request_range: { key: k } }],
    });
    const rev = this.saw(res.header);
    if (!res.succeeded) throw alreadyExists(key, this.keys.kv(res.responses[0].response_range.kvs[0]));
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    await this.enter();
    const res = await this.client.kv.range({ key: this.keys.key(key) });
    this.saw(res.header);
    return res.kvs.length > 0 ? this.keys.kv(res.kvs[0]) : undefined;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    await this.enter();
    const k = this.keys.key(key);
    const res = await this.client.kv.txn({
      // Version > 0: a missing key has mod_revision 0, which must not match an expected 0.
      compare: [
        { key: k, target: 'Version', result: 'Greater', version: 0 },
        { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
      ],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8'), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    const rev = this.saw(res.header);
    if (!res.succeeded) throw this.writeFailure(key, res.responses[0].response_range.kvs, expectedRevision);
    const prev = res.responses[0].response_put.prev_kv;
    return { key, value, createRevision: Number(prev.create_revision), modRevision: rev };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    await this.enter();
    const k = this.keys.key(key);
    const compare: ICompare[] = [{ key: k, target: 'Version', result: 'Greater', version: 0 }];
    if (expectedRevision !== undefined) compare.push({ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision });
    const res = await this.client.kv.txn({
      compare,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    const rev = this.saw(res.header);
    if (!res.succeeded) throw this.writeFailure(key, res.responses[0].response_range.kvs, expectedRevision ?? 0);
    const prev = this.keys.kv(res.responses[0].response_delete_range.prev_kvs[0]);
    return { ...prev, modRevision: rev };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    await this.enter();
    // A revision beyond the newest is read as the newest, as the other backends do. The cached
    // revision may lag other writers, so look again before capping.
    if (opts.revision && opts.revision > this.rev) await this.refreshRevision();
    const at = opts.revision ? Math.min(opts.revision, this.rev) : 0;
    if (at > 0 && at < this.compacted) throw tooOld(at, this.compacted);
    const res = await this.readAt(at, () =>
      this.client.kv.range({ ...this.keys.rangeAfter(prefix, opts.afterKey), revision: at, limit: opts.limit && opts.limit > 0 ? opts.limit : 0 }),
    );
    const items = res.kvs.map((kv) => this.keys.kv(kv));
    const out: ListResult = { items, revision: at || this.saw(res.header) };
    if (res.more && items.length > 0) {
      out.continueKey = items[items.length - 1].key;
      out.remaining = Number(res.count) - items.length;
    }
    return out;
  }

  async count(prefix: string): Promise<number> {
    await this.enter();
    const res = await this.client.kv.range({ ...this.keys.prefixRange(prefix), count_only: true });
    this.saw(res.header);
    return Number(res.count);
  }

  watch(prefix: string, afterRevision: number, cb: WatchCallbacks): WatchHandle {
    if (this.closed) throw closed();
    if (afterRevision < this.compacted) throw tooOld(afterRevision, this.compacted);
    const w = new EtcdWatch(this, prefix, afterRevision, cb);
    this.watches.add(w);
    return w;
  }

  currentRevision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    await this.enter();
    if (revision > this.rev) await this.refreshRevision();
    const target = Math.min(revision, this.rev);
    if (target <= this.compacted) return;
    try {
      const res = await this.client.kv.compact({ revision: target });
      this.saw(res.header);
      this.compacted = Math.max(this.compacted, target);
    } catch (err) {
      // Someone compacted further already: nothing to do but learn how far.
      if (!COMPACTED.test(String(err))) throw err;
      await this.probeCompacted();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopCompaction();
    if (this.poll) clearInterval(this.poll);
    for (const w of [...this.watches]) w.fail(closed());
    // Detach watches before closing the channel, or etcd3 keeps reconnecting their stream.
    await Promise.race([Promise.all(this.detaching), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.client.close();
  }

  /** EtcdWatchHost: a watch ended. */
  released(w: EtcdWatch, detached: Promise<void>): void {
    this.watches.delete(w);
    this.detaching.add(detached);
    void detached.finally(() => this.detaching.delete(detached));
  }

  /** EtcdWatchHost: a response header's revision. */
  sawRevision(revision: number): void {
    if (revision > this.rev) this.rev = revision;
  }

  /**
   * Find the compacted revision: the smallest revision a range can still read at (etcd keeps the
   * state at the compacted revision itself). Binary search over [compacted, current].
   */
  async probeCompacted(): Promise<number> {
    const readable = async (r: number): Promise<boolean> => {
      try {
        await this.client.kv.range({ ...this.keys.prefixRange('\0compaction-probe'), revision: r, count_only: true });
        return true;
      } catch (err) {
        if (COMPACTED.test(String(err))) return false;
        throw err;
      }
    };
    let lo = Math.max(1, this.compacted);
    let hi = Math.max(lo, this.rev);
    if (await readable(lo)) return this.compacted;
    // Invariant: lo is not readable, hi is.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    this.compacted = Math.max(this.compacted, hi);
    return this.compacted;
  }

  private async sync(): Promise<void> {
    await this.refreshRevision();
    await this.probeCompacted();
  }

  private async refreshRevision(): Promise<void> {
    const res = await this.client.kv.range({ ...this.keys.prefixRange('\0revision-probe'), count_only: true });
    this.saw(res.header);
  }

  private async readAt<T>(revision: number, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (COMPACTED.test(String(err))) throw tooOld(revision, await this.probeCompacted());
      if (FUTURE.test(String(err))) throw new Error(`etcd store: revision ${revision} is in the future`);
      throw err;
    }
  }

  private writeFailure(key: string, kvs: IKeyValue[], expected: number): Error {
    if (kvs.length === 0) return notFound(key);
    return conflict(key, Number(kvs[0].mod_revision), expected);
  }

  private saw(header: IResponseHeader): number {
    const rev = Number(header.revision);
    this.sawRevision(rev);
    return rev;
  }

  private async enter(): Promise<void> {
    if (this.closed) throw closed();
    await this.ready();
    if (this.closed) throw closed();
  }
}
