/**
 * Services (pkg/registry/core/service). Create-on-update is allowed as upstream.
 *
 * ClusterIP and NodePort allocation (src/apiserver/ipalloc): `forStore` binds one ServiceAllocator to
 * each store; create fills spec.clusterIP(s) and node ports (422 for a requested value that is taken
 * or out of range), update keeps what the stored object holds and allocates what a type change
 * needs (after clearing the fields the old type needed: service-type-fields.ts), and the final
 * delete frees them.
 */
import type { Store } from '../../../store/types.js';
import { ServiceAllocator, type ServiceRanges } from '../../ipalloc/service-allocator.js';
import type { Service } from '../../../api/kinds/core/service.js';
import { dropTypeDependentFields } from './service-type-fields.js';
import type { Strategy } from './types.js';

const allocators = new WeakMap<Store, ServiceAllocator>();

/**
 * The allocator of `store`, created on first use with `ranges` (--service-cidr,
 * --service-node-port-range; absent: the defaults). startApiServer makes the first call with the
 * server's ranges, before any storage binds to the store; later callers get that allocator.
 */
export function serviceAllocatorFor(store: Store, ranges: ServiceRanges = {}): ServiceAllocator {
  let a = allocators.get(store);
  if (!a) {
    a = new ServiceAllocator(store, ranges);
    allocators.set(store, a);
  }
  return a;
}

export const serviceStrategy: Strategy<Service> = {
  allowCreateOnUpdate: true,
  forStore(store: Store): Strategy<Service> {
    const alloc = serviceAllocatorFor(store);
    return {
      allowCreateOnUpdate: true,
      prepareForUpdate: (obj, old) => {
        dropTypeDependentFields(obj, old);
        alloc.prepareUpdate(obj, old);
      },
      allocate: (obj, ctx) => alloc.allocate(obj, ctx.dryRun),
      release: async (obj) => alloc.release(obj),
    };
  },
};
