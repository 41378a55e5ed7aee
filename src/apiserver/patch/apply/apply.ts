/**
 * Server-side apply and managed-fields tracking for ordinary writes: the two entry points of
 * apimachinery's FieldManager, as pure functions over plain JSON objects.
 */
import type { ManagedFieldsEntry } from '../../../api/meta.js';
import { errors } from '../../../api/status.js';
import { clone, deepEqual, isObject, type FieldInfoLookup, type JsonObject } from '../json-value.js';
import { capUpdateManagers } from './cap-managers.js';
import { compare } from './compare.js';
import { conflictError, type Conflict } from './conflicts.js';
import { FieldSet } from './fieldset.js';
import { ownable } from './ownable.js';
import {
  decodeManagedFields, encodeManagedFields, isResetRequest, managerKey, type ManagerEntry, type Managers,
} from './managed-fields.js';
import { KUBECTL_MANAGER, allowedConflicts, syncLastApplied } from './last-applied.js';
import { mergeApplied } from './merge.js';
import { prune } from './prune.js';
import { SchemaCursor } from './schema.js';
import { gvknn } from './strict-apply.js';
import { toFieldSet } from './to-fieldset.js';
import { pruneInLastVersion, VersionedChanges, type VersionConverter } from './versions.js';

export interface FieldManagerOptions {
  /** fieldManager of the request. */
  manager: string;
  /** apiVersion of the object as written (`apps/v1`). */
  apiVersion: string;
  fieldInfo: FieldInfoLookup;
  /** Time of the write, stamped on the entry it changes. */
  now: Date | string;
  /** Subresource written (`status`, `scale`); ownership is recorded on the parent's paths. */
  subresource?: string;
  /**
   * Field-name paths (e.g. `[['status']]` for a write to the main resource of a kind with a status
   * subresource) whose changes no manager owns through this write: kube-apiserver's reset fields.
   */
  ignoredFields?: string[][];
  /**
   * The object in the other versions of its kind, for entries recorded in another apiVersion
   * (versions.ts); without it every entry is compared in `apiVersion`.
   */
  convert?: VersionConverter;
}

export interface ApplyOptions extends FieldManagerOptions {
  /** Take ownership of conflicting fields instead of failing with 409. */
  force?: boolean;
}

export interface UpdateOptions extends FieldManagerOptions {
  operation?: 'Update';
}

export interface FieldManagerResult {
  /** The resulting object; its metadata.managedFields equals `managedFields` (absent when empty). */
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

function withoutManagedFields(obj: JsonObject | undefined): JsonObject {
  if (!obj) return {};
  const meta = isObject(obj.metadata) ? { ...obj.metadata } : undefined;
  if (!meta) return { ...obj };
  delete meta.managedFields;
  return { ...obj, metadata: meta };
}

function finish(obj: JsonObject, managers: Managers): FieldManagerResult {
  const managedFields = encodeManagedFields(managers);
  const meta: JsonObject = isObject(obj.metadata) ? { ...obj.metadata } : {};
  if (managedFields.length > 0) meta.managedFields = managedFields;
  else delete meta.managedFields;
  return { object: { ...obj, metadata: meta }, managedFields };
}

/** The manager that owns an untracked object's fields when it is first applied to. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

const iso = (t: Date | string) => (typeof t === 'string' ? t : t.toISOString().replace(/\.\d{3}Z$/, 'Z'));

/**
 * Server-side apply (application/apply-patch+yaml): merge `applied` into `live` (undefined when
 * creating) and record what `manager` now owns.
 *
 * - The applier owns exactly the fields `applied` sets; fields it applied last time and omits now
 *   are removed from the object unless another manager owns them.
 * - Changing a field another manager owns fails with 409 Conflict, one cause per field
 *   (`reason: FieldManagerConflict`, `field: .spec.replicas`), unless `force`, which moves the
 *   fields to the applier. Setting a field to the value it already has shares ownership.
 * - For the manager `kubectl` only (upstream's client-side apply interop): conflicts on fields the
 *   live last-applied-configuration annotation holds with their live values are taken over without
 *   409, and that annotation, when present, is rewritten to the applied configuration.
 * - 400 when `applied` carries metadata.managedFields or another (or no) apiVersion, or a map-list item
 *   lacks its key or repeats.
 * Neither input is modified. Defaulting and validation are the caller's business (after this).
 */
export function apply(live: JsonObject | undefined, applied: JsonObject, opts: ApplyOptions): FieldManagerResult {
  if (!isObject(applied)) throw errors.badRequest('error decoding YAML: the applied configuration is not an object');
  const appliedMeta = applied.metadata;
  if (isObject(appliedMeta) && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  // An applied configuration names its version: one without apiVersion is refused too (structuredMergeManager.Apply).
  if (applied.apiVersion !== opts.apiVersion) {
    const given = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
    throw errors.badRequest(`Incorrect version specified in apply patch. Specified patch version: ${given}, expected: ${opts.apiVersion}`);
  }
  const cur = SchemaCursor.root(opts.fieldInfo);
  const set = ownable(toFieldSet(applied, cur, gvknn(applied)), opts.ignoredFields);
  const managers = decodeManagedFields(live?.metadata && (live.metadata as JsonObject).managedFields) ?? new Map();
  const liveBody = withoutManagedFields(live);
  if (live && managers.size === 0) recordBeforeFirstApply(managers, liveBody, cur, opts);
  const merged = mergeApplied(clone(liveBody), applied, cur) as JsonObject;

  const key = managerKey({ manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, subresource: opts.subresource });
  const previous = managers.get(key);
  const cmp = compare(liveBody, merged, cur);
  // A null in the configuration removes the field here; structured-merge-diff keeps the null (a
  // modified value, dropped when decoded), so owners of a field the applier nulls conflict too.
  const changed = ownable(cmp.changed.union(cmp.removed.intersection(set)), opts.ignoredFields);
  // An entry of another version loses what the write removed in its version too (upstream's
  // update(); in this version the only removals before pruning are the nulls, in `changed`).
  const views = new VersionedChanges(liveBody, merged, opts.apiVersion, { changed, removed: new FieldSet() }, opts.convert);

  const conflicts: Conflict[] = [];
  for (const [k, e] of managers) {
    if (k === key) continue;
    const c = e.set.intersection(views.in(e.apiVersion).changed);
    if (!c.isEmpty()) for (const path of c.paths()) conflicts.push({ manager: e, path });
  }
  if (conflicts.length > 0 && !opts.force) {
    // kubectl taking over from client-side apply: fields the annotation set are not conflicts.
    const allowed = opts.manager === KUBECTL_MANAGER && live ? allowedConflicts(liveBody, opts.apiVersion, cur) : new FieldSet();
    const remaining = conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw conflictError(remaining);
  }
  for (const [k, e] of managers) {
    if (k === key) continue;
    const v = views.in(e.apiVersion);
    e.set = e.set.difference(v.changed).difference(v.removed);
  }

  const entry: ManagerEntry = {
    manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion,
    subresource: opts.subresource, time: previous?.time, set,
  };
  managers.set(key, entry);

  let result = merged;
  if (previous && !previous.set.isEmpty()) {
    let owned = new FieldSet();
    for (const e of managers.values()) owned = owned.union(e.set);
    const elsewhere = previous.apiVersion !== opts.apiVersion && opts.convert
      ? pruneInLastVersion(merged, previous, managers, opts.apiVersion, cur, opts.convert) : undefined;
    result = elsewhere ?? prune(merged, previous.set, owned, cur);
    const removed = ownable(compare(liveBody, result, cur).removed, opts.ignoredFields);
    const pruned = new VersionedChanges(liveBody, result, opts.apiVersion, { changed: new FieldSet(), removed }, opts.convert);
    for (const [k, e] of managers) if (k !== key) e.set = e.set.difference(pruned.in(e.apiVersion).removed);
  }
  if (opts.manager === KUBECTL_MANAGER) result = syncLastApplied(result, applied);
  if (!live || !deepEqual(liveBody, result) || !entry.time) entry.time = iso(opts.now);
  return finish(result, managers);
}

/**
 * The entries an ordinary write starts from (apimachinery's decodeLiveOrNew): a subresource write's
 * are the live object's; otherwise `[]` or `[{}]` reset them, entries sent by the client replace
 * them, and absent, empty or undecodable ones (a client unaware of managedFields) keep the live ones.
 */
function updateManagers(old: JsonObject | undefined, updated: JsonObject, subresource: string | undefined): Managers {
  const sent = isObject(updated.metadata) ? updated.metadata.managedFields : undefined;
  const stored = old && isObject(old.metadata) ? old.metadata.managedFields : undefined;
  const live = () => decodeManagedFields(stored, true) ?? new Map();
  if (subresource) return live();
  if (isResetRequest(sent)) return new Map();
  // A client that sends back what it read (a controller's GET then PUT) sent the stored entries.
  if (!Array.isArray(sent) || deepEqual(sent, stored)) return live();
  const decoded = decodeManagedFields(sent);
  return decoded && decoded.size > 0 ? decoded : live();
}

/**
 * An apply to an existing object without managedFields first gives every field it has to an
 * Update entry of `before-first-apply` (skipNonAppliedManager), so the apply conflicts on the
 * values it would change instead of silently taking them over.
 */
function recordBeforeFirstApply(managers: Managers, liveBody: JsonObject, cur: SchemaCursor, opts: ApplyOptions): void {
  const set = ownable(compare({}, liveBody, cur).changed, opts.ignoredFields);
  if (set.isEmpty()) return;
  const e: ManagerEntry = {
    manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource, time: iso(opts.now), set,
  };
  managers.set(managerKey(e), e);
}

/**
 * Record ownership for an ordinary create, update or patch (operation Update): every field the
 * write added or changed moves to `manager`'s Update entry (per manager, apiVersion and
 * subresource), fields it removed leave every entry. Call with the object as it will be stored
 * (after defaulting), so defaulted fields on create belong to the creator as upstream.
 * managedFields sent in `updated` replace the stored ones (a client may edit them; `[]` or `[{}]`
 * resets them), except on subresources or when absent/empty, where `old`'s are kept. Past 10 Update
 * entries the oldest merge into `ancient-changes` (per apiVersion), as upstream.
 */
export function trackUpdate(old: JsonObject | undefined, updated: JsonObject, opts: UpdateOptions): FieldManagerResult {
  const cur = SchemaCursor.root(opts.fieldInfo);
  const managers = updateManagers(old, updated, opts.subresource);
  // An existing object nobody's fields are tracked on (reset, or never owned anything) stays
  // untracked through ordinary writes until an apply (skipNonAppliedManager); creates are tracked.
  if (old && managers.size === 0) return finish(withoutManagedFields(updated), managers);

  const before = withoutManagedFields(old);
  const after = withoutManagedFields(updated);
  const cmp = compare(before, after, cur);
  const changed = ownable(cmp.changed, opts.ignoredFields);
  const removed = ownable(cmp.removed, opts.ignoredFields);
  const key = changed.isEmpty() ? undefined : managerKey({ manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
  const views = new VersionedChanges(before, after, opts.apiVersion, { changed, removed }, opts.convert);
  for (const [k, e] of managers) {
    // The writer's own entry ends up with `changed` anyway: (set - changed - removed) + changed.
    if (k === key) e.set = e.set.difference(removed);
    else {
      const v = views.in(e.apiVersion);
      e.set = e.set.difference(v.changed).difference(v.removed);
    }
  }

  if (key !== undefined) {
    const prev = managers.get(key);
    managers.set(key, {
      manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource,
      time: iso(opts.now), set: prev ? prev.set.union(changed) : changed,
    });
  }
  return finish(after, capUpdateManagers(managers));
}
