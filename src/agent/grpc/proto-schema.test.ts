/**
 * The agent's protobuf schema tables (what proto-codec.ts encodes and decodes with) are the ones its
 * .proto files give, and agree with upstream's: the CRI runtime.v1 subset, containerd's events and
 * gRPC's health service against the descriptors compiled into the containerd the tests run
 * (testing/containerd-descriptors.ts, sha256-pinned). Compared: every message's fields (name as
 * protobufjs camelCases it, number, type, repeated-ness, map key), every enum value's number, and
 * each method's request, response and streaming.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type protobuf from 'protobufjs';
import { compareFacts, messageFacts, type FieldFact, type MessageFacts } from '../../api/protobuf/testdata/upstream/proto-facts.js';
import { HEALTH_SCHEMA } from '../probes/grpc-probe.js';
import { CRI_SCHEMA, CRI_SERVICES } from '../runtime/cri/api-schema.js';
import { EVENTS_SCHEMA } from '../runtime/cri/client.js';
import { ANY_SCHEMA, TASK_EVENTS_SCHEMA } from '../runtime/cri/task-exit.js';
import type { ProtoSchema, ServiceMethods } from './proto-codec.js';
import { checksums } from '../../api/protobuf/testdata/upstream/kubectl-descriptors.js';
import { CONTAINERD_DESCRIPTOR_SHA256, containerdBinary, containerdDescriptors, containerdRoot } from './testing/containerd-descriptors.js';
import { REPO_ROOT, TARGETS, parseProto, renderAll, renderSchema } from './testing/proto-schema-gen.js';

/** A table's messages as wire facts (names qualified by its package). */
function schemaFacts(s: ProtoSchema): MessageFacts {
  const full = (t: string) => (s.messages[t] || s.enums[t] ? `${s.package}.${t}` : t);
  return new Map(Object.entries(s.messages).map(([name, fields]) => [`${s.package}.${name}`, new Map(fields.map(([fname, id, type, label]) => {
    const fact: FieldFact = { name: fname, id, type: full(type), repeated: label === 'repeated' };
    if (label === 'map') fact.keyType = 'string';
    return [fname, fact];
  }))]));
}

/** Enum values and methods of ours that upstream does not have the same way, one line each. */
function enumAndMethodDrift(s: ProtoSchema, services: Record<string, ServiceMethods>, upstream: protobuf.Root): string[] {
  const out: string[] = [];
  for (const [name, values] of Object.entries(s.enums)) {
    const theirs = upstream.lookupEnum(`${s.package}.${name}`).values;
    for (const [v, n] of Object.entries(values)) if (theirs[v] !== n) out.push(`${s.package}.${name}.${v}: ours ${n}, upstream ${theirs[v]}`);
  }
  for (const [svc, methods] of Object.entries(services)) {
    const theirs = upstream.lookupService(`${s.package}.${svc}`).methods;
    for (const [m, [req, res, streaming]] of Object.entries(methods)) {
      const u = theirs[m];
      const ours = `${req} -> ${res}${streaming ? ' (stream)' : ''}`;
      const up = u && `${u.resolvedRequestType!.fullName.slice(s.package.length + 2)} -> ${u.resolvedResponseType!.fullName.slice(s.package.length + 2)}${u.responseStream ? ' (stream)' : ''}${u.requestStream ? ' (client stream)' : ''}`;
      if (ours !== up) out.push(`${s.package}.${svc}/${m}: ours ${ours}, upstream ${up ?? 'none'}`);
    }
  }
  return out;
}

/** The CRI field containerd 1.6's cri-api predates (added in Kubernetes 1.29), so not checked here. */
const NEWER_THAN_CONTAINERD = ['runtime.v1.ImageFsInfoResponse.containerFilesystems'];

const SCHEMAS: Array<[ProtoSchema, Record<string, ServiceMethods>]> = [
  [CRI_SCHEMA, CRI_SERVICES],
  [EVENTS_SCHEMA, { Events: { Subscribe: ['SubscribeRequest', 'Envelope', 'server-stream'] } }],
  [ANY_SCHEMA, {}],
  [TASK_EVENTS_SCHEMA, {}],
  [HEALTH_SCHEMA, { Health: { Check: ['HealthCheckRequest', 'HealthCheckResponse'] } }],
];

test('every generated schema table is what proto-schema-gen.ts makes of its .proto today', () => {
  for (const { out, text } of renderAll()) {
    assert.equal(readFileSync(`${REPO_ROOT}${out}`, 'utf8'), text, `${out} is stale: run node --import tsx src/agent/grpc/testing/proto-schema-gen.ts`);
  }
});

test('the CRI table holds every message and field of api.proto, with protobufjs\'s names', () => {
  const t = TARGETS.find((x) => x.out.endsWith('cri/api-schema.ts'))!;
  const { root } = parseProto(readFileSync(`${REPO_ROOT}${t.proto}`, 'utf8'));
  const c = compareFacts(messageFacts(root), schemaFacts(CRI_SCHEMA));
  assert.deepEqual([c.drift, c.fieldsNotUpstream, c.messagesNotUpstream], [[], [], []]);
  assert.ok(c.checked.length > 100, `only ${c.checked.length} fields compared`);
});

const containerd = containerdBinary();
test('the CRI subset, containerd\'s events and gRPC health tables agree with the descriptors compiled into containerd', { skip: containerd ? undefined : 'containerd is not installed' }, (t) => {
  const files = containerdDescriptors(containerd!);
  assert.deepEqual(checksums(files), CONTAINERD_DESCRIPTOR_SHA256, `${containerd}'s descriptors are not the pinned ones (Debian 12's containerd 1.6.20)`);
  const upstream = containerdRoot(files);
  const up = messageFacts(upstream);
  for (const [schema, services] of SCHEMAS) {
    const c = compareFacts(schemaFacts(schema), up);
    assert.deepEqual(c.drift, [], `${schema.package}: fields differ from containerd's`);
    assert.deepEqual(c.messagesNotUpstream, [], `${schema.package}: messages containerd does not have`);
    assert.deepEqual(c.fieldsNotUpstream, schema === CRI_SCHEMA ? NEWER_THAN_CONTAINERD : [], `${schema.package}: fields containerd does not have`);
    assert.deepEqual(enumAndMethodDrift(schema, services, upstream), [], `${schema.package}: enums or methods differ from containerd's`);
    t.diagnostic(`${schema.package}: ${c.checked.length} fields checked`);
  }
});

test('the comparison reports a changed field, enum value and method', () => {
  const base = `syntax = "proto3"; package p; enum E { A = 0; B = 1; }
    message Req { string name_x = 1; E e = 2; map<string, string> m = 3; } message Res { repeated Req items = 1; }
    service S { rpc Get(Req) returns (Res); rpc Watch(Req) returns (stream Res); }`;
  const t = { proto: 'p.proto', out: 'src/agent/grpc/p-schema.ts', schemaName: 'P', servicesName: 'PS' };
  const { root: upstream } = parseProto(base);
  const tableOf = (text: string): [ProtoSchema, Record<string, ServiceMethods>] => {
    const js = renderSchema(t, text).replace(/^import .*$/m, '').replace(/: (ProtoSchema|Record<string, ServiceMethods>) =/g, ' =').replace(/export const/g, 'const');
    return new Function(`${js}; return [P, PS];`)() as [ProtoSchema, Record<string, ServiceMethods>];
  };
  const [same, sameSvc] = tableOf(base);
  assert.deepEqual(compareFacts(schemaFacts(same), messageFacts(upstream)).drift, []);
  assert.deepEqual(same.messages.Req![0], ['nameX', 1, 'string']);
  assert.deepEqual(enumAndMethodDrift(same, sameSvc, upstream), []);
  const [changed, changedSvc] = tableOf(base.replace('B = 1', 'B = 2').replace('name_x = 1', 'name_x = 4').replace('rpc Get(Req) returns (Res)', 'rpc Get(Res) returns (Res)').replace('(stream Res)', '(Res)'));
  assert.deepEqual(compareFacts(schemaFacts(changed), messageFacts(upstream)).drift, ['p.Req.nameX: ours string nameX = 4, upstream string nameX = 1']);
  assert.deepEqual(enumAndMethodDrift(changed, changedSvc, upstream), ['p.E.B: ours 2, upstream 1', 'p.S/Get: ours Res -> Res, upstream Req -> Res', 'p.S/Watch: ours Req -> Res, upstream Req -> Res (stream)']);
});
