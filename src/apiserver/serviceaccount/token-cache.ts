/**
 * Verified service account tokens, kept until they expire or an object they depend on (the
 * ServiceAccount, the bound Pod, Secret or Node) is deleted, starts terminating or (SA, Secret)
 * changes: watches on those storages evict the tokens at once, so a repeat request costs one map
 * lookup instead of an RSA verification and up to three reads (upstream caches authentications
 * for a while too, k8s.io/apiserver/pkg/authentication/token/cache, but with a TTL; here deleting
 * a pod takes effect with its watch event).
 *
 * A verification that ran while any invalidating event arrived, or before the watches were
 * established, is not cached (its reads may predate the event): `begin()` hands out the
 * generation that `put()` checks.
 */
import type { UserInfo } from '../http/authn.js';
import type { RequestContext, ResourceStorage, WatchStream } from '../storage/types.js';

export type WatchedPlural = 'pods' | 'serviceaccounts' | 'secrets' | 'nodes';
const WATCHED: readonly WatchedPlural[] = ['pods', 'serviceaccounts', 'secrets', 'nodes'];

interface Entry { user: UserInfo; expiresAtMs: number; deps: string[] }

const systemContext = (): RequestContext => ({
  user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

export const depKey = (plural: WatchedPlural, namespace: string | undefined, name: string): string => `${plural}/${namespace ?? ''}/${name}`;

/** At most this many tokens are kept (the oldest go first). */
const MAX_ENTRIES = 50_000;

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byDep = new Map<string, Set<string>>();
  private readonly watches: WatchStream[] = [];
  private generation = 0;
  private state: 'idle' | 'starting' | 'ready' = 'idle';

  constructor(private readonly storage: (plural: WatchedPlural) => ResourceStorage | undefined) {}

  /** The cached user of `token`, or undefined (not cached, or expired). */
  get(token: string, nowMs: number): UserInfo | undefined {
    const e = this.entries.get(token);
    if (!e) return undefined;
    if (e.expiresAtMs > nowMs) return e.user;
    this.drop(token);
    return undefined;
  }

  /** Call before a verification's reads; pass the result to put(). -1: do not cache. */
  begin(): number {
    if (this.state === 'idle') void this.start();
    return this.state === 'ready' ? this.generation : -1;
  }

  put(token: string, generation: number, entry: Entry): void {
    if (generation < 0 || generation !== this.generation || this.state !== 'ready') return;
    if (this.entries.size >= MAX_ENTRIES) this.drop(this.entries.keys().next().value!);
    this.entries.set(token, entry);
    for (const d of entry.deps) {
      let set = this.byDep.get(d);
      if (!set) this.byDep.set(d, (set = new Set()));
      set.add(token);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  stop(): void {
    for (const w of this.watches.splice(0)) w.stop();
    this.clear();
    this.state = 'idle';
  }

  private invalidate(key: string): void {
    this.generation++;
    const tokens = this.byDep.get(key);
    if (!tokens) return;
    for (const t of [...tokens]) this.drop(t);
  }

  private drop(token: string): void {
    const e = this.entries.get(token);
    if (!e) return;
    this.entries.delete(token);
    for (const d of e.deps) {
      const set = this.byDep.get(d);
      set?.delete(token);
      if (set?.size === 0) this.byDep.delete(d);
    }
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
    this.byDep.clear();
  }

  private async start(): Promise<void> {
    this.state = 'starting';
    try {
      for (const plural of WATCHED) {
        const s = this.storage(plural);
        if (!s) continue;
        this.watches.push(await s.watch(systemContext(), undefined, { sendInitialEvents: false }, {
          onEvent: (ev) => {
            if (ev.type !== 'DELETED' && ev.type !== 'MODIFIED') return;
            const obj = ev.object;
            if (ev.type === 'DELETED' || (plural !== 'pods' && plural !== 'nodes') || obj.metadata?.deletionTimestamp) {
              this.invalidate(depKey(plural, obj.metadata?.namespace, obj.metadata?.name ?? ''));
            }
          },
          // A watch that ended may have missed events: forget everything and start over on the next miss.
          onClose: () => this.stop(),
        }));
      }
      if (this.state === 'starting') this.state = 'ready';
    } catch {
      this.stop();
    }
  }
}
