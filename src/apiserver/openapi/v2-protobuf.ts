/**
 * /openapi/v2 in protobuf: the Swagger 2.0 document as gnostic's openapi_v2.Document, what
 * kube-apiserver serves for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
 * (kube-openapi's ToProtoBinary: gnostic's ParseDocument, then proto.Marshal) and what kubectl asks
 * for when it validates a kind whose group version has no OpenAPI v3 document. Values gnostic keeps
 * as `Any` (default, example, enum items, x-* extensions) travel as YAML text, as gnostic's compiler
 * writes them and kube-openapi reads them back.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { stringify as toYaml } from 'yaml';

type Json = Record<string, unknown>;

let docType: protobuf.Type | undefined;

/** openapi.v2.Document, loaded once with the proto's own (snake_case) field names. */
export function openApiV2DocumentType(): protobuf.Type {
  if (!docType) {
    const root = new protobuf.Root();
    // The vendored .proto next to this module (scripts/copy-assets.mjs copies it into dist/).
    root.loadSync(fileURLToPath(new URL('./proto/openapiv2.proto', import.meta.url)), { keepCase: true });
    root.resolveAll();
    docType = root.lookupType('openapi.v2.Document');
  }
  return docType;
}

const anyOf = (v: unknown): Json => ({ yaml: toYaml(v) });

function extensions(o: Json): Json[] {
  return Object.entries(o).filter(([k]) => k.startsWith('x-')).map(([name, v]) => ({ name, value: anyOf(v) }));
}

const STRINGS: Record<string, string> = { $ref: '_ref', format: 'format', title: 'title', description: 'description', pattern: 'pattern', discriminator: 'discriminator' };
const NUMBERS: Record<string, string> = {
  multipleOf: 'multiple_of', maximum: 'maximum', minimum: 'minimum', maxLength: 'max_length', minLength: 'min_length',
  maxItems: 'max_items', minItems: 'min_items', maxProperties: 'max_properties', minProperties: 'min_properties',
};
const BOOLEANS: Record<string, string> = { exclusiveMaximum: 'exclusive_maximum', exclusiveMinimum: 'exclusive_minimum', uniqueItems: 'unique_items', readOnly: 'read_only' };

/** One Swagger 2.0 schema as an openapi.v2.Schema message (keys gnostic has no field for are dropped). */
export function schemaMessage(s: Json): Json {
  const m: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (STRINGS[k] && typeof v === 'string') m[STRINGS[k]] = v;
    else if (NUMBERS[k] && typeof v === 'number') m[NUMBERS[k]] = v;
    else if (BOOLEANS[k] && typeof v === 'boolean') m[BOOLEANS[k]] = v;
    else if (k === 'default' || k === 'example') m[k] = anyOf(v);
    else if (k === 'required' && Array.isArray(v)) m.required = v;
    else if (k === 'enum' && Array.isArray(v)) m.enum = v.map(anyOf);
    else if (k === 'type') m.type = { value: Array.isArray(v) ? v : [v] };
    else if (k === 'items') m.items = { schema: (Array.isArray(v) ? v : [v]).map((x) => schemaMessage(x as Json)) };
    else if (k === 'allOf' && Array.isArray(v)) m.all_of = v.map((x) => schemaMessage(x as Json));
    else if (k === 'properties' && v && typeof v === 'object') m.properties = { additional_properties: named(v as Json) };
    else if (k === 'additionalProperties') m.additional_properties = typeof v === 'boolean' ? { boolean: v } : { schema: schemaMessage(v as Json) };
  }
  const ext = extensions(s);
  if (ext.length) m.vendor_extension = ext;
  return m;
}

const named = (o: Json): Json[] => Object.entries(o).map(([name, v]) => ({ name, value: schemaMessage(v as Json) }));

/**
 * The document as an openapi.v2.Document message. Bosun's v2 document lists no paths (see
 * documents.ts), so only the top-level fields and definitions are carried.
 */
export function documentMessage(doc: Json): Json {
  const info = (doc.info ?? {}) as Json;
  const paths = (doc.paths ?? {}) as Json;
  return {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    paths: { path: Object.keys(paths).map((name) => ({ name, value: {} })) },
    definitions: { additional_properties: named((doc.definitions ?? {}) as Json) },
  };
}

/** The protobuf bytes served for /openapi/v2. */
export function encodeOpenApiV2(doc: object): Buffer {
  const t = openApiV2DocumentType();
  return Buffer.from(t.encode(t.fromObject(documentMessage(doc as Json))).finish());
}
