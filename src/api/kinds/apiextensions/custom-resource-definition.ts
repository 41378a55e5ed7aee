/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition: schema, defaults (SetDefaults_CustomResourceDefinition:
 * singular, listKind, conversion strategy None), validation (ValidateCustomResourceDefinition, the parts a
 * user meets: name is `<plural>.<group>`, one storage version, versions served, structural schema) and
 * printer columns. A version's `schema.openAPIV3Schema` (JSONSchemaProps) is recursive: it is kept as a
 * loose object here and checked by src/api/crd/structural.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { AGE_DESCRIPTION, nameColumn } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { checkStructural, type JSONSchemaProps } from '../../crd/structural.js';
import { validateStructural } from '../../crd/structural-invariants.js';
import { validateDefaults } from '../../crd/default-validation.js';
import { compileRules } from '../../crd/cel-rules.js';
import { webhookConversionSchema } from './crd-conversion-schema.js';
import { defaultConversion, validateConversion, type CrdConversion } from './crd-conversion-validation.js';

const API = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

const names = s.object({
  plural: s.string('plural is the plural name of the resource to serve. The custom resources are served under `/apis/<group>/<version>/.../<plural>`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`). Must be all lowercase.'),
  singular: s.string('singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.'),
  shortNames: s.strings('shortNames are short names for the resource, exposed in API discovery documents, and used by clients to support invocations like `kubectl get <shortname>`. It must be all lowercase.'),
  kind: s.string('kind is the serialized kind of the resource. It is normally CamelCase and singular. Custom resource instances will use this value as the `kind` attribute in API calls.'),
  listKind: s.string('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
  categories: s.strings('categories is a list of grouped resources this custom resource belongs to (e.g. \'all\'). This is published in API discovery documents, and used by clients to support invocations like `kubectl get all`.'),
}, { name: `${API}.CustomResourceDefinitionNames`, required: ['plural', 'kind'], description: 'CustomResourceDefinitionNames indicates the names to serve this CustomResourceDefinition' });

const column = s.object({
  name: s.string('name is a human readable name for the column.'),
  type: s.string('type is an OpenAPI type definition for this column. See https://github.com/OAI/OpenAPI-Specification/blob/master/versions/2.0.md#data-types for details.'),
  format: s.string("format is an optional OpenAPI type definition for this column. The 'name' format is applied to the primary identifier column to assist in clients identifying column is the resource name."),
  description: s.string('description is a human readable description of this column.'),
  priority: s.int('priority is an integer defining the relative importance of this column compared to others. Lower numbers are considered higher priority. Columns that may be omitted in limited space scenarios should be given a priority greater than 0.'),
  jsonPath: s.string('jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.'),
}, { name: `${API}.CustomResourceColumnDefinition`, required: ['name', 'type', 'jsonPath'], description: 'CustomResourceColumnDefinition specifies a column for server side printing.' });

const version = s.object({
  name: s.string('name is the version name, e.g. “v1”, “v2beta1”, etc. The custom resources are served under this version at `/apis/<group>/<version>/...` if `served` is true.'),
  served: s.bool('served is a flag enabling/disabling this version from being served via REST APIs'),
  storage: s.bool('storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.'),
  deprecated: s.bool('deprecated indicates this version of the custom resource API is deprecated. When set to true, API requests to this version receive a warning header in the server response. Defaults to false.'),
  deprecationWarning: s.string('deprecationWarning overrides the default warning returned to API clients. May only be set when `deprecated` is true. The default warning indicates this version is deprecated and recommends use of the newest served version of equal or greater stability, if one exists.'),
  schema: s.object({
    openAPIV3Schema: s.loose({}, 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.'),
  }, { name: `${API}.CustomResourceValidation`, description: 'CustomResourceValidation is a list of validation methods for CustomResources.' }),
  subresources: s.object({
    status: s.loose({}, { description: 'CustomResourceSubresourceStatus defines how to serve the status subresource for CustomResources. Status is represented by the `.status` JSON path inside of a CustomResource. When set, * exposes a /status subresource for the custom resource * PUT requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza * PUT/POST/PATCH requests to the custom resource ignore changes to the status stanza' }),
    scale: s.object({
      specReplicasPath: s.string('specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.spec`.'),
      statusReplicasPath: s.string('statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status`.'),
      labelSelectorPath: s.string('labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`. Only JSON paths without the array notation are allowed. Must be a JSON Path under `.status` or `.spec`.'),
    }, { name: `${API}.CustomResourceSubresourceScale`, required: ['specReplicasPath', 'statusReplicasPath'], description: 'CustomResourceSubresourceScale defines how to serve the scale subresource for CustomResources.' }),
  }, { name: `${API}.CustomResourceSubresources`, description: 'CustomResourceSubresources defines the status and scale subresources for CustomResources.' }),
  additionalPrinterColumns: s.array(column, { listType: 'atomic', description: 'additionalPrinterColumns specifies additional columns returned in Table output. If no columns are specified, a single column displaying the age of the custom resource is used.' }),
  selectableFields: s.array(s.object({ jsonPath: s.string('jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value.') }, { name: `${API}.SelectableField`, required: ['jsonPath'], description: 'SelectableField specifies the JSON path of a field that may be used with field selectors.' }), { listType: 'atomic', description: 'selectableFields specifies paths to fields that may be used as field selectors.' }),
}, { name: `${API}.CustomResourceDefinitionVersion`, required: ['name', 'served', 'storage'], description: 'CustomResourceDefinitionVersion describes a version for CRD.' });

const condition = s.object({
  type: s.string('type is the type of the condition. Types include Established, NamesAccepted and Terminating.'),
  status: s.string('status is the status of the condition. Can be True, False, Unknown.'),
  lastTransitionTime: s.time('lastTransitionTime last time the condition transitioned from one status to another.'),
  reason: s.string("reason is a unique, one-word, CamelCase reason for the condition's last transition."),
  message: s.string('message is a human-readable message indicating details about last transition.'),
}, { name: `${API}.CustomResourceDefinitionCondition`, required: ['type', 'status'], description: 'CustomResourceDefinitionCondition contains details for the current condition of this pod.' });

export const customResourceDefinitionSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    group: s.string('group is the API group of the defined custom resource. The custom resources are served under `/apis/<group>/...`. Must match the name of the CustomResourceDefinition (in the form `<names.plural>.<group>`).'),
    names,
    scope: s.string('scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.'),
    versions: s.array(version, { listType: 'atomic', description: 'versions is the list of all API versions of the defined custom resource. Version names are used to compute the order in which served versions are listed in API discovery.' }),
    conversion: s.object({ webhook: { ...webhookConversionSchema, description: 'webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.' }, strategy: s.string('strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `"Webhook"`: API Server will call to an external webhook to do the conversion.') }, { name: `${API}.CustomResourceConversion`, required: ['strategy'], description: 'CustomResourceConversion describes how to convert different versions of a CR.' }),
    preserveUnknownFields: s.bool('preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage. apiVersion, kind, metadata and known fields inside metadata are always preserved. This field is deprecated in favor of setting `x-preserve-unknown-fields` to true in `spec.versions[*].schema.openAPIV3Schema`.'),
  }, { name: `${API}.CustomResourceDefinitionSpec`, required: ['group', 'names', 'scope', 'versions'], description: 'CustomResourceDefinitionSpec describes how a user wants their resource to appear' }),
  status: s.object({
    conditions: s.array(condition, { listType: 'map', listMapKeys: ['type'], description: 'conditions indicate state for particular aspects of a CustomResourceDefinition' }),
    acceptedNames: { ...names, description: 'acceptedNames are the names that are actually being used to serve discovery. They may be different than the names in spec.' },
    storedVersions: s.strings('storedVersions lists all versions of CustomResources that were ever persisted. Tracking these versions allows a migration path for stored versions in etcd. The field is mutable so a migration controller can finish a migration to another version (ensuring no old objects are left in storage), and then remove the rest of the versions from this list. Versions may not be removed from `spec.versions` while they exist in this list.'),
  }, { name: `${API}.CustomResourceDefinitionStatus`, description: 'CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition' }),
}, { name: `${API}.CustomResourceDefinition`, required: ['spec'], gvk: gvk('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'), description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.' });

export type CustomResourceDefinition = Infer<typeof customResourceDefinitionSchema> & { metadata: ObjectMeta };
export type CrdVersion = CustomResourceDefinition['spec']['versions'][number] & { schema?: { openAPIV3Schema?: JSONSchemaProps } };

/** SetDefaults_CustomResourceDefinition and friends. */
function defaultCrd(crd: CustomResourceDefinition): void {
  const n = crd.spec?.names;
  if (n?.kind) {
    n.singular ??= n.kind.toLowerCase();
    n.listKind ??= `${n.kind}List`;
  }
  crd.spec.conversion ??= { strategy: 'None' };
  defaultConversion(crd.spec.conversion as CrdConversion);
  for (const v of crd.spec.versions ?? []) {
    for (const c of v.additionalPrinterColumns ?? []) c.priority ??= 0;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The checks of ValidateCustomResourceDefinition a user is likely to meet (apiextensions/validation/validation.go). */
function validateCrd(crd: CustomResourceDefinition, old?: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec;
  const expected = `${spec.names.plural}.${spec.group}`;
  if (crd.metadata.name !== expected) errs.push(fe.invalid('metadata.name', crd.metadata.name, `must be spec.names.plural+"."+spec.group`));
  if (!spec.group.includes('.')) errs.push(fe.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(fe.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  for (const [field, v] of [['plural', spec.names.plural], ['singular', spec.names.singular]] as const) {
    if (v !== undefined && !DNS_LABEL.test(v)) errs.push(fe.invalid(`spec.names.${field}`, v, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  }
  if (spec.versions.length === 0) errs.push(fe.required('spec.versions', 'must have exactly one version marked as storage version'));
  const storage = spec.versions.filter((v) => v.storage).length;
  if (spec.versions.length > 0 && storage !== 1) errs.push(fe.invalid('spec.versions', spec.versions, 'must have exactly one version marked as storage version'));
  if (!spec.versions.some((v) => v.served)) errs.push(fe.invalid('spec.versions', spec.versions, 'must have at least one version marked as served'));
  const strategy = (spec.conversion as { strategy?: string } | undefined)?.strategy;
  if (strategy !== 'None' && strategy !== 'Webhook') errs.push(fe.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  errs.push(...validateConversion(spec.conversion as CrdConversion | undefined));
  if (spec.preserveUnknownFields) errs.push(fe.invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  spec.versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    const schema = (v as CrdVersion).schema?.openAPIV3Schema;
    if (!schema) {
      errs.push(fe.required(`${at}.schema.openAPIV3Schema`, 'schemas are required'));
      return;
    }
    // an update that leaves a version's schema as stored is not held to schema rules the stored CRD
    // may predate (upstream's ratcheting options, versionsWithUnchangedSchemas); status writes included
    const stored = old?.spec.versions.find((o) => o.name === v.name) as CrdVersion | undefined;
    if (stored && isDeepStrictEqual(stored.schema?.openAPIV3Schema, schema)) return;
    const path = `${at}.schema.openAPIV3Schema`;
    const isObject = typeof schema === 'object' && schema !== null;
    const structural = isObject ? validateStructural(schema, path) : [];
    // as requirestructuralSchema: defaults are checked in a structural schema, CEL rules compiled (and costed) when those pass too
    const defaults = isObject && structural.length === 0 ? validateDefaults(schema, path) : [];
    errs.push(...defaults, ...checkStructural(schema, path));
    if (structural.length === 0 && defaults.length === 0) errs.push(...compileRules(schema, path).errors);
  });
  return errs;
}

const APPROVAL = 'api-approved.kubernetes.io';

/** Groups under k8s.io and kubernetes.io are upstream's own: a CRD there needs the approval annotation. */
function protectedGroupErrors(crd: CustomResourceDefinition): FieldError[] {
  const g = crd.spec.group;
  const isProtected = g === 'k8s.io' || g.endsWith('.k8s.io') || g === 'kubernetes.io' || g.endsWith('.kubernetes.io');
  if (!isProtected || crd.metadata.annotations?.[APPROVAL]) return [];
  return [fe.required(`metadata.annotations[${APPROVAL}]`, `protected groups must have approval annotation "${APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111`)];
}

/** ValidateCustomResourceDefinitionUpdate: a version still in status.storedVersions may not leave spec.versions. */
function validateCrdUpdate(crd: CustomResourceDefinition): FieldError[] {
  const names = new Set(crd.spec.versions.map((v) => v.name));
  return (crd.status?.storedVersions ?? []).flatMap((v, i) => (names.has(v) ? [] : [fe.invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions')]));
}

export const customResourceDefinitions = defineKind<CustomResourceDefinition>({
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false,
  shortNames: ['crd', 'crds'], categories: ['api-extensions'],
  subresources: ['status'], hasStatusSubresource: true,
  schema: customResourceDefinitionSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultCrd,
  validate: (crd, old) => [...validateCrd(crd, old), ...protectedGroupErrors(crd)],
  validateUpdate: validateCrdUpdate,
  // Upstream serves CRDs with the default table convertor: NAME and CREATED AT.
  table: {
    columns: [nameColumn, { name: 'Created At', type: 'date', description: AGE_DESCRIPTION, priority: 0 }],
    row: (crd) => [crd.metadata.name ?? '', crd.metadata.creationTimestamp ?? ''],
  },
});

/** Whether the CRD's condition `type` is True (Established, NamesAccepted, Terminating). */
export function crdCondition(crd: CustomResourceDefinition, type: string): boolean {
  return crd.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}
