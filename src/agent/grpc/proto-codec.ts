import { ProtoReader, ProtoWriter, WireType, int64Halves, int64String } from './proto-wire.js';

/**
 * proto3 messages to and from plain objects, driven by a schema table (api-schema.ts and the like,
 * generated from the .proto by src/agent/grpc/testing/proto-schema-gen.ts). It replaces protobufjs's
 * reflection in the agent: parsing a .proto, resolving it and generating encode/decode/fromObject/
 * toObject code per message held ~2 MiB of the idle agent's V8 heap; this is one small interpreter.
 *
 * The objects are the ones protobufjs's fromObject takes and its toObject gives with
 * `{longs: String, enums: String, defaults: true}` (what @grpc/proto-loader hands out): camelCase
 * field names as protobufjs spells them, 64-bit integers as decimal strings, enums as their names
 * (a number the schema does not name stays a number), bytes as Buffers, maps as objects, absent
 * messages null, absent repeated fields [], other absent fields their zero value. Encoding writes
 * fields in number order, leaves out zero scalars and empty repeated fields (proto3's implicit
 * presence, as Go's encoder, hence the kubelet's) and writes a message that is set even when empty;
 * numeric repeated fields are packed. Decoding skips unknown fields and reads packed and unpacked
 * repeated fields alike.
 */

export type ScalarType = 'string' | 'bool' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bytes';
/**
 * One field: [name, number, type, label?, mapKeyType?]. `type` is a scalar type or the name of a
 * message or enum of the same schema; label `repeated`, or `map` (then `type` is the value type).
 */
export type FieldSpec = readonly [name: string, no: number, type: string, label?: 'repeated' | 'map', keyType?: ScalarType];
export interface ProtoSchema {
  /** The proto package, for error messages. */
  package: string;
  messages: Readonly<Record<string, readonly FieldSpec[]>>;
  /** Enum name to its values, name to number. */
  enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** A service's methods by name: [request type, response type, 'server-stream' when the server streams]. */
export type ServiceMethods = Readonly<Record<string, readonly [request: string, response: string, streaming?: 'server-stream']>>;

type Kind = ScalarType | 'enum' | 'message';
interface Field {
  name: string;
  no: number;
  kind: Kind;
  repeated: boolean;
  keyKind?: ScalarType;
  message?: Message;
  enumValues?: Readonly<Record<string, number>>;
  enumNames?: Map<number, string>;
}
interface Message {
  fullName: string;
  fields: Field[];
  byNumber: Map<number, Field>;
}

const SCALARS = new Set(['string', 'bool', 'int32', 'uint32', 'int64', 'uint64', 'bytes']);
const resolved = new WeakMap<ProtoSchema, Map<string, Message>>();

/** The message `name` of `schema`, resolved once (its field's messages on first use of those). */
function messageOf(schema: ProtoSchema, name: string): Message {
  let cache = resolved.get(schema);
  if (!cache) resolved.set(schema, (cache = new Map()));
  let m = cache.get(name);
  if (m) return m;
  const specs = schema.messages[name];
  if (!specs) throw new Error(`protobuf: no message ${schema.package}.${name}`);
  m = { fullName: `.${schema.package}.${name}`, fields: [], byNumber: new Map() };
  cache.set(name, m);
  for (const [fname, no, type, label, keyType] of specs) {
    const f: Field = { name: fname, no, kind: 'message', repeated: label === 'repeated' };
    if (label === 'map') f.keyKind = keyType ?? 'string';
    if (SCALARS.has(type)) f.kind = type as ScalarType;
    else if (schema.enums[type]) {
      f.kind = 'enum';
      f.enumValues = schema.enums[type];
      f.enumNames = new Map(Object.entries(f.enumValues).reverse().map(([k, v]) => [v, k])); // the first name of an aliased number
    } else f.message = messageOf(schema, type);
    m.fields.push(f);
    m.byNumber.set(no, f);
  }
  m.fields.sort((a, b) => a.no - b.no);
  return m;
}

// ---- encoding ----

const isVarint = (k: Kind) => k !== 'string' && k !== 'bytes' && k !== 'message';

/** A varint-typed value as its 64-bit halves; undefined for an enum name the schema does not have (left unset, as protobufjs). */
function varintOf(kind: Kind, f: Field, v: unknown): [number, number] | undefined {
  switch (kind) {
    case 'bool': return [v ? 1 : 0, 0];
    case 'uint32': return [Number(v) >>> 0, 0];
    case 'int64': case 'uint64': return int64Halves(v as string | number | bigint);
    default: {
      const n = kind !== 'enum' ? Number(v) | 0 : typeof v === 'number' ? v | 0 : typeof v === 'string' ? f.enumValues![v] : undefined;
      if (n === undefined) return undefined;
      return [n >>> 0, n < 0 ? 0xffffffff : 0]; // negative int32s and enums are sign-extended to ten bytes
    }
  }
}

/** One value of field `f` (or of its map entry's key or value, `no` 1 or 2); a zero is left out unless `keepZero`. */
function writeValue(w: ProtoWriter, kind: Kind, f: Field, no: number, v: unknown, keepZero: boolean): void {
  if (kind === 'string') {
    const s = String(v);
    if (s || keepZero) w.tag(no, WireType.LEN).string(s);
  } else if (kind === 'bytes') {
    const b = typeof v === 'string' ? Buffer.from(v, 'base64') : (v as Uint8Array);
    if (b.length || keepZero) w.tag(no, WireType.LEN).bytes(b);
  } else if (kind === 'message') {
    if (typeof v !== 'object' || v === null) throw new TypeError(`${f.message!.fullName}: object expected`);
    w.tag(no, WireType.LEN).bytes(encodeFields(f.message!, v as Record<string, unknown>));
  } else {
    const h = varintOf(kind, f, v);
    if (h && (keepZero || h[0] !== 0 || h[1] !== 0)) w.tag(no, WireType.VARINT).varint64(h[0], h[1]);
  }
}

function encodeFields(m: Message, obj: Record<string, unknown>): Buffer {
  const w = new ProtoWriter();
  for (const f of m.fields) {
    const v = obj[f.name];
    if (v === null || v === undefined) continue;
    const where = `${m.fullName}.${f.name}`;
    if (f.keyKind) {
      if (typeof v !== 'object') throw new TypeError(`${where}: object expected`);
      for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
        const entry = new ProtoWriter();
        writeValue(entry, f.keyKind, f, 1, k, true);
        if (val !== null && val !== undefined) writeValue(entry, f.kind, f, 2, val, true);
        w.tag(f.no, WireType.LEN).bytes(entry.finish());
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) throw new TypeError(`${where}: array expected`);
      if (v.length === 0) continue;
      if (isVarint(f.kind)) {
        const packed = new ProtoWriter();
        for (const x of v) {
          const h = varintOf(f.kind, f, x);
          if (h) packed.varint64(h[0], h[1]);
        }
        w.tag(f.no, WireType.LEN).bytes(packed.finish());
      } else for (const x of v) writeValue(w, f.kind, f, f.no, x, true);
    } else writeValue(w, f.kind, f, f.no, v, false);
  }
  return w.finish();
}

/** `value`, a plain object of message `type` (see the conventions above), in wire format. */
export function encodeMessage(schema: ProtoSchema, type: string, value: object): Buffer {
  return encodeFields(messageOf(schema, type), value as Record<string, unknown>);
}

// ---- decoding ----

function zero(f: Field): unknown {
  switch (f.kind) {
    case 'string': return '';
    case 'bool': return false;
    case 'int64': case 'uint64': return '0';
    case 'bytes': return Buffer.alloc(0);
    case 'enum': return f.enumNames!.get(0) ?? 0;
    case 'message': return null;
    default: return 0;
  }
}

/** One value of a non-message field whose wire type fits it. */
function readScalar(r: ProtoReader, kind: Kind, f: Field): unknown {
  switch (kind) {
    case 'string': {
      const [a, b] = r.delimited();
      return r.buf.toString('utf8', a, b);
    }
    case 'bytes': {
      const [a, b] = r.delimited();
      return r.buf.subarray(a, b);
    }
    case 'bool': return r.varint64().some((h) => h !== 0);
    case 'uint32': return r.uint32();
    case 'int32': return r.uint32() | 0;
    case 'enum': {
      const n = r.uint32() | 0;
      return f.enumNames!.get(n) ?? n;
    }
    case 'int64': case 'uint64': {
      const [lo, hi] = r.varint64();
      return int64String(lo, hi, kind === 'int64');
    }
    default: {
      const [a, b] = r.delimited();
      return decodeFields(f.message!, r.buf, a, b);
    }
  }
}

function readMapEntry(r: ProtoReader, f: Field, into: Record<string, unknown>): void {
  const [a, b] = r.delimited();
  const e = new ProtoReader(r.buf, a, b);
  let key: unknown = zero({ ...f, kind: f.keyKind! });
  let val: unknown = zero(f);
  while (e.pos < e.end) {
    const t = e.uint32();
    if (t >>> 3 === 1 && (t & 7) === (isVarint(f.keyKind!) ? WireType.VARINT : WireType.LEN)) key = readScalar(e, f.keyKind!, f);
    else if (t >>> 3 === 2 && (t & 7) === (isVarint(f.kind) ? WireType.VARINT : WireType.LEN)) val = readScalar(e, f.kind, f);
    else e.skip(t & 7);
  }
  into[String(key)] = val;
}

function decodeFields(m: Message, buf: Buffer, start: number, end: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of m.fields) out[f.name] = f.keyKind ? {} : f.repeated ? [] : zero(f);
  const r = new ProtoReader(buf, start, end);
  while (r.pos < r.end) {
    const t = r.uint32();
    const wt = t & 7;
    const f = m.byNumber.get(t >>> 3);
    if (!f) {
      r.skip(wt);
    } else if (f.keyKind) {
      if (wt !== WireType.LEN) r.skip(wt);
      else readMapEntry(r, f, out[f.name] as Record<string, unknown>);
    } else if (f.repeated && isVarint(f.kind) && wt === WireType.LEN) {
      const [a, b] = r.delimited(); // packed
      const p = new ProtoReader(r.buf, a, b);
      while (p.pos < p.end) (out[f.name] as unknown[]).push(readScalar(p, f.kind, f));
    } else if (wt !== (isVarint(f.kind) ? WireType.VARINT : WireType.LEN)) {
      r.skip(wt); // a wire type that does not fit the field: not ours to read
    } else if (f.repeated) {
      (out[f.name] as unknown[]).push(readScalar(r, f.kind, f));
    } else out[f.name] = readScalar(r, f.kind, f);
  }
  return out;
}

/** A message of `type` read from `bytes`, as a plain object (see the conventions above). */
export function decodeMessage<T>(schema: ProtoSchema, type: string, bytes: Uint8Array): T {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decodeFields(messageOf(schema, type), buf, 0, buf.length) as T;
}
