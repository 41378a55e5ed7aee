/**
 * The OpenAPI documents: /openapi/v3 (an index of group versions), /openapi/v3/<api|apis/g/v> (paths and
 * component schemas from the registry, enough for `kubectl explain` and apply's validation check) and
 * /openapi/v2 (the same schemas as one Swagger 2.0 document, in JSON or gnostic protobuf). Built once
 * per catalog and cached.
 */
import { createHash } from 'node:crypto';
import type { ApiCatalog, CatalogEntry } from '../discovery/catalog.js';
import { resourcePaths, ref } from './paths.js';
import { encodeOpenApiV2 } from './v2-protobuf.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const INFO = { title: 'Kubernetes', version: 'v1.32.0' };

/** Schemas every document may point at; the registry's own definitions win when they exist. */
function baseSchemas(): Record<string, unknown> {
  const obj = (description: string, properties: Record<string, unknown> = {}): object => ({ type: 'object', description, properties });
  return {
    [`${META}.Patch`]: obj('Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.'),
    [`${META}.ListMeta`]: obj('ListMeta describes metadata that synthetic resources must have.', {
      resourceVersion: { type: 'string' }, continue: { type: 'string' }, remainingItemCount: { type: 'integer', format: 'int64' },
    }),
    [`${META}.Status`]: obj('Status is a return value for calls that do not return other objects.', {
      apiVersion: { type: 'string' }, kind: { type: 'string' }, code: { type: 'integer', format: 'int32' }, message: { type: 'string' },
      reason: { type: 'string' }, status: { type: 'string' }, metadata: ref(`${META}.ListMeta`),
    }),
    [`${META}.DeleteOptions`]: obj('DeleteOptions may be provided when deleting an API object.', {
      apiVersion: { type: 'string' }, kind: { type: 'string' }, dryRun: { type: 'array', items: { type: 'string' } },
      gracePeriodSeconds: { type: 'integer', format: 'int64' }, propagationPolicy: { type: 'string' },
    }),
    'io.k8s.api.autoscaling.v1.Scale': {
      type: 'object', description: 'Scale represents a scaling request for a resource.',
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: ref(`${META}.ObjectMeta`),
        spec: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' } } },
        status: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' }, selector: { type: 'string' } } },
      },
      'x-kubernetes-group-version-kind': [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }],
    },
  };
}

/** Rewrites Swagger 2 refs (`#/definitions/X`) to OpenAPI 3 refs, or back. */
function rewriteRefs(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, from, to));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(from) ? to + v.slice(from.length) : rewriteRefs(v, from, to);
    return out;
  }
  return value;
}

/** Schemas for one resource: the registry's, its kind tagged with its GVK, and a List schema. */
function entrySchemas(e: CatalogEntry): Record<string, unknown> {
  const d = e.def;
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(d.openapi.schemas)) out[name] = rewriteRefs(s, '#/definitions/', '#/components/schemas/');
  const gvk = (kind: string): object[] => [{ group: d.group, version: d.version, kind }];
  const main = (out[d.openapi.definition] ?? { type: 'object', properties: {} }) as Record<string, unknown>;
  out[d.openapi.definition] = { ...main, 'x-kubernetes-group-version-kind': main['x-kubernetes-group-version-kind'] ?? gvk(d.kind) };
  const listName = `${d.openapi.definition}List`;
  if (!out[listName] && d.verbs.includes('list')) {
    out[listName] = {
      type: 'object', description: `${d.listKind} is a list of ${d.kind} objects.`, required: ['items'],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, items: { type: 'array', items: ref(d.openapi.definition) }, metadata: ref(`${META}.ListMeta`) },
      'x-kubernetes-group-version-kind': gvk(d.listKind),
    };
  }
  return out;
}

/** The /openapi/v3 index: each group/version's document by its path below /openapi/v3/. */
export interface OpenApiV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** The `hash` query of a group/version document's serverRelativeURL, as kube-openapi's handler3 computes it (sha512 of the document, upper-case hex). */
export function openApiHash(doc: object): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
}

export interface OpenApiDocs {
  /** The /openapi/v3 index. */
  index: OpenApiV3Index;
  /** By path below /openapi/v3/ (`api/v1`, `apis/apps/v1`). */
  groupVersion: Map<string, object>;
  v2: object;
  /** `v2` as gnostic's openapi_v2.Document in protobuf (encoded on first use). */
  readonly v2Protobuf: Buffer;
}

/**
 * Swagger 2.0 writes a reference with its siblings beside it (`{$ref, description, default}`), where
 * OpenAPI 3.0 wraps it (`{allOf: [{$ref}], description, ...}`), as upstream's two documents differ.
 */
function toSwagger2Refs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSwagger2Refs);
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = toSwagger2Refs(v);
  const all = out.allOf;
  if (Array.isArray(all) && all.length === 1 && typeof (all[0] as { $ref?: unknown }).$ref === 'string' && out.$ref === undefined) {
    delete out.allOf;
    out.$ref = (all[0] as { $ref: string }).$ref;
  }
  return out;
}

/** Builds every document for the catalog. */
export function buildOpenApi(catalog: ApiCatalog, extraSchemas: Record<string, unknown> = {}): OpenApiDocs {
  const base = (): Record<string, unknown> => ({ ...baseSchemas(), ...rewriteRefs(extraSchemas, '#/definitions/', '#/components/schemas/') as Record<string, unknown> });
  const groupVersion = new Map<string, object>();
  const allSchemas: Record<string, unknown> = base();
  const allPaths: Record<string, object> = {};
  const indexPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of catalog.groupVersions()) {
    const schemas: Record<string, unknown> = base();
    const paths: Record<string, object> = {};
    for (const e of catalog.entriesOf(gv)) {
      Object.assign(schemas, entrySchemas(e));
      Object.assign(paths, resourcePaths(e.def, e.def.openapi.definition));
    }
    const key = gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
    const doc = { openapi: '3.0.0', info: INFO, paths, components: { schemas } };
    groupVersion.set(key, doc);
    indexPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${openApiHash(doc)}` };
    Object.assign(allSchemas, schemas);
    Object.assign(allPaths, paths);
  }
  // No paths in v2: kubectl reads v2 paths only to see whether a kind's PATCH takes fieldValidation,
  // and when a kind is missing there it looks for CRDs (apiextensions, which Bosun does not serve)
  // if Namespace's PATCH does; with no paths it validates client-side from these definitions.
  const v2 = toSwagger2Refs(rewriteRefs({ swagger: '2.0', info: INFO, paths: {}, definitions: allSchemas }, '#/components/schemas/', '#/definitions/')) as object;
  let v2Protobuf: Buffer | undefined;
  return {
    index: { paths: indexPaths }, groupVersion, v2,
    get v2Protobuf() {
      v2Protobuf ??= encodeOpenApiV2(v2);
      return v2Protobuf;
    },
  };
}
