/**
 * Encryption at rest as a Store wrapper (upstream does it in the etcd3 storage's transformer, below
 * the watch cache): values of the configured resources are sealed with the first transformer on
 * create/update and opened on every read, list, delete and watch event, so every layer above (the
 * generic storage, admission, the authorizer's graph) sees plaintext and the backend (SQLite file,
 * etcd) only ciphertext. A value opened by other than the write transformer comes back `stale`, so
 * an unchanged update rewrites it under the current key (what the rotation command relies on).
 * Keys outside `/registry/<group|core>/<resource>/` and resources not configured pass untouched.
 */
import { ForwardingStore } from '../../store/forwarding-store.js';
import { StoreError, type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type WatchCallbacks, type WatchHandle } from '../../store/types.js';
import { errors } from '../../api/status.js';
import type { EncryptionConfig } from './config.js';
import type { Transformer } from './providers.js';

/** `/registry/core/secrets/ns/name` -> `core/secrets`, the part that picks the transformers. */
function resourceOf(key: string): string | undefined {
  if (!key.startsWith('/registry/')) return undefined;
  const g = key.indexOf('/', 10);
  const r = g < 0 ? -1 : key.indexOf('/', g + 1);
  return r < 0 ? undefined : key.slice(10, r);
}

export class EncryptingStore extends ForwardingStore {
  private readonly byResource = new Map<string, readonly Transformer[] | undefined>();
  /** Opened values per stored KeyValue: the backend shares one event object among watchers, so do we. */
  private readonly opened = new WeakMap<KeyValue, KeyValue>();

  constructor(inner: Store, private readonly config: EncryptionConfig) {
    super(inner);
  }

  private transformers(key: string): readonly Transformer[] | undefined {
    const res = resourceOf(key);
    if (res === undefined) return undefined;
    if (this.byResource.has(res)) return this.byResource.get(res);
    const [group, resource] = res.split('/') as [string, string];
    const t = this.config.transformersFor(group === 'core' ? '' : group, resource);
    // Identity alone (or first and last) stores as is: skip the work, as upstream's identity is free.
    const found = t && !(t.length === 1 && t[0]!.kind === 'identity') ? t : undefined;
    this.byResource.set(res, found);
    return found;
  }

  private seal(key: string, value: string): string {
    const t = this.transformers(key)?.[0];
    if (!t || t.kind === 'identity') return value;
    return t.prefix + t.seal(Buffer.from(value, 'utf8'), key);
  }

  /** The plaintext KeyValue, or throws upstream's 500 InternalError naming the key (never the value). */
  private open(kv: KeyValue): KeyValue {
    const ts = this.transformers(kv.key);
    if (!ts) return kv;
    const cached = this.opened.get(kv);
    if (cached) return cached;
    let lastErr: unknown;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (!kv.value.startsWith(t.prefix)) continue;
      try {
        const plain = t.kind === 'identity' ? identityOpen(kv.value) : t.open(kv.value.slice(t.prefix.length), kv.key).toString('utf8');
        const out: KeyValue = { ...kv, value: plain, ...(i !== 0 ? { stale: true } : {}) };
        this.opened.set(kv, out);
        return out;
      } catch (err) {
        lastErr = err;
        // identity refuses encrypted data; the next transformer may open it (as upstream).
        if (t.prefix === '') continue;
        break;
      }
    }
    const why = lastErr ? (lastErr as Error).message : 'no matching prefix found';
    throw errors.internal(`Internal error occurred: unable to transform key "${kv.key}": ${why}`);
  }

  private openOpt(kv: KeyValue | undefined): KeyValue | undefined {
    return kv && this.open(kv);
  }

  override async create(key: string, value: string): Promise<KeyValue> {
    const kv = await this.inner.create(key, this.seal(key, value));
    return { ...kv, value };
  }

  override async get(key: string): Promise<KeyValue | undefined> {
    return this.openOpt(await this.inner.get(key));
  }

  override async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const kv = await this.inner.update(key, this.seal(key, value), expectedRevision);
    return { ...kv, value };
  }

  override async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.open(await this.inner.delete(key, expectedRevision));
  }

  override async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const res = await this.inner.list(prefix, opts);
    return { ...res, items: res.items.map((kv) => this.open(kv)) };
  }

  override watch(prefix: string, afterRevision: number, cb: WatchCallbacks): WatchHandle {
    let failed = false;
    const handle = this.inner.watch(prefix, afterRevision, {
      onEvents: (events) => {
        if (failed) return;
        let out: StoreEvent[];
        try {
          out = events.map((ev) => this.openEvent(ev));
        } catch (err) {
          failed = true;
          handle.cancel();
          cb.onError?.(new StoreError('Internal', (err as Error).message));
          return;
        }
        cb.onEvents(out);
      },
      onError: (err) => cb.onError?.(err),
    });
    return handle;
  }

  private openEvent(ev: StoreEvent): StoreEvent {
    if (!this.transformers(ev.kv.key)) return ev;
    return { ...ev, kv: this.open(ev.kv), ...(ev.prevKv ? { prevKv: this.open(ev.prevKv) } : {}) };
  }
}

function identityOpen(value: string): string {
  if (value.startsWith('k8s:enc:')) throw new Error('identity transformer tried to read encrypted data');
  return value;
}

/** The store as the API server should use it: wrapped when a configuration is given. */
export function withEncryption(store: Store, config: EncryptionConfig | undefined): Store {
  return config ? new EncryptingStore(store, config) : store;
}
