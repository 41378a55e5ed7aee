/**
 * Every resource's storage, built from the definitions: the HTTP layer and the server assembly
 * look storages up by (group, version, plural) and action subresources by (plural, subresource).
 */
import type { ResourceDefinition } from '../../api/resource.js';
import type { Store } from '../../store/types.js';
import { withBuiltinAdmission } from '../admission/builtin-admission.js';
import { BindingsCollection } from './actions/bindings-collection.js';
import { NamespaceFinalize } from './actions/namespace-finalize.js';
import { PodBinding } from './actions/pod-binding.js';
import { PodEviction } from './actions/pod-eviction.js';
import { GenericStorage } from './generic-storage.js';
import type { StorageOptions } from './storage-core.js';
import { strategyFor, type Strategy } from './strategies/index.js';
import type { ActionSubresource, ResourceStorage } from './types.js';

export type Definitions = Iterable<ResourceDefinition> | { all(): Iterable<ResourceDefinition> };

export class StorageSet {
  private readonly byResource = new Map<string, GenericStorage>();
  private readonly actions = new Map<string, ActionSubresource>();
  /** Resources served without storage of their own (the `bindings` collection). */
  private readonly unstored: ResourceStorage[] = [];

  constructor(readonly store: Store, definitions: Definitions, options: StorageOptions = {}) {
    const defs = Symbol.iterator in definitions ? definitions : definitions.all();
    for (const def of defs) {
      this.byResource.set(resourceKey(def.group, def.version, def.plural), new GenericStorage(store, def, withBuiltinAdmission(def, bindStrategy(strategyFor(def), store), store, options.defaultTolerationSeconds), options));
    }
    const pods = this.byResource.get(resourceKey('', 'v1', 'pods'));
    if (pods) {
      const binding = new PodBinding(pods);
      this.addAction(binding);
      this.addAction(new PodEviction(pods, this.byResource.get(resourceKey('policy', 'v1', 'poddisruptionbudgets'))));
      this.unstored.push(new BindingsCollection(binding));
    }
    const namespaces = this.byResource.get(resourceKey('', 'v1', 'namespaces'));
    if (namespaces) this.addAction(new NamespaceFinalize(namespaces));
  }

  /** The storage of `<group>/<version>/<plural>` (core group: ''). */
  get(group: string, version: string, plural: string): ResourceStorage | undefined {
    return this.byResource.get(resourceKey(group, version, plural));
  }

  /** An action subresource such as ('pods', 'binding'). */
  action(plural: string, subresource: string): ActionSubresource | undefined {
    return this.actions.get(`${plural}/${subresource}`);
  }

  all(): ResourceStorage[] {
    return [...this.byResource.values(), ...this.unstored];
  }

  allActions(): ActionSubresource[] {
    return [...this.actions.values()];
  }

  private addAction(a: ActionSubresource): void {
    this.actions.set(`${a.resource}/${a.subresource}`, a);
  }
}

/** A strategy with per-store state (Service allocators) is bound to this set's store. */
function bindStrategy(s: Strategy, store: Store): Strategy {
  return s.forStore ? s.forStore(store) : s;
}

function resourceKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

/** Build the storage of every definition over one store. */
export function createStorages(store: Store, definitions: Definitions, options: StorageOptions = {}): StorageSet {
  return new StorageSet(store, definitions, options);
}
