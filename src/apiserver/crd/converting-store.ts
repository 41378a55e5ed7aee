/**
 * The storage codec of one served version of a CRD whose conversion strategy is Webhook, as a Store
 * wrapper (upstream converts in the etcd3 storage's codec, below the generic registry and above etcd,
 * and so does this): under the CRD's prefix, a value written in the served version is converted to
 * the storage version before it is stored, and a value read (get, list, delete, watch event) in
 * another apiVersion is converted to the served version, so the generic storage above (validation,
 * admission, patches, defaults) works in the request's version as upstream's crdHandler does
 * ("a handler for a specific group-version uses that version as the in-memory representation").
 * A list page is converted in one review, a watch event with its previous value in one; converted
 * values are kept per stored KeyValue so the watchers of one storage share one webhook call per
 * event. Keys outside the prefix (namespaces, services) pass untouched.
 */
import { ForwardingStore } from '../../store/forwarding-store.js';
import { StoreError, type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type WatchCallbacks, type WatchHandle } from '../../store/types.js';
import type { ConversionWebhookConverter } from './conversion-webhook.js';

type Obj = Record<string, unknown> & { apiVersion?: string };

export class ConvertingStore extends ForwardingStore {
  private readonly converted = new WeakMap<KeyValue, KeyValue>();
  private readonly servedHead: string;

  constructor(
    inner: Store,
    private readonly prefix: string,
    /** `group/version` of the served version, and of the storage version. */
    private readonly servedApiVersion: string,
    private readonly storageApiVersion: string,
    private readonly converter: ConversionWebhookConverter,
  ) {
    super(inner);
    this.servedHead = `{"apiVersion":${JSON.stringify(servedApiVersion)},`;
  }

  /** A value to write, in the storage version. */
  private async toStorage(key: string, value: string): Promise<string> {
    if (!key.startsWith(this.prefix) || this.servedApiVersion === this.storageApiVersion) return value;
    const obj = JSON.parse(value) as Obj;
    if (obj.apiVersion === this.storageApiVersion) return value;
    const [out] = await this.converter.convert([obj], this.storageApiVersion);
    return JSON.stringify(out);
  }

  /** Stored values in the served version, in one review for those that need it. */
  private async fromStorage(kvs: KeyValue[], list = false): Promise<KeyValue[]> {
    const todo: { i: number; obj: Obj }[] = [];
    const out = kvs.map((kv, i) => {
      if (!kv.key.startsWith(this.prefix)) return kv;
      const done = this.converted.get(kv);
      if (done) return done;
      // encodeObject writes apiVersion first: a value already in the served version needs no parse.
      if (kv.value.startsWith(this.servedHead)) return kv;
      const obj = JSON.parse(kv.value) as Obj;
      if (obj.apiVersion !== this.servedApiVersion) todo.push({ i, obj });
      return kv;
    });
    if (todo.length === 0) return out;
    const objs = await this.converter.convert(todo.map((t) => t.obj), this.servedApiVersion, list);
    todo.forEach((t, j) => {
      const kv = kvs[t.i]!;
      const conv: KeyValue = { ...kv, value: JSON.stringify(objs[j]) };
      this.converted.set(kv, conv);
      out[t.i] = conv;
    });
    return out;
  }

  private async one(kv: KeyValue): Promise<KeyValue> {
    return (await this.fromStorage([kv]))[0]!;
  }

  override async create(key: string, value: string): Promise<KeyValue> {
    const kv = await this.inner.create(key, await this.toStorage(key, value));
    return { ...kv, value };
  }

  override async get(key: string): Promise<KeyValue | undefined> {
    const kv = await this.inner.get(key);
    return kv && this.one(kv);
  }

  override async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const kv = await this.inner.update(key, await this.toStorage(key, value), expectedRevision);
    return { ...kv, value };
  }

  override async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.one(await this.inner.delete(key, expectedRevision));
  }

  override async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const res = await this.inner.list(prefix, opts);
    return { ...res, items: await this.fromStorage(res.items, true) };
  }

  /** Events converted in order (each batch after the one before); a failed conversion ends the watch with a 500. */
  override watch(prefix: string, afterRevision: number, cb: WatchCallbacks): WatchHandle {
    let failed = false;
    let chain = Promise.resolve();
    const handle = this.inner.watch(prefix, afterRevision, {
      onEvents: (events) => {
        chain = chain.then(async () => {
          if (failed) return;
          try {
            const out: StoreEvent[] = [];
            for (const ev of events) out.push(await this.convertEvent(ev));
            if (!failed) cb.onEvents(out);
          } catch (err) {
            failed = true;
            handle.cancel();
            cb.onError?.(new StoreError('Internal', (err as Error).message));
          }
        });
      },
      onError: (err) => {
        chain = chain.then(() => {
          if (!failed) cb.onError?.(err);
        });
      },
    });
    // No progress(): converted events are still on their way when the inner watch has moved on.
    return {
      cancel: () => {
        failed = true;
        handle.cancel();
      },
    };
  }

  private async convertEvent(ev: StoreEvent): Promise<StoreEvent> {
    const [kv, prevKv] = await this.fromStorage(ev.prevKv ? [ev.kv, ev.prevKv] : [ev.kv]);
    return { ...ev, kv: kv!, ...(prevKv ? { prevKv } : {}) };
  }

  /** The store is the API server's, shared: closing this version's view of it closes nothing. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}
