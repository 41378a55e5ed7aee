/**
 * metadata.managedFields <-> one FieldSet per manager identity. Identity is what apimachinery's
 * BuildManagerIdentifier keeps: manager, operation, subresource, and apiVersion for Update
 * entries only (an applier keeps one entry across versions). Encoding sorts as
 * sortEncodedManagedFields does (Apply before Update, then time, manager, apiVersion, subresource)
 * and drops entries that own nothing.
 */
import type { ManagedFieldsEntry } from '../../../api/meta.js';
import { FieldSet } from './fieldset.js';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

export type Managers = Map<string, ManagerEntry>;

export function managerKey(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({
    manager: e.manager, operation: e.operation,
    apiVersion: e.operation === 'Apply' ? undefined : e.apiVersion,
    subresource: e.subresource || undefined,
  });
}

/**
 * Decode managedFields, or undefined when they cannot be read, as apimachinery's
 * decodeManagedFields: an operation other than Apply/Update, an empty apiVersion or a fieldsType
 * other than FieldsV1 (older clients dropped it) make the whole list undecodable; the caller then
 * falls back to the live entries (a write's) or to none (the live object's). `stored`: the entries
 * are the stored object's own (written by this server, so well formed), and each set is read only
 * if the write touches it.
 */
export function decodeManagedFields(entries: unknown, stored = false): Managers | undefined {
  const out: Managers = new Map();
  if (!Array.isArray(entries)) return out;
  try {
    for (const raw of entries as ManagedFieldsEntry[]) {
      if (raw.fieldsType !== 'FieldsV1') throw new Error('fieldsType');
      if (raw.operation !== 'Apply' && raw.operation !== 'Update') throw new Error('operation');
      if (!raw.apiVersion) throw new Error('apiVersion');
      const e: ManagerEntry = {
        manager: raw.manager ?? '', operation: raw.operation, apiVersion: raw.apiVersion,
        time: raw.time, subresource: raw.subresource || undefined,
        set: stored && isFieldsObject(raw.fieldsV1) ? FieldSet.lazyFromFieldsV1(raw.fieldsV1) : FieldSet.fromFieldsV1(raw.fieldsV1 ?? {}),
      };
      const key = managerKey(e);
      const prev = out.get(key);
      if (prev) e.set = prev.set.union(e.set);
      out.set(key, e);
    }
  } catch {
    return undefined;
  }
  return out;
}

function isFieldsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * kube-apiserver's "reset managedFields" request (isResetManagedFields): an empty list, or a list
 * holding one empty entry. Absent managedFields (null/undefined) keep the stored ones.
 */
export function isResetRequest(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  // The one entry must decode to Go's zero ManagedFieldsEntry: `{}`, or fields that are all "" or null.
  const only: unknown = entries[0];
  return entries.length === 1 && typeof only === 'object' && only !== null && !Array.isArray(only)
    && Object.values(only).every((v) => v === '' || v === null);
}

export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const entries = [...managers.values()].filter((e) => !e.set.isEmpty());
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const pt = p.time ? Math.floor(Date.parse(p.time) / 1000) : 0;
    const qt = q.time ? Math.floor(Date.parse(q.time) / 1000) : 0;
    if (pt !== qt) return pt - qt;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
  return entries.map((e) => {
    const out: ManagedFieldsEntry = {
      manager: e.manager, operation: e.operation, apiVersion: e.apiVersion,
      ...(e.time ? { time: e.time } : {}),
      fieldsType: 'FieldsV1', fieldsV1: e.set.toFieldsV1(),
    };
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** How conflict messages name a manager (apimachinery's printManager, without the time). */
export function describeManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}
