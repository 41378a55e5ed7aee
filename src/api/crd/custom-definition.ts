/**
 * One served version of a CustomResourceDefinition as a ResourceDefinition: the same contract the
 * built-in kinds fill (src/api/resource.ts), so the generic storage, HTTP layer, discovery, OpenAPI,
 * Table output, patching and server-side apply serve custom objects with no special case. Versions
 * share one store prefix (`/registry/<group>/<plural>/`); with conversion `None` an object read
 * through another version differs only in apiVersion, which decoding sets from the definition.
 */
import { ALL_VERBS } from '../kinds/define.js';
import type { CrdVersion, CustomResourceDefinition } from '../kinds/apiextensions/custom-resource-definition.js';
import { nameIsDNSSubdomain } from '../kinds/meta/names.js';
import { objectMetaSchema } from '../kinds/meta/object-meta.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../kinds/meta/validation.js';
import type { KubeObject } from '../meta.js';
import type { FieldInfo, ResourceDefinition, SubresourceName, TableColumn } from '../resource.js';
import { componentsOf } from '../schema/openapi.js';
import { fieldInfo, unknownFields } from '../schema/walk.js';
import type { FieldError } from '../status.js';
import { age } from '../table/age.js';
import { ageColumn, nameColumn } from '../table/columns.js';
import { compileRules, evaluateRules } from './cel-rules.js';
import { evalJsonPath, parseJsonPath } from './jsonpath.js';
import { applySchemaDefaults, schemaHasDefaults, toNode } from './schema-node.js';
import { validateValue, type JSONSchemaProps } from './structural.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ROOT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Upstream's OpenAPI definition name: the group reversed, then version and kind (`io.cert-manager.v1.Certificate`). */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The error types after which the strategy's hasBlockingErr does not run CEL rules (they assume a well-formed object). */
const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

/** hasBlockingErr: the fieldless error upstream adds in place of the CEL rules' results, when one of `errs` blocks them. */
function blockingError(errs: FieldError[]): FieldError[] | undefined {
  if (!errs.some((e) => BLOCKING.has(e.type))) return undefined;
  // field.Invalid(nil, nil, ...): a nil path prints as <nil>, a nil value as "null" (1.32's ErrorBody)
  return [{ type: 'FieldValueInvalid', field: '<nil>', detail: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' }];
}

/** The resource a CRD's `version` serves; `names` are the accepted names (status.acceptedNames). */
export function customDefinition(crd: CustomResourceDefinition, v: CrdVersion): ResourceDefinition {
  const spec = crd.spec;
  const names = { ...spec.names, ...(crd.status?.acceptedNames ?? {}) };
  const schema: JSONSchemaProps = v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const node = toNode(schema, true);
  const rules = compileRules(schema, '').tree;
  const namespaced = spec.scope === 'Namespaced';
  const subs: SubresourceName[] = [];
  if (v.subresources?.status) subs.push('status');
  const scale = v.subresources?.scale;
  if (scale) subs.push('scale');
  const strip = (p: string): string => p.replace(/^\./, '');
  const columns = printerColumns(v);
  const selectable = (v.selectableFields ?? []).map((f) => ({ name: strip(f.jsonPath), path: parseJsonPath(f.jsonPath) }));
  const memo = new Map<string, FieldInfo | undefined>();
  let openapi: ResourceDefinition['openapi'] | undefined;

  const validate = (obj: KubeObject, old?: KubeObject): FieldError[] => {
    const errs = validateObjectMeta(obj.metadata, namespaced, nameIsDNSSubdomain);
    if (old) errs.push(...validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}));
    const structural: FieldError[] = [];
    for (const [k, value] of Object.entries(obj)) {
      if (ROOT_FIELDS.has(k)) continue;
      const p = schema.properties?.[k];
      if (p) validateValue(p, value, k, structural);
    }
    for (const r of schema.required ?? []) if (!ROOT_FIELDS.has(r) && (obj as Record<string, unknown>)[r] === undefined) structural.push({ type: 'FieldValueRequired', field: r, detail: 'Required value' });
    errs.push(...structural);
    if (rules) errs.push(...(blockingError(errs) ?? evaluateRules(rules, obj, old, !!old)));
    return errs;
  };

  return {
    group: spec.group, version: v.name, kind: names.kind, listKind: names.listKind ?? `${names.kind}List`,
    plural: names.plural, singular: names.singular ?? names.kind.toLowerCase(), namespaced,
    shortNames: names.shortNames ?? [], categories: names.categories ?? [],
    verbs: ALL_VERBS, subresources: subs,
    ...(scale ? { scale: { specReplicasPath: strip(scale.specReplicasPath), statusReplicasPath: strip(scale.statusReplicasPath), selectorPath: strip(scale.labelSelectorPath ?? '') } } : {}),
    applyDefaults: (obj) => applySchemaDefaults(schema, obj),
    noStrategicMergePatch: true,
    ...(schemaHasDefaults(schema) ? { defaultOnRead: (obj: KubeObject) => applySchemaDefaults(schema, obj) } : {}),
    validate,
    unknownFields: (obj, holders) => unknownFields(node, obj, '', holders),
    fieldInfo(path) {
      const key = path.join('\u0001');
      if (!memo.has(key)) {
        if (memo.size > 4096) memo.clear();
        memo.set(key, fieldInfo(node, path));
      }
      return memo.get(key);
    },
    hasStatusSubresource: !!v.subresources?.status,
    tracksGeneration: true,
    selectableFields(obj) {
      const out: Record<string, string> = {};
      for (const f of selectable) {
        const got = evalJsonPath(f.path, obj)[0];
        out[f.name] = got === undefined || got === null ? '' : String(got);
      }
      return out;
    },
    tableColumns: [nameColumn, ...columns.map((c) => c.column)],
    tableRow: (obj, now) => [obj.metadata?.name ?? '', ...columns.map((c) => c.cell(obj, now))],
    get openapi() {
      openapi ??= publishedSchema(spec.group, v.name, names.kind, schema);
      return openapi;
    },
  };
}

interface PrinterColumn {
  column: TableColumn;
  cell(obj: KubeObject, now: Date): unknown;
}

/** additionalPrinterColumns, or upstream's default single Age column; date cells are printed as ages. */
function printerColumns(v: CrdVersion): PrinterColumn[] {
  const cols = v.additionalPrinterColumns;
  // serveDefaultColumnsIfEmpty: Age is a date column of the creation timestamp
  if (!cols) return [{ column: { ...ageColumn, type: 'date' }, cell: (obj, now) => age(obj.metadata?.creationTimestamp, now) }];
  return cols.map((c) => {
    const path = parseJsonPath(c.jsonPath);
    // as tableconvertor.New: the column's own type (date included), and a description naming the path when it has none
    const description = c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`;
    const column: TableColumn = { name: c.name, type: c.type as TableColumn['type'], description, priority: c.priority ?? 0, ...(c.format ? { format: c.format } : {}) };
    return {
      column,
      cell(obj: KubeObject, now: Date): unknown {
        const got = evalJsonPath(path, obj)[0];
        if (got === undefined || got === null) return null;
        if (c.type === 'date') return typeof got === 'string' ? age(got, now) : null;
        if (c.type === 'string') return typeof got === 'object' ? JSON.stringify(got) : String(got);
        return got;
      },
    };
  });
}

/** The schema as upstream publishes a CRD version to OpenAPI: apiVersion, kind and ObjectMeta filled in, tagged with its GVK. */
function publishedSchema(group: string, version: string, kind: string, schema: JSONSchemaProps): ResourceDefinition['openapi'] {
  const definition = definitionName(group, version, kind);
  const meta = componentsOf(objectMetaSchema);
  const properties = {
    ...(schema.properties ?? {}),
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    metadata: { allOf: [{ $ref: `#/components/schemas/${META}.ObjectMeta` }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  };
  return {
    definition,
    schemas: { ...meta.schemas, [definition]: { ...schema, type: 'object', properties, 'x-kubernetes-group-version-kind': [{ group, version, kind }] } },
  };
}
