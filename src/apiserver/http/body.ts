/**
 * Reading and decoding request bodies. The size limit (3 MiB, as kube-apiserver's
 * MaxRequestBodyBytes) is enforced while reading: a larger body is refused as soon as it is known to be
 * too large, without buffering the rest.
 */
import type { IncomingMessage } from 'node:http';
import { parseAllDocuments, parseDocument, type YAMLError } from 'yaml';
import { errors } from '../../api/status.js';
import { decodeKubernetesProtobuf } from '../../api/protobuf/index.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../../api/json-depth.js';
import { DUPLICATE_KEYS } from '../patch/apply/strict-apply.js';
import { DUPLICATE_FIELDS } from '../storage/field-validation.js';
import { duplicateFields, mayRepeatKeys } from './duplicate-fields.js';
import type { BodyFormat } from './media.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Thrown for a body over the limit; the caller answers 413 and closes the connection. */
export class BodyTooLargeError extends Error {
  constructor() {
    super('the request body is too large');
  }
}

/** Reads the whole body, failing early when Content-Length or the bytes read pass `limit`. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * `lenientKeys` (apply patches): duplicate mapping keys are no error here, the last one winning, as
 * upstream's lenient YAML decode; they are noted on the value (DUPLICATE_KEYS) for server-side apply
 * to refuse or warn about by fieldValidation.
 */
function parseYamlDoc(text: string, lenientKeys = false): unknown {
  // One document only; YAML errors name line and column.
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const nonEmpty = list.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length > 1) throw errors.badRequest('the request body contains more than one YAML document');
  const doc = nonEmpty[0];
  if (!doc) return null;
  const dups = lenientKeys ? doc.errors.filter((e) => e.code === 'DUPLICATE_KEY') : [];
  const errs = doc.errors.filter((e) => !dups.includes(e));
  if (errs.length > 0) throw errors.badRequest(`the request body is not valid YAML: ${errs[0]!.message}`);
  if (dups.length > 0) return withDuplicateKeys(text, dups);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw errors.badRequest(`the request body is not valid YAML: ${(e as Error).message}`);
  }
}

/** The document decoded with the last of each duplicate key, the duplicates noted as yaml.v2 names them. */
function withDuplicateKeys(text: string, dups: YAMLError[]): unknown {
  let value: unknown;
  try {
    value = parseDocument(text, { uniqueKeys: false }).toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw errors.badRequest(`the request body is not valid YAML: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object') return value;
  const named = dups.map((e) => {
    const key = /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^:\n]*?)\s*:/.exec(text.slice(e.pos[0]))?.[1]?.replace(/^["']|["']$/g, '') ?? '';
    return `line ${e.linePos?.[0].line ?? 0}: key ${JSON.stringify(key)} already set in map`;
  });
  Object.defineProperty(value, DUPLICATE_KEYS, { value: named, enumerable: false });
  return value;
}

/**
 * Decodes a body by its format into plain JSON values. Empty bodies decode to undefined; bodies
 * nested deeper than MAX_JSON_DEPTH are refused (400), as upstream's decoder refuses them.
 */
export function decodeBody(buf: Buffer, format: BodyFormat): unknown {
  const text = format === 'json' && buf.length > 0 ? buf.toString('utf8') : undefined;
  const value = text === undefined ? decodeFormat(buf, format) : parseJson(text);
  if (exceedsDepth(value)) throw errors.badRequest(`the request body is not valid: exceeded max depth of ${MAX_JSON_DEPTH}`);
  // An object body's repeated keys, for field validation to refuse or warn about (as upstream's strict decoder).
  if (text !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value) && mayRepeatKeys(text, value)) {
    const dups = duplicateFields(text);
    if (dups.length > 0) Object.defineProperty(value, DUPLICATE_FIELDS, { value: dups, enumerable: false });
  }
  return value;
}

function decodeFormat(buf: Buffer, format: BodyFormat): unknown {
  if (buf.length === 0) return undefined;
  switch (format) {
    case 'protobuf':
      try {
        return decodeKubernetesProtobuf(buf);
      } catch (e) {
        if ((e as { status?: unknown }).status) throw e;
        throw errors.badRequest(`the request body is not a valid Kubernetes protobuf message: ${(e as Error).message}`);
      }
    case 'yaml':
      return parseYamlDoc(buf.toString('utf8'));
    case 'apply-patch':
      return parseYamlDoc(buf.toString('utf8'), true);
    default:
      return parseJson(buf.toString('utf8'));
  }
}

/** Requires a decoded body to be a JSON object (not an array, string or null). */
export function requireObject(body: unknown, what = 'the request body'): Record<string, unknown> {
  if (body === undefined) throw errors.badRequest(`${what} is empty`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest(`${what} must be a JSON object`);
  return body as Record<string, unknown>;
}
