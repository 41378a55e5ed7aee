/**
 * Declaring a controller, in the spirit of controller-runtime's builder:
 *
 *   mgr.controller('deployment')
 *     .for(resources.deployments)
 *     .owns(resources.replicasets)
 *     .watches(resources.pods, (pod) => [...])
 *     .complete(reconcile);
 *
 * `for` enqueues the object itself, `owns` the controller owner of an owned object (found through
 * ownerReferences with controller: true), `watches` any mapping. Informers come from the shared
 * factory, so controllers watching the same resource share one cache.
 */
import type { KubeObject } from '../api/meta.js';
import type { ResourceRef } from '../client/resource-ref.js';
import { Controller, type ControllerOptions } from './controller.js';
import { enqueueMapped, enqueueObject, enqueueOwner, type UpdatePredicate } from './handlers.js';
import type { EventHandler } from './informer/shared-informer.js';
import type { InformerScope, SharedInformerFactory } from './informer/informer-factory.js';
import type { ObjectKey } from './informer/keys.js';
import type { Reconciler } from './reconcile.js';

/** What a builder needs from its manager. */
export interface BuilderHost {
  readonly informers: SharedInformerFactory;
  /** Adopt the built controller (the manager starts and stops it). */
  addController(c: Controller): void;
  readonly controllerDefaults?: ControllerOptions;
}

type Wiring = (enqueue: (k: ObjectKey | string) => void) => { ref: ResourceRef; scope: InformerScope; handler: EventHandler<KubeObject> };

export class ControllerBuilder {
  private forRef: ResourceRef | undefined;
  private readonly wirings: Wiring[] = [];
  private options: ControllerOptions = {};

  constructor(private readonly host: BuilderHost, readonly name: string) {}

  /** The primary resource: its own events enqueue its key. */
  for(ref: ResourceRef, opts: InformerScope & { predicate?: UpdatePredicate } = {}): this {
    if (this.forRef) throw new Error(`controller ${this.name}: for() called twice`);
    this.forRef = ref;
    const { predicate, ...scope } = opts;
    this.wirings.push((enqueue) => ({ ref, scope, handler: enqueueObject(enqueue, predicate) }));
    return this;
  }

  /** A resource this controller creates: events enqueue the controller owner of the For kind. */
  owns(ref: ResourceRef, scope: InformerScope = {}): this {
    this.wirings.push((enqueue) => {
      const owner = this.forRef;
      if (!owner?.kind) throw new Error(`controller ${this.name}: owns() needs for() with a ResourceRef that names its kind`);
      return { ref, scope, handler: enqueueOwner(enqueue, owner.group, owner.kind) };
    });
    return this;
  }

  /** Any resource, with a mapping from its objects (of the ref's kind) to keys to reconcile. */
  watches<T extends KubeObject = KubeObject>(ref: ResourceRef<T> | ResourceRef, map: (obj: Readonly<T>) => (ObjectKey | string)[], scope: InformerScope = {}): this {
    this.wirings.push((enqueue) => ({ ref, scope, handler: enqueueMapped(enqueue, map as (obj: Readonly<KubeObject>) => (ObjectKey | string)[]) }));
    return this;
  }

  withOptions(opts: ControllerOptions): this {
    this.options = { ...this.options, ...opts };
    return this;
  }

  /** Build the controller, register its handlers on shared informers, and hand it to the manager. */
  complete(reconcile: Reconciler): Controller {
    const c = new Controller(this.name, reconcile, { ...this.host.controllerDefaults, ...this.options });
    const enqueue = (k: ObjectKey | string) => c.enqueue(k);
    for (const w of this.wirings) {
      const { ref, scope, handler } = w(enqueue);
      this.host.informers.informerFor(ref, scope).addEventHandler(handler);
    }
    this.host.addController(c);
    return c;
  }
}
