/**
 * Bosun's hand-written .proto subsets (./proto/) against upstream's protobuf schema: for every
 * message Bosun defines, its package and name, and each field's name, number, type, repeated-ness
 * and map key type. Two upstream copies, both pinned by sha256 (see docs/kinds.md):
 * - v1.32's, the FileDescriptorProtos compiled into the kubectl 1.32 binary the tests drive
 *   (testdata/upstream/kubectl-descriptors.ts): every field Bosun has is checked;
 * - 2019's generated.proto text (about 1.14) from Debian's golang-github-openshift-api-dev
 *   (testdata/upstream/debian-protos.ts): numbers are never reused, so every field found in both
 *   must agree; fields added since are listed, not checked, there.
 * A source that is not installed skips its test, saying so; scripts/setup.sh --test installs both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { KUBECTL } from '../../testing/test-cluster.js';
import { kubernetesProtoRoot } from './schema.js';
import { DEBIAN_PACKAGE, DEBIAN_PROTO_SHA256, DEBIAN_VERSION, RENAMED_SINCE_2019, debianChecksums, debianRoot, debianUnavailable, debianVersion } from './testdata/upstream/debian-protos.js';
import { KUBECTL_DESCRIPTOR_SHA256, checksums, descriptorRoot, descriptorsIn, kubectlUnavailable } from './testdata/upstream/kubectl-descriptors.js';
import { compareFacts, messageFacts, type Comparison } from './testdata/upstream/proto-facts.js';

const ours = messageFacts(kubernetesProtoRoot());

function assertNoDrift(c: Comparison, source: string): void {
  assert.deepEqual(c.drift, [], `Bosun's .proto differs from ${source}: fix src/api/protobuf/proto/ (field numbers and types are wire facts)`);
  assert.ok(c.checked.length > 0, `nothing was compared with ${source}`);
}

test('every message and field of Bosun\'s .proto equals upstream v1.32\'s (the descriptors compiled into kubectl 1.32)', { skip: kubectlUnavailable(KUBECTL) }, (t) => {
  const files = descriptorsIn(KUBECTL);
  const sums = checksums(files);
  const pinned = Object.fromEntries(Object.keys(KUBECTL_DESCRIPTOR_SHA256).map((name) => [name, sums[name]]));
  assert.deepEqual(pinned, KUBECTL_DESCRIPTOR_SHA256, `${KUBECTL}'s descriptors are not the pinned v1.32 ones`);
  const c = compareFacts(ours, messageFacts(descriptorRoot(files)));
  assertNoDrift(c, 'upstream v1.32');
  assert.deepEqual(c.messagesNotUpstream, [], 'messages upstream v1.32 does not have (a wrong package or name?)');
  assert.deepEqual(c.fieldsNotUpstream, [], 'fields upstream v1.32 does not have');
  t.diagnostic(`${c.checked.length} fields in ${ours.size} messages checked against upstream v1.32`);
});

test(`every field of Bosun's .proto that 2019's upstream generated.proto has (Debian's ${DEBIAN_PACKAGE}) has its number and type`, { skip: debianUnavailable() }, (t) => {
  assert.equal(debianVersion(), DEBIAN_VERSION, `${DEBIAN_PACKAGE}: another version than the pinned one (check its files, then the pins)`);
  assert.deepEqual(debianChecksums(), DEBIAN_PROTO_SHA256, `${DEBIAN_PACKAGE}'s generated.proto files are not the pinned ones`);
  const c = compareFacts(ours, messageFacts(debianRoot()), RENAMED_SINCE_2019);
  assertNoDrift(c, `${DEBIAN_PACKAGE} ${DEBIAN_VERSION}`);
  // Every rename allowance is still needed, or it would hide nothing and should go.
  const lines = compareFacts(ours, messageFacts(debianRoot())).drift;
  for (const name of Object.keys(RENAMED_SINCE_2019.messages ?? {})) {
    assert.ok(lines.some((l) => l.includes(`, upstream ${name} `)), `RENAMED_SINCE_2019 entry ${name} is not needed`);
  }
  for (const name of Object.keys(RENAMED_SINCE_2019.fields ?? {})) {
    const dot = name.lastIndexOf('.');
    assert.ok(lines.some((l) => l.startsWith(name.slice(0, dot + 1)) && l.includes(' upstream gives number ') && l.includes(` ${name.slice(dot + 1)} = `)), `RENAMED_SINCE_2019 entry ${name} is not needed`);
  }
  // Newer than 2019, so not checkable here (the v1.32 test above checks them): listed so the gap is seen.
  const inNewMessages = c.messagesNotUpstream.reduce((n, m) => n + (ours.get(m)?.size ?? 0), 0);
  t.diagnostic(`${c.checked.length} fields checked against 2019's upstream; not in it: ${c.fieldsNotUpstream.length} fields of older messages, ` +
    `and ${c.messagesNotUpstream.length} messages (${inNewMessages} fields)`);
  t.diagnostic(`fields newer than 2019: ${c.fieldsNotUpstream.join(' ')}`);
  t.diagnostic(`messages newer than 2019: ${c.messagesNotUpstream.join(' ')}`);
});

test('the comparison reports a changed number, type, repeated-ness, map key, a number upstream gives another field, and new fields', () => {
  const facts = (text: string) => messageFacts(protobuf.parse(text, { keepCase: true }).root);
  const upstream = facts(`syntax = "proto2"; package p;
    message M { optional string a = 1; repeated int32 b = 2; optional N c = 3; map<string, string> d = 4; optional string e = 5; }
    message N { optional string x = 1; }`);
  const changed = facts(`syntax = "proto2"; package p;
    message M { optional string a = 6; optional int32 b = 2; optional string c = 3; map<int32, string> d = 4; optional string f = 5; optional string g = 7; }
    message N { optional string x = 1; } message O { optional string y = 1; }`);
  const c = compareFacts(changed, upstream);
  assert.deepEqual(c.drift, [
    'p.M.a: ours string a = 6, upstream string a = 1',
    'p.M.b: ours int32 b = 2, upstream repeated int32 b = 2',
    'p.M.c: ours string c = 3, upstream p.N c = 3',
    'p.M.d: ours map<int32, string> d = 4, upstream map<string, string> d = 4',
    'p.M.f: ours string f = 5, upstream gives number 5 to string e = 5',
  ]);
  assert.deepEqual(c.checked, ['p.N.x']);
  assert.deepEqual(c.fieldsNotUpstream, ['p.M.g']);
  assert.deepEqual(c.messagesNotUpstream, ['p.O']);
});
