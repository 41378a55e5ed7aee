/**
 * Field ownership through the scale subresource, as apimachinery's ScaleHandler: a Scale's
 * managedFields are the parent's entries that own its replicas field, each owning `.spec.replicas`
 * of autoscaling/v1 (ToSubresource); after a write to the Scale they go back (ToParent): a parent
 * entry keeps the replicas field only while its manager still owns the Scale's, and every Scale
 * entry owning `.spec.replicas` owns the parent's replicas field, in the parent's apiVersion.
 * Entries are matched by manager, operation and subresource: their apiVersion differs by view.
 */
import type { ManagedFieldsEntry } from '../../../api/meta.js';
import { FieldSet } from './fieldset.js';
import { decodeManagedFields, encodeManagedFields, managerKey, type ManagerEntry, type Managers } from './managed-fields.js';

export const SCALE_API_VERSION = 'autoscaling/v1';
const SCALE_REPLICAS = ['f:spec', 'f:replicas'];

const identity = (e: ManagerEntry): string => JSON.stringify([e.manager, e.operation, e.subresource ?? '']);

/** The Scale's managedFields for a parent with `parentEntries`; `replicasPath` as FieldsV1 (`['f:spec', 'f:replicas']`). */
export function toScaleEntries(parentEntries: unknown, replicasPath: string[]): ManagedFieldsEntry[] {
  const out: Managers = new Map();
  for (const [k, e] of decodeManagedFields(parentEntries, true) ?? new Map<string, ManagerEntry>()) {
    if (e.set.has(replicasPath)) out.set(k, { ...e, apiVersion: SCALE_API_VERSION, set: FieldSet.fromPaths([SCALE_REPLICAS]) });
  }
  return encodeManagedFields(out);
}

/** The parent's managedFields after a Scale write that left the Scale with `scaleEntries`. */
export function toParentEntries(parentEntries: unknown, scaleEntries: ManagedFieldsEntry[], replicasPath: string[], parentVersion: string): ManagedFieldsEntry[] {
  const scaleOwners = new Map<string, ManagerEntry>();
  for (const e of (decodeManagedFields(scaleEntries) ?? new Map<string, ManagerEntry>()).values()) {
    if (e.set.has(SCALE_REPLICAS)) scaleOwners.set(identity(e), e);
  }
  const out: Managers = new Map();
  for (const [k, e] of decodeManagedFields(parentEntries, true) ?? new Map<string, ManagerEntry>()) {
    const id = identity(e);
    if (!e.set.has(replicasPath)) out.set(k, e);
    else if (scaleOwners.delete(id)) out.set(k, e);
    // The Scale write took the replicas field from this manager.
    else out.set(k, { ...e, set: e.set.difference(FieldSet.fromPaths([replicasPath])) });
  }
  for (const e of scaleOwners.values()) {
    const entry: ManagerEntry = { ...e, apiVersion: parentVersion, set: FieldSet.fromPaths([replicasPath]) };
    out.set(managerKey(entry), entry);
  }
  return encodeManagedFields(out);
}
