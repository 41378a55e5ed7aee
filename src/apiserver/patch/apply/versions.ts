/**
 * What a write changed, seen from each version managers recorded their fields in
 * (structured-merge-diff's Updater.update with kube-apiserver's versionconverter): an entry's
 * FieldsV1 names paths of its own apiVersion (an autoscaling/v1 applier owns
 * `.spec.targetCPUUtilizationPercentage`, a v2 one `.spec.metrics`), so the write is compared for
 * it with both objects converted to that version, and its conflicts, and the fields it loses,
 * are paths of that version.
 */
import { clone, type FieldInfoLookup, type JsonObject } from '../json-value.js';
import { compare } from './compare.js';
import { FieldSet } from './fieldset.js';
import type { ManagerEntry, Managers } from './managed-fields.js';
import { ownable } from './ownable.js';
import { prune } from './prune.js';
import { SchemaCursor } from './schema.js';
import { toFieldSet } from './to-fieldset.js';

/** An object as another version of its kind serves it, with that version's schema facts. */
export interface VersionView {
  object: JsonObject;
  fieldInfo: FieldInfoLookup;
  /** That version's reset fields (field names): nobody owns them through this write. */
  ignoredFields?: string[][];
}

/**
 * Converts an object of the written version (or of `fromVersion`) to `apiVersion`; undefined when
 * the kind is not served in that version (or has no other version), and the entry is then
 * compared in the written version, as before versions were told apart. Must not modify its input.
 */
export type VersionConverter = (obj: JsonObject, apiVersion: string, fromVersion?: string) => VersionView | undefined;

/** Fields added or modified (with nodes that appeared), and fields removed, in one version. */
export interface Changes {
  changed: FieldSet;
  removed: FieldSet;
}

/** `before` -> `after` per version, computed once per version an entry asks for. */
export class VersionedChanges {
  private readonly byVersion = new Map<string, Changes>();

  /** `own`: the comparison in `apiVersion`, the written version, as the caller computed it. */
  constructor(
    private readonly before: JsonObject,
    private readonly after: JsonObject,
    private readonly apiVersion: string,
    own: Changes,
    private readonly convert: VersionConverter | undefined,
  ) {
    this.byVersion.set(apiVersion, own);
  }

  /** The changes as an entry recorded in `apiVersion` sees them. */
  in(apiVersion: string): Changes {
    let c = this.byVersion.get(apiVersion);
    if (c) return c;
    c = this.compareIn(apiVersion) ?? this.byVersion.get(this.apiVersion)!;
    this.byVersion.set(apiVersion, c);
    return c;
  }

  private compareIn(apiVersion: string): Changes | undefined {
    if (!this.convert) return undefined;
    const before = this.convert(this.before, apiVersion);
    const after = before && this.convert(this.after, apiVersion);
    if (!before || !after) return undefined;
    const cmp = compare(before.object, after.object, SchemaCursor.root(after.fieldInfo));
    return { changed: ownable(cmp.changed, after.ignoredFields), removed: ownable(cmp.removed, after.ignoredFields) };
  }
}


/**
 * Pruning when the applier's last set was recorded in another version than it applies now
 * (structured-merge-diff's Updater.prune): the merged object is converted to that version, the
 * fields of the last set nobody there still owns are removed, and the result converted back; of
 * what that removed, the fields an entry of the written version owns (the applier's new set
 * included) come back from the merged object (addBackOwnedItems). Undefined when either version
 * cannot be converted: the caller prunes in the written version.
 */
export function pruneInLastVersion(
  merged: JsonObject, last: ManagerEntry, managers: Managers, apiVersion: string, cursor: SchemaCursor, convert: VersionConverter,
): JsonObject | undefined {
  const there = convert(merged, last.apiVersion);
  if (!there) return undefined;
  const pruned = prune(clone(there.object), last.set, ownedIn(managers, last.apiVersion), SchemaCursor.root(there.fieldInfo));
  const back = convert(pruned, apiVersion, last.apiVersion);
  if (!back) return undefined;
  const kept = toFieldSet(back.object, cursor).union(ownedIn(managers, apiVersion));
  return prune(clone(merged), toFieldSet(merged, cursor), kept, cursor);
}

function ownedIn(managers: Managers, apiVersion: string): FieldSet {
  let owned = new FieldSet();
  for (const e of managers.values()) if (e.apiVersion === apiVersion) owned = owned.union(e.set);
  return owned;
}
