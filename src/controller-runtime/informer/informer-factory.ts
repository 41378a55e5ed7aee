/**
 * One informer per (resource, namespace, selectors) shared by every controller in a process, so ten
 * controllers interested in pods open one watch and hold one cache.
 */
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { SharedInformer, type InformerOptions } from './shared-informer.js';

export interface InformerScope {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private started = false;

  /** `defaults` apply to every informer made here (clock, logger, resync, backoff). */
  constructor(readonly client: KubeClient, private readonly defaults: InformerOptions = {}) {}

  /**
   * The shared informer for `ref` in `scope`, created on first request (and started if the factory
   * runs), typed as the ref's kind; a type argument still narrows an untyped ref.
   */
  informerFor<T extends KubeObject = KubeObject>(ref: ResourceRef<T> | ResourceRef, scope: InformerScope = {}): SharedInformer<T> {
    const id = [ref.group, ref.version, ref.resource, scope.namespace ?? '', scope.labelSelector ?? '', scope.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(id);
    if (!inf) {
      inf = new SharedInformer(this.client, ref, { ...this.defaults, ...scope });
      this.informers.set(id, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as SharedInformer<T>;
  }

  /**
   * A new informer with this factory's defaults that the factory neither shares, starts nor stops:
   * its caller owns it. For a watch that must be able to end before the process does (the garbage
   * collector's of a custom resource whose CRD goes); stopping a shared one would stop it for every
   * user.
   */
  unshared<T extends KubeObject = KubeObject>(ref: ResourceRef<T> | ResourceRef, scope: InformerScope = {}): SharedInformer<T> {
    return new SharedInformer<T>(this.client, ref, { ...this.defaults, ...scope });
  }

  /** Start every informer, including ones requested later. */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** Resolves true when all informers synced; false if `signal` aborts or one stopped first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  list(): SharedInformer[] {
    return [...this.informers.values()];
  }
}
