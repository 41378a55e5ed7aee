/**
 * The admission configuration objects (webhook configurations, policies, bindings) kept in memory
 * from a list and a watch of the store, as upstream's plugins read them from informers: a request
 * never reads the store to learn which webhooks apply. `version` changes on every event, so users
 * of the cache can memoize what they derive from it.
 */
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import type { Store, WatchHandle } from '../../../store/types.js';
import { resourcePrefix } from '../../storage/keys.js';

export class ObjectCache<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private watch?: WatchHandle;
  private sorted?: T[];
  version = 0;

  private constructor(private readonly store: Store, private readonly prefix: string) {}

  static async start<T extends KubeObject>(store: Store, def: Pick<ResourceDefinition, 'group' | 'plural'>): Promise<ObjectCache<T>> {
    const c = new ObjectCache<T>(store, resourcePrefix(def));
    await c.load();
    return c;
  }

  private async load(): Promise<void> {
    const listed = await this.store.list(this.prefix);
    for (const kv of listed.items) this.items.set(kv.key, JSON.parse(kv.value) as T);
    this.version++;
    this.watch = this.store.watch(this.prefix, listed.revision, {
      onEvents: (events) => {
        for (const ev of events) {
          if (ev.type === 'DELETE') this.items.delete(ev.kv.key);
          else this.items.set(ev.kv.key, JSON.parse(ev.kv.value) as T);
        }
        this.sorted = undefined;
        this.version++;
      },
      // Compacted past our revision (a long stall): list again.
      onError: () => {
        this.watch?.cancel();
        this.items.clear();
        void this.load().catch(() => undefined);
      },
    });
  }

  /**
   * Every object, sorted by name in byte order, as upstream's configuration managers sort
   * configurations (Go's `<` on the names) before calling their webhooks in turn: the call order
   * and the audit annotations' indexes. Not localeCompare, whose order follows the process's
   * locale (under LANG=da_DK "aa" sorts after "ab"; under th_TH "a-b" and "ab" are equal).
   */
  list(): readonly T[] {
    // Code unit order is byte order for the ASCII of DNS names.
    const name = (o: T): string => o.metadata.name ?? '';
    this.sorted ??= [...this.items.values()].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
    return this.sorted;
  }

  stop(): void {
    this.watch?.cancel();
  }
}

