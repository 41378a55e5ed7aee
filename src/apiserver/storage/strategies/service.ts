/**
 * Services (pkg/registry/core/service). Create-on-update is allowed as upstream.
 *
 * ClusterIP and NodePort allocation hook: an allocator (to come) sets spec.clusterIP/clusterIPs
 * and node ports in `allocate` (throwing 422 for a requested address that is taken or outside
 * the range) and frees them in `release`. Until then services keep what the client asked for.
 */
import type { Strategy } from './types.js';

export const serviceStrategy: Strategy = {
  allowCreateOnUpdate: true,
};
