/**
 * OpenAPI path items for each served resource. What matters to clients: every PATCH operation carries
 * `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter, which is how kubectl
 * (QueryParamVerifierV3) decides to leave field validation to the server.
 */
import type { ResourceDefinition, Verb } from '../../api/resource.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

type Param = Record<string, unknown>;

const q = (name: string, description: string, type = 'string'): Param => ({ name, in: 'query', description, schema: { type }, uniqueItems: true });
const pathParam = (name: string, description: string): Param => ({ name, in: 'path', description, required: true, schema: { type: 'string' }, uniqueItems: true });

const params = {
  dryRun: q('dryRun', 'When present, indicates that modifications should not be persisted. Valid value: All'),
  fieldManager: q('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  fieldValidation: q('fieldValidation', 'How the server handles unknown or duplicate fields: Ignore, Warn (default) or Strict.'),
  force: q('force', 'Force is going to "force" Apply requests.', 'boolean'),
  pretty: q('pretty', "If 'true', then the output is pretty printed."),
  labelSelector: q('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: q('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  limit: q('limit', 'Maximum number of responses to return for a list call.', 'integer'),
  continue: q('continue', 'The continue option should be set when retrieving more results from the server.'),
  resourceVersion: q('resourceVersion', 'Constrains which resource versions the request may be served from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'How resourceVersion is applied to list calls.'),
  timeoutSeconds: q('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: q('watch', 'Watch for changes to the described resources.', 'boolean'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'Requests watch events with type "BOOKMARK".', 'boolean'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  propagationPolicy: q('propagationPolicy', 'Whether and how garbage collection will be performed.'),
};

const listParams = [params.labelSelector, params.fieldSelector, params.limit, params.continue, params.resourceVersion, params.resourceVersionMatch, params.timeoutSeconds, params.watch, params.allowWatchBookmarks];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];

function body(schemaName: string, types = ['*/*']): object {
  return { content: Object.fromEntries(types.map((t) => [t, { schema: ref(schemaName) }])), required: true };
}

function ok(schemaName: string, code = '200'): object {
  const media = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  return { [code]: { description: 'OK', content: Object.fromEntries(media.map((t) => [t, { schema: ref(schemaName) }])) }, '401': { description: 'Unauthorized' } };
}

type Gvk = { group: string; version: string; kind: string };

function op(def: ResourceDefinition, action: string, opId: string, extra: object, gvk: Gvk = def): object {
  return { description: `${opId} ${def.kind}`, operationId: opId, tags: [def.group || 'core'], 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': { group: gvk.group, version: gvk.version, kind: gvk.kind }, ...extra };
}

/** The path items (keyed by path) serving `def`'s verbs, plus its subresources status and scale. */
export function resourcePaths(def: ResourceDefinition, schemaName: string): Record<string, object> {
  const prefix = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  const base = def.namespaced ? `${prefix}/namespaces/{namespace}/${def.plural}` : `${prefix}/${def.plural}`;
  const scoped = def.namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')] : [];
  const named = [pathParam('name', `name of the ${def.kind}`), ...scoped];
  const K = def.kind;
  const list = `${schemaName}List`;
  const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', ...(def.noStrategicMergePatch ? [] : ['application/strategic-merge-patch+json'])];
  const out: Record<string, object> = {};
  const serves = (v: Verb): boolean => def.verbs.includes(v);
  const collection: Record<string, unknown> = {
    ...(serves('list') ? { get: op(def, 'list', `list${K}`, { parameters: listParams, responses: ok(list) }) } : {}),
    ...(serves('create') ? { post: op(def, 'post', `create${K}`, { parameters: writeParams, requestBody: body(schemaName), responses: { ...ok(schemaName), ...ok(schemaName, '201') } }) } : {}),
    ...(serves('deletecollection') ? { delete: op(def, 'deletecollection', `deleteCollection${K}`, { parameters: [...listParams, params.dryRun, params.gracePeriodSeconds, params.propagationPolicy], responses: ok(`${META}.Status`) }) } : {}),
    parameters: [...scoped, params.pretty],
  };
  out[base] = collection;
  // A create-only collection (bindings) has no item path, as upstream lists none.
  if (!serves('get')) return out;
  const item = (gvk: Gvk, schema: string, idPrefix: string): Record<string, unknown> => ({
    get: op(def, 'get', `read${idPrefix}`, { responses: ok(schema) }, gvk),
    put: op(def, 'put', `replace${idPrefix}`, { parameters: writeParams, requestBody: body(schema), responses: { ...ok(schema), ...ok(schema, '201') } }, gvk),
    patch: op(def, 'patch', `patch${idPrefix}`, {
      parameters: [...writeParams, params.force],
      requestBody: body(`${META}.Patch`, patchTypes),
      responses: { ...ok(schema), ...ok(schema, '201') },
    }, gvk),
    parameters: [...named, params.pretty],
  });
  const main = item(def, schemaName, K);
  main.delete = op(def, 'delete', `delete${K}`, { parameters: [params.dryRun, params.gracePeriodSeconds, params.propagationPolicy], requestBody: body(`${META}.DeleteOptions`), responses: ok(schemaName) });
  out[`${base}/{name}`] = main;
  if (def.subresources.includes('status')) out[`${base}/{name}/status`] = item(def, schemaName, `${K}Status`);
  if (def.subresources.includes('ephemeralcontainers')) out[`${base}/{name}/ephemeralcontainers`] = item(def, schemaName, `${K}Ephemeralcontainers`);
  if (def.subresources.includes('scale')) out[`${base}/{name}/scale`] = item({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'io.k8s.api.autoscaling.v1.Scale', `${K}Scale`);
  return out;
}
