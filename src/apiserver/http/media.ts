/**
 * Media types of requests and responses: parsing `Accept` / `Content-Type` and choosing how to render.
 * Kubernetes parameterises JSON with `as`/`g`/`v` to ask for a Table or PartialObjectMetadata instead
 * of the object itself; those choices live here.
 */
import { errors } from '../../api/status.js';

export interface MediaType {
  type: string;
  subtype: string;
  params: Record<string, string>;
}

/** Parses one media type (`application/json;as=Table;v=v1;g=meta.k8s.io`). */
export function parseMediaType(s: string): MediaType | undefined {
  const [essence, ...rest] = s.split(';');
  const m = /^\s*([\w.+*-]+)\/([\w.+*@-]+)\s*$/.exec(essence ?? '');
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: m[1]!.toLowerCase(), subtype: m[2]!.toLowerCase(), params };
}

/** Parses an Accept header into media types in the client's order, dropping q=0 entries (stable by q). */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header || !header.trim()) return [{ type: '*', subtype: '*', params: {} }];
  const all = header.split(',').map((s) => parseMediaType(s)).filter((m): m is MediaType => !!m);
  const q = (m: MediaType): number => (m.params.q === undefined ? 1 : Number(m.params.q));
  return all.filter((m) => q(m) > 0).map((m, i) => ({ m, i })).sort((a, b) => q(b.m) - q(a.m) || a.i - b.i).map((x) => x.m);
}

export type Encoding = 'json' | 'yaml';

/** What a resource response should be: the object itself, a Table, or metadata only. */
export interface OutputFormat {
  encoding: Encoding;
  as: 'object' | 'Table' | 'PartialObjectMetadata';
  /** Table only: how rows carry the object (`includeObject` query parameter). */
  includeObject?: 'None' | 'Metadata' | 'Object';
}

function encodingOf(m: MediaType): Encoding | undefined {
  if (m.type === '*' && m.subtype === '*') return 'json';
  if (m.type !== 'application') return undefined;
  if (m.subtype === 'json' || m.subtype === '*') return 'json';
  if (m.subtype === 'yaml') return 'yaml';
  return undefined;
}

/**
 * Chooses the response format for a resource request. Conversions other than Table and
 * PartialObjectMetadata(List) (meta.k8s.io v1 or v1beta1) are skipped, as are media types we cannot
 * encode (protobuf); nothing acceptable left is 406. `tables` false: the resource has no Table
 * convertor, so Table media types are skipped too (upstream's AllowsMediaTypeTransform).
 */
export function negotiateResource(accept: string | undefined, includeObject?: string, tables = true): OutputFormat {
  // Clients repeat the same few Accept headers; remember the answers (bounded).
  const key = `${accept ?? ''}\0${includeObject ?? ''}\0${tables ? 1 : 0}`;
  const known = negotiated.get(key);
  if (known) return { ...known };
  const fmt = negotiateUncached(accept, includeObject, tables);
  if (negotiated.size >= 256) negotiated.clear();
  negotiated.set(key, fmt);
  return { ...fmt };
}

const negotiated = new Map<string, OutputFormat>();

function negotiateUncached(accept: string | undefined, includeObject: string | undefined, tables: boolean): OutputFormat {
  for (const m of parseAccept(accept)) {
    const encoding = encodingOf(m);
    if (!encoding) continue;
    const as = m.params.as;
    if (!as) return { encoding, as: 'object' };
    if (m.params.g !== 'meta.k8s.io' || (m.params.v !== 'v1' && m.params.v !== 'v1beta1')) continue;
    if (as === 'Table') {
      if (!tables) continue;
      // TableOptions validation (ValidateTableOptions), where upstream turns to Table output only.
      if (includeObject && includeObject !== 'None' && includeObject !== 'Object' && includeObject !== 'Metadata') {
        throw errors.badRequest(`Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(includeObject)}: must be 'Metadata', 'Object', 'None', or empty`);
      }
      const inc = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
      return { encoding, as: 'Table', includeObject: inc };
    }
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { encoding, as: 'PartialObjectMetadata' };
  }
  throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`);
}

/** Chooses JSON or YAML for non-resource answers that have no other form (Status, version, ...). */
export function negotiatePlain(accept: string | undefined): Encoding {
  for (const m of parseAccept(accept)) {
    const e = encodingOf(m);
    if (e && !m.params.as) return e;
  }
  return 'json';
}

/** The body formats a request may arrive in. */
export type BodyFormat = 'json' | 'yaml' | 'protobuf' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

const bodyFormats: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/yaml': 'yaml',
  'application/vnd.kubernetes.protobuf': 'protobuf',
  'application/json-patch+json': 'json-patch',
  'application/merge-patch+json': 'merge-patch',
  'application/strategic-merge-patch+json': 'strategic-merge-patch',
  'application/apply-patch+yaml': 'apply-patch',
};

/** Body format from Content-Type, or undefined when unknown (the caller answers 415). */
export function bodyFormatOf(contentType: string | undefined): BodyFormat | undefined {
  const m = parseMediaType(contentType ?? 'application/json');
  return m ? bodyFormats[`${m.type}/${m.subtype}`] : undefined;
}
