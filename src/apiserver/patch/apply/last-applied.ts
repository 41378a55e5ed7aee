/**
 * Interop between client-side `kubectl apply` (the last-applied-configuration annotation) and
 * server-side apply by the manager `kubectl`, as apimachinery's lastAppliedManager and
 * lastAppliedUpdater: conflicts on fields the annotation holds with the live value are allowed
 * (so `kubectl apply --server-side` takes over from client-side apply), and the annotation, when
 * present, is rewritten to the new applied configuration.
 */
import { isObject, type JsonObject } from '../json-value.js';
import { compare } from './compare.js';
import { FieldSet } from './fieldset.js';
import type { SchemaCursor } from './schema.js';
import { toFieldSet } from './to-fieldset.js';
import { cloneJson } from '../../../api/json-clone.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Only this manager gets the interop, as upstream; other managers opt out by their name. */
export const KUBECTL_MANAGER = 'kubectl';

function lastAppliedOf(obj: JsonObject | undefined): string | undefined {
  const ann = isObject(obj?.metadata) ? (obj!.metadata as JsonObject).annotations : undefined;
  const v = isObject(ann) ? ann[LAST_APPLIED] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Fields whose conflicts client-side apply history allows: in the annotation, equal to live. */
export function allowedConflicts(live: JsonObject, apiVersion: string, cur: SchemaCursor): FieldSet {
  const raw = lastAppliedOf(live);
  if (!raw) return new FieldSet();
  let last: unknown;
  try {
    last = JSON.parse(raw);
  } catch {
    return new FieldSet();
  }
  if (!isObject(last) || last.apiVersion !== apiVersion) return new FieldSet();
  const c = compare(last, live, cur);
  return toFieldSet(last, cur).difference(c.changed).difference(c.removed);
}

/** The object with its last-applied annotation (if it has one) set to `applied`, as Go encodes it. */
export function syncLastApplied(obj: JsonObject, applied: JsonObject): JsonObject {
  if (!lastAppliedOf(obj)) return obj;
  const copy = cloneJson(applied);
  if (isObject(copy.metadata) && isObject(copy.metadata.annotations)) delete copy.metadata.annotations[LAST_APPLIED];
  const meta = obj.metadata as JsonObject;
  return { ...obj, metadata: { ...meta, annotations: { ...(meta.annotations as JsonObject), [LAST_APPLIED]: `${goJson(copy)}\n` } } };
}

/** json.Encoder of a map, as upstream writes the annotation: sorted keys, HTML-safe escapes (newline added by the caller). */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${goString(k)}:${goJson(v[k])}`).join(',')}}`;
  return typeof v === 'string' ? goString(v) : JSON.stringify(v);
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
