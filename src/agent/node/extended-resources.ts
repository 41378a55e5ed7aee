/**
 * Extended resources in a node's status (`example.com/foo`, `nvidia.com/gpu`): as upstream's kubelet
 * (pkg/kubelet/nodestatus MachineInfo), allocatable is capacity minus reservations for every
 * resource, and the agent reserves nothing for extended ones, so each extended capacity an operator
 * advertises (upstream's "Advertise Extended Resources for a Node": a PATCH of status.capacity) is
 * mirrored into allocatable, and an extended allocatable whose capacity was removed goes too.
 * The agent's own status is a merge patch, so it never overwrites those capacity entries.
 */
import { isExtendedResourceName } from '../../api/kinds/core/resources-validation.js';

type ResourceMap = Readonly<Record<string, string | number>> | undefined;

/** The merge-patch body for status.allocatable that brings extended resources in line (but those in `skip`: device plugin resources), or undefined. */
export function extendedAllocatablePatch(capacity: ResourceMap, allocatable: ResourceMap, skip: ReadonlySet<string> = new Set()): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const [name, q] of Object.entries(capacity ?? {})) {
    if (isExtendedResourceName(name) && !skip.has(name) && String(allocatable?.[name]) !== String(q)) patch[name] = String(q);
  }
  for (const name of Object.keys(allocatable ?? {})) {
    if (isExtendedResourceName(name) && !(name in (capacity ?? {}))) patch[name] = null;
  }
  return Object.keys(patch).length ? patch : undefined;
}
