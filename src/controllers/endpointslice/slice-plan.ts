/**
 * Which writes turn a Service's stored slices into the desired ones (pure), as upstream's
 * pkg/controller/endpointslice reconciler: desired slices carry no name (generateName), so they
 * are matched to stored slices of the same ports (upstream groups by port map key); a stored slice
 * whose content differs is updated in place, a desired slice with no stored one is created, a stored
 * slice with nothing left to say is deleted. Then, as upstream's finalize, creates become updates of
 * slices that would be deleted (same addressType, owned by this Service), so e.g. the placeholder
 * turns into the first real slice under its name rather than being replaced.
 */
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { portsKey, sliceMatches } from './desired-slices.js';

export interface SlicePlan {
  create: EndpointSlice[];
  /** Desired content under a stored slice's name and resourceVersion. */
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** `want` written over `have`: its name and resourceVersion (optimistic concurrency). */
function over(have: Readonly<EndpointSlice>, want: EndpointSlice): EndpointSlice {
  return { ...want, metadata: { ...want.metadata, name: have.metadata.name, resourceVersion: have.metadata.resourceVersion } };
}

export function planSlices(svc: Readonly<Service>, stored: readonly EndpointSlice[], desired: readonly EndpointSlice[]): SlicePlan {
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of [...stored].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const key = portsKey(s.ports);
    byPorts.set(key, [...(byPorts.get(key) ?? []), s]);
  }
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  for (const want of desired) {
    const have = byPorts.get(portsKey(want.ports))?.shift();
    if (!have) plan.create.push(want);
    else if (!sliceMatches(have, want)) plan.update.push(over(have, want));
  }
  const leftovers = [...byPorts.values()].flat();
  for (const gone of leftovers) {
    const reusable = gone.addressType === plan.create.at(-1)?.addressType && (gone.metadata.ownerReferences ?? []).some((r) => r.uid === svc.metadata.uid);
    if (reusable) plan.update.push(over(gone, plan.create.pop()!));
    else plan.delete.push(gone);
  }
  return plan;
}
