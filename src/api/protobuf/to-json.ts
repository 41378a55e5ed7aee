/**
 * Turns a decoded Kubernetes protobuf message into the plain object Kubernetes' JSON encoding gives.
 *
 * Go's protobuf encoder writes every non-pointer field, zero or not, and nil pointers not at all,
 * while its JSON encoder drops zero `omitempty` fields. So: a zero scalar is dropped unless the
 * field carries `[(bosun.keep_zero) = true]` (pointer or no omitempty); an embedded message present
 * on the wire stays even when empty (Go's JSON keeps empty structs such as `strategy: {}`); empty
 * lists and maps are dropped. Special messages get their JSON forms: Time and MicroTime become
 * RFC 3339 strings (the zero Time is dropped: JSON would give `null`), IntOrString a number or
 * string, Quantity its string, FieldsV1 and RawExtension the embedded JSON; bytes become base64.
 * Fields marked `[(bosun.inline) = true]` (Go embedded structs such as Probe's ProbeHandler) merge
 * into their parent, as Go's JSON inlines them. A field's JSON key is its name, or its `json_name`
 * where upstream's protobuf name differs from the JSON one (BoundObjectReference's uID).
 */
import protobuf from 'protobufjs';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const KEEP_ZERO = '(bosun.keep_zero)';
const INLINE = '(bosun.inline)';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Converts `msg` (decoded with `type`); undefined means the value has no JSON form and is left out. */
export function messageToJson(type: protobuf.Type, msg: protobuf.Message | Record<string, unknown>): Json | undefined {
  const m = msg as unknown as Record<string, unknown>;
  switch (type.fullName.slice(1)) {
    case `${META}.Time`:
      return formatTime(m, false);
    case `${META}.MicroTime`:
      return formatTime(m, true);
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return toNumber(own(m, 'type') ?? 0) === 1 ? String(own(m, 'strVal') ?? '') : toNumber(own(m, 'intVal') ?? 0);
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return String(own(m, 'string') ?? '0');
    case `${META}.FieldsV1`:
      return embeddedJson(own(m, 'Raw'));
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
      return embeddedJson(own(m, 'raw'));
  }
  const out: Record<string, Json> = {};
  for (const field of type.fieldsArray) {
    const value = own(m, field.name);
    if (value === undefined || value === null) continue;
    const converted = fieldToJson(field, value);
    if (converted === undefined) continue;
    if (field.options?.[INLINE] === true && typeof converted === 'object' && !Array.isArray(converted)) Object.assign(out, converted);
    else out[(field.options?.json_name as string | undefined) ?? field.name] = converted;
  }
  return out;
}

function fieldToJson(field: protobuf.Field, value: unknown): Json | undefined {
  if (field instanceof protobuf.MapField) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return undefined;
    const obj: Record<string, Json> = {};
    for (const [k, v] of entries) obj[k] = singleToJson(field, v, true) ?? null;
    return obj;
  }
  if (field.repeated) {
    const list = value as unknown[];
    if (list.length === 0) return undefined;
    return list.map((v) => singleToJson(field, v, true) ?? null);
  }
  return singleToJson(field, value, field.options?.[KEEP_ZERO] === true);
}

function singleToJson(field: protobuf.Field, value: unknown, keepZero: boolean): Json | undefined {
  if (field.resolvedType instanceof protobuf.Type) return messageToJson(field.resolvedType, value as protobuf.Message);
  if (field.resolvedType instanceof protobuf.Enum) return value as number;
  let v: Json;
  switch (field.type) {
    case 'bytes': v = Buffer.from(value as Uint8Array).toString('base64'); break;
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': v = toNumber(value); break;
    default: v = value as Json;
  }
  if (!keepZero && (v === '' || v === 0 || v === false)) return undefined;
  return v;
}

function own(m: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

/** int64 arrives as a number or a Long depending on protobufjs' setup. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** Go's metav1.Time marshals as RFC 3339 in UTC with whole seconds; MicroTime with 6 fraction digits. */
function formatTime(m: Record<string, unknown>, micro: boolean): string | undefined {
  const seconds = toNumber(own(m, 'seconds') ?? 0);
  const nanos = toNumber(own(m, 'nanos') ?? 0);
  if (seconds === 0 && nanos === 0) return undefined;
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function embeddedJson(raw: unknown): Json | undefined {
  if (!raw || (raw as Uint8Array).length === 0) return undefined;
  return JSON.parse(Buffer.from(raw as Uint8Array).toString('utf8')) as Json;
}
