/**
 * Turns one kind's schema plus its few kind-specific hooks into the ResourceDefinition the server
 * serves. Structural work (defaults, types, enums, required, unknown fields, field facts, OpenAPI)
 * comes from the schema; hooks add what the schema cannot express (cross-field rules, immutability).
 */
import type { KubeObject } from '../meta.js';
import type { FieldInfo, ResourceDefinition, ScaleInfo, StorageVersionConversion, SubresourceName, TableColumn, Verb } from '../resource.js';
import { componentsOf } from '../schema/openapi.js';
import type { ObjectNode } from '../schema/types.js';
import { applyDefaults, fieldInfo, unknownFields, validateNode, validateRootKeys } from '../schema/walk.js';
import { firstDecodeFailure } from '../schema/decode-errors.js';
import type { FieldError } from '../status.js';
import { age } from '../table/age.js';
import { ageColumn, nameColumn } from '../table/columns.js';
import type { NameValidator } from './meta/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta/validation.js';

export const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface KindSpec<T extends KubeObject> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular?: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: Verb[];
  subresources?: SubresourceName[];
  scale?: ScaleInfo;
  schema: ObjectNode<any, any>;
  /** How metadata.name is checked (DNS subdomain for most kinds). */
  nameValidator: NameValidator;
  /** Kind-level defaults after the schema's (SetDefaults_Pod's enableServiceLinks...). */
  defaults?(obj: T): void;
  /** Kind-level checks on create and update, after structural validation passed. */
  /** `old` is the stored object on an update. */
  validate?(obj: T, old?: T): FieldError[];
  /** Extra checks on update only (immutable fields). */
  validateUpdate?(obj: T, old: T): FieldError[];
  hasStatusSubresource?: boolean;
  tracksGeneration?: boolean;
  selectableFields?(obj: T): Record<string, string>;
  /** Columns between NAME and AGE (NAME first and AGE placed by `ageAt`). */
  columns?: TableColumn[];
  /** Cells for `columns`, in order. */
  cells?(obj: T, now: Date): unknown[];
  /** Index in `columns` where AGE goes; default after all priority-0 columns. */
  ageAt?: number;
  protobufMessage?: string;
  /** Served from another version's storage (see ResourceDefinition.storageVersion). */
  storageVersion?: StorageVersionConversion;
  /** A table that does not follow NAME ... AGE (events): all columns and cells given. */
  table?: { columns: TableColumn[]; row(obj: T, now: Date): unknown[] };
}

/** Top-level fields a /status write may change (the others are carried from the stored object). */
const STATUS_WRITE_KEYS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata', 'status']);

export function defineKind<T extends KubeObject>(spec: KindSpec<T>): ResourceDefinition<T> {
  const schema = spec.schema;
  const extra = spec.columns ?? [];
  const ageAt = spec.ageAt ?? extra.filter((c) => c.priority === 0).length;
  const tableColumns = spec.table?.columns ?? [nameColumn, ...extra.slice(0, ageAt), ageColumn, ...extra.slice(ageAt)];
  let openapi: ResourceDefinition['openapi'] | undefined;

  const validate = (obj: T, old?: T, subresource?: 'status'): FieldError[] => {
    const structural = subresource === 'status' ? validateRootKeys(schema, obj, STATUS_WRITE_KEYS) : validateNode(schema, obj, '');
    // Metadata of the wrong shape (finalizers not a list, a label value not a string) is reported
    // by the structural check; the metadata rules assume the shape, so they run only when it holds.
    const metaShapeOk = !structural.some((e) => e.field === 'metadata' || e.field.startsWith('metadata.') || e.field.startsWith('metadata['));
    const errs = metaShapeOk ? validateObjectMeta(obj.metadata, spec.namespaced, spec.nameValidator) : [];
    errs.push(...structural);
    if (old) errs.push(...validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}));
    if (structural.length === 0) {
      if (spec.validate) errs.push(...spec.validate(obj, old));
      if (old && spec.validateUpdate) errs.push(...spec.validateUpdate(obj, old));
    }
    return dedupe(errs);
  };

  return {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.singular ?? spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? ALL_VERBS,
    subresources: spec.subresources ?? [],
    ...(spec.scale ? { scale: spec.scale } : {}),
    applyDefaults(obj: T, subresource?: 'status'): void {
      applyDefaults(schema, obj, subresource === 'status' ? STATUS_WRITE_KEYS : undefined);
      try {
        spec.defaults?.(obj);
      } catch (err) {
        // Kind defaulters assume the schema's shape: a body of another shape (`spec: 5`) is left to
        // validation, which names the field (422), instead of failing here as a 500.
        if (validateNode(schema, obj, '').length === 0) throw err;
      }
    },
    validate,
    unknownFields: (obj: unknown, holders?: [Record<string, unknown>, string][]) => unknownFields(schema, obj, '', holders),
    decodeFailure: (obj: unknown) => firstDecodeFailure(schema, obj),
    fieldInfo: memoFieldInfo(schema),
    hasStatusSubresource: spec.hasStatusSubresource ?? false,
    tracksGeneration: spec.tracksGeneration ?? false,
    selectableFields: (obj: T) => spec.selectableFields?.(obj) ?? {},
    tableColumns,
    tableRow(obj: T, now: Date): unknown[] {
      if (spec.table) return spec.table.row(obj, now);
      const cells = spec.cells?.(obj, now) ?? [];
      return [obj.metadata?.name ?? '', ...cells.slice(0, ageAt), age(obj.metadata?.creationTimestamp, now), ...cells.slice(ageAt)];
    },
    get openapi() {
      openapi ??= componentsOf(schema);
      return openapi;
    },
    ...(spec.protobufMessage ? { protobufMessage: spec.protobufMessage } : {}),
    ...(spec.storageVersion ? { storageVersion: spec.storageVersion } : {}),
  };
}

/**
 * Field facts by path, remembered: patching and managed-fields tracking ask for every node of every
 * object written. Paths through maps (labels, annotations) carry user keys, so the memo is bounded
 * and simply starts over when full. Callers must treat the answers as read-only.
 */
const FIELD_INFO_MEMO_MAX = 4096;
function memoFieldInfo(schema: ObjectNode<any, any>): (path: string[]) => FieldInfo | undefined {
  const memo = new Map<string, FieldInfo | undefined>();
  return (path) => {
    const key = path.join('\u0001');
    if (memo.has(key)) return memo.get(key);
    const info = fieldInfo(schema, path);
    if (info) Object.freeze(info);
    if (memo.size >= FIELD_INFO_MEMO_MAX) memo.clear();
    memo.set(key, info);
    return info;
  };
}

/** Hooks may re-report what structural checks found; keep the first of identical errors. */
function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.type}\0${e.field}\0${e.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A top-level kind's gvk list for x-kubernetes-group-version-kind. */
export function gvk(group: string, version: string, kind: string) {
  return [{ group, version, kind }] as const;
}
