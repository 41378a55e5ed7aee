/**
 * proto-codec.ts against protobufjs, which the agent used before (reflection of the same .proto):
 * for every message of the CRI and device plugin schemas, a value with every field set (nested
 * messages, repeated, maps, int64 beyond 2^53, negative numbers, enums) encodes to bytes protobufjs
 * reads back the same, and decodes protobufjs's bytes to what protobufjs's toObject gives with
 * `{longs: String, enums: String, defaults: true}`. Then the wire cases a peer may send that
 * protobufjs's own encoder does not produce: unknown fields of every wire type, unpacked repeated
 * numbers, enum numbers the schema does not name, and input that ends inside a field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { DEVICE_PLUGIN_SCHEMA } from '../device-plugins/deviceplugin-schema.js';
import { CRI_SCHEMA } from '../runtime/cri/api-schema.js';
import { decodeMessage, encodeMessage, type ProtoSchema } from './proto-codec.js';
import { ProtoWriter, WireType } from './proto-wire.js';
import { REPO_ROOT, TARGETS } from './testing/proto-schema-gen.js';

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true };
type Obj = Record<string, unknown>;

const SCHEMAS: Array<[ProtoSchema, protobuf.Root]> = [CRI_SCHEMA, DEVICE_PLUGIN_SCHEMA].map((s) => {
  const t = TARGETS.find((x) => readFileSync(`${REPO_ROOT}${x.proto}`, 'utf8').includes(`package ${s.package};`))!;
  return [s, protobuf.loadSync(`${REPO_ROOT}${t.proto}`)];
});

const INT64S = ['1733390000123456789', '-5', '9223372036854775807', '-9223372036854775808', '4294967296'];

/** A value of `type` with every field set to something other than its zero (`seed` varies them). */
function sample(s: ProtoSchema, type: string, seed: number, depth = 0): Obj {
  const out: Obj = {};
  for (const [name, no, t, label] of s.messages[type]!) {
    const k = seed + no;
    const one = (i: number): unknown => {
      if (s.messages[t]) return depth < 4 ? sample(s, t, k + i, depth + 1) : {};
      if (s.enums[t]) { const names = Object.keys(s.enums[t]); return names[(k + i) % names.length]; }
      switch (t) {
        case 'string': return `${name}-${k + i}-ü`;
        case 'bool': return true;
        case 'int32': return (k + i) % 2 ? -(k + i) : 100_000 + k + i;
        case 'uint32': return 3_000_000_000 + k + i;
        case 'int64': return INT64S[(k + i) % INT64S.length];
        case 'uint64': return '18446744073709551615';
        case 'bytes': return Buffer.from([0, 255, k & 255, i]);
        default: throw new Error(`no sample for ${t}`);
      }
    };
    out[name] = label === 'repeated' ? [one(0), one(1)] : label === 'map' ? { [`k${k}`]: one(0), 'a.b/c': one(1) } : one(0);
  }
  return out;
}

function messageTypes(s: ProtoSchema, root: protobuf.Root): Array<[string, protobuf.Type]> {
  return Object.keys(s.messages).map((name) => [name, root.lookupType(`${s.package}.${name}`)]);
}

test('every message, every field set: our bytes read back by protobufjs, and protobufjs\'s bytes read by us, give protobufjs\'s objects', () => {
  let n = 0;
  for (const [s, root] of SCHEMAS) {
    for (const [name, type] of messageTypes(s, root)) {
      for (const seed of [0, 1]) {
        const value = sample(s, name, seed);
        const theirs = type.toObject(type.decode(type.encode(type.fromObject(value)).finish()), TO_OBJECT);
        const ours = encodeMessage(s, name, value);
        assert.deepEqual(type.toObject(type.decode(ours), TO_OBJECT), theirs, `${name}: our encoding`);
        assert.deepEqual(decodeMessage(s, name, Buffer.from(type.encode(type.fromObject(value)).finish())), theirs, `${name}: our decoding`);
        assert.deepEqual(decodeMessage(s, name, ours), theirs, `${name}: our round trip`);
        n++;
      }
      // Nothing set: every field's default (null messages, [] and {}, '0' for 64-bit, the first enum name).
      assert.deepEqual(decodeMessage(s, name, Buffer.alloc(0)), type.toObject(type.decode(Buffer.alloc(0)), TO_OBJECT), `${name}: defaults`);
    }
  }
  assert.ok(n > 150, `only ${n} messages compared`);
});

test('zero scalars are left out and set messages kept, as proto3 encoders do; the values protobufjs takes as input are taken', () => {
  // hostname '' and attempt 0 are not written; metadata {} and linux {} are (presence of a message is meaningful).
  const bytes = encodeMessage(CRI_SCHEMA, 'PodSandboxConfig', { hostname: '', metadata: { attempt: 0 }, linux: {}, labels: {}, portMappings: [] });
  assert.deepEqual([...bytes], [0x0a, 0x00, 0x42, 0x00]);
  // int64 from a number or bigint, enum from its number, bytes from base64, as protobufjs's fromObject.
  const req = { id: 'c', cmd: ['sh'], timeout: 7 };
  assert.deepEqual(decodeMessage(CRI_SCHEMA, 'ExecSyncRequest', encodeMessage(CRI_SCHEMA, 'ExecSyncRequest', req)), { containerId: '', cmd: ['sh'], timeout: '7' });
  const status = decodeMessage<Obj>(CRI_SCHEMA, 'ContainerStateValue', encodeMessage(CRI_SCHEMA, 'ContainerStateValue', { state: 2 }));
  assert.equal(status.state, 'CONTAINER_EXITED');
  const out = decodeMessage<Obj>(CRI_SCHEMA, 'ExecSyncResponse', encodeMessage(CRI_SCHEMA, 'ExecSyncResponse', { stdout: Buffer.from('hi').toString('base64'), exitCode: -1 }));
  assert.deepEqual([String(out.stdout), out.exitCode], ['hi', -1]);
  assert.throws(() => encodeMessage(CRI_SCHEMA, 'RunPodSandboxRequest', { config: 'x' }), /\.runtime\.v1\.PodSandboxConfig: object expected/);
  assert.throws(() => encodeMessage(CRI_SCHEMA, 'DNSConfig', { servers: 'x' }), /\.runtime\.v1\.DNSConfig\.servers: array expected/);
});

test('a peer\'s unknown fields of every wire type are skipped; unpacked repeated numbers, unnamed enum numbers and truncated input', () => {
  const w = new ProtoWriter();
  w.tag(99, WireType.VARINT).varint64(0xffffffff, 0xffffffff);
  w.tag(1, WireType.LEN).string('cid');
  w.tag(98, WireType.I64).bytes(Buffer.alloc(7)); // 8 bytes: a length byte and 7 (any 8 bytes do)
  w.tag(97, WireType.LEN).bytes(Buffer.from('skip me'));
  w.tag(96, WireType.I32).uint32(1).uint32(2).uint32(3).uint32(4);
  w.tag(95, WireType.SGROUP).tag(1, WireType.VARINT).uint32(5).tag(95, WireType.EGROUP);
  w.tag(3, WireType.VARINT).uint32(2); // state: CONTAINER_EXITED
  w.tag(1, WireType.VARINT).uint32(7); // a wire type that does not fit the field: skipped, not misread
  const bytes = Buffer.from(w.finish());
  const c = decodeMessage<Obj>(CRI_SCHEMA, 'ContainerStateValue', encodeMessage(CRI_SCHEMA, 'ContainerStateValue', { state: 'CONTAINER_EXITED' }));
  assert.equal(c.state, 'CONTAINER_EXITED');
  const status = decodeMessage<Obj>(CRI_SCHEMA, 'ContainerStatus', bytes);
  assert.equal(status.id, 'cid');
  assert.equal(status.state, 'CONTAINER_EXITED');
  const type = SCHEMAS[0]![1].lookupType('runtime.v1.ContainerStatus');
  assert.deepEqual(status, type.toObject(type.decode(bytes), TO_OBJECT));
  // supplemental_groups (repeated int64 = 8) unpacked, as a proto2-era peer writes it, and an enum number no name has.
  const u = new ProtoWriter().tag(8, WireType.VARINT).uint32(5).tag(8, WireType.VARINT).varint64(0xfffffffe, 0xffffffff).finish();
  assert.deepEqual(decodeMessage<Obj>(CRI_SCHEMA, 'LinuxContainerSecurityContext', u).supplementalGroups, ['5', '-2']);
  assert.equal(decodeMessage<Obj>(CRI_SCHEMA, 'ContainerStateValue', new ProtoWriter().tag(1, WireType.VARINT).uint32(9).finish()).state, 9);
  for (const cut of [1, 3, bytes.length - 1]) {
    assert.throws(() => decodeMessage(CRI_SCHEMA, 'ContainerStatus', bytes.subarray(0, cut)), RangeError, `cut at ${cut}`);
  }
});
