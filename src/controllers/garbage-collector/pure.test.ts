/** Table-driven tests of the collector's graph and decisions (upstream attemptToDeleteItem semantics). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from '../../api/meta.js';
import { resources } from '../../client/resource-ref.js';
import { decide, ownerStateInGraph, type OwnerState } from './decide.js';
import { gcRelevantChange, nodeOf, OwnerGraph, type GraphNode } from './graph.js';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller: true, ...(block ? { blockOwnerDeletion: true } : {}) });
const node = (uid: string, o: Partial<GraphNode> = {}): GraphNode => ({
  uid, ref: resources.pods, namespace: 'ns', name: uid, owners: [], deleting: false, finalizers: [], ...o,
});

test('decide: owners classified solid, dangling, waiting', () => {
  const states: Record<string, OwnerState> = { s: 'solid', d: 'dangling', w: 'waiting' };
  const state = (r: OwnerReference) => states[r.uid]!;
  const cases: { name: string; item: GraphNode; deps?: GraphNode[]; want: unknown }[] = [
    { name: 'no owners: keep', item: node('x'), want: { type: 'none' } },
    { name: 'solid owner: keep', item: node('x', { owners: [ref('s')] }), want: { type: 'none' } },
    { name: 'dangling only: background delete', item: node('x', { owners: [ref('d')] }), want: { type: 'delete', policy: 'Background' } },
    { name: 'solid + dangling + waiting: drop the two refs', item: node('x', { owners: [ref('s'), ref('d'), ref('w')] }), want: { type: 'removeOwnerRefs', uids: ['d', 'w'] } },
    { name: 'waiting owner, no dependents: background', item: node('x', { owners: [ref('w')] }), want: { type: 'delete', policy: 'Background' } },
    { name: 'waiting owner with dependents: foreground', item: node('x', { owners: [ref('w')] }), deps: [node('y', { owners: [ref('x')] })], want: { type: 'delete', policy: 'Foreground' } },
    {
      name: 'waiting owner, a dependent itself foreground-deleting (a cycle): unblock, then foreground',
      item: node('x', { owners: [ref('w', true)] }), deps: [node('y', { owners: [ref('x', true)], deleting: true, finalizers: ['foregroundDeletion'] })],
      want: { type: 'delete', policy: 'Foreground', unblockOwners: true },
    },
    { name: 'dangling, own orphan finalizer: orphan', item: node('x', { owners: [ref('d')], finalizers: ['orphan'] }), want: { type: 'delete', policy: 'Orphan' } },
    { name: 'already being deleted: wait', item: node('x', { owners: [ref('d')], deleting: true }), want: { type: 'none' } },
  ];
  for (const c of cases) assert.deepEqual(decide(c.item, c.deps ?? [], state), c.want, c.name);
});

test('decide: orphan and foreground owners', () => {
  const never = (): OwnerState => { throw new Error('owners not consulted'); };
  const owner = node('o', { deleting: true, finalizers: ['orphan'] });
  const dep = node('p', { owners: [ref('o')] });
  assert.deepEqual(decide(owner, [dep], never), { type: 'orphan', dependents: [dep] });
  assert.deepEqual(decide(owner, [], never), { type: 'removeFinalizer', finalizer: 'orphan' });

  const fg = node('o', { deleting: true, finalizers: ['foregroundDeletion'] });
  assert.deepEqual(decide(fg, [node('p', { owners: [ref('o', true)] })], never), { type: 'none' }, 'blocked by blockOwnerDeletion dependent');
  assert.deepEqual(decide(fg, [node('p', { owners: [ref('o', false)] })], never), { type: 'removeFinalizer', finalizer: 'foregroundDeletion' }, 'non-blocking dependents do not hold the owner');
  assert.deepEqual(decide(fg, [], never), { type: 'removeFinalizer', finalizer: 'foregroundDeletion' });
});

test('graph: dependents index survives the owner leaving; relevant changes', () => {
  const g = new OwnerGraph();
  g.upsert(node('rs'));
  g.upsert(node('p1', { owners: [ref('rs')] }));
  g.upsert(node('p2', { owners: [ref('rs')] }));
  assert.deepEqual(g.dependentsOf('rs').map((n) => n.uid).sort(), ['p1', 'p2']);
  g.remove('rs');
  assert.deepEqual(g.dependentsOf('rs').map((n) => n.uid).sort(), ['p1', 'p2']);
  assert.equal(ownerStateInGraph(ref('rs'), (u) => g.get(u)), 'unknown');
  assert.equal(g.isAbsent('rs'), true, 'an owner seen deleted with dependents is remembered as gone');
  g.upsert(node('p1', { owners: [] }));
  assert.deepEqual(g.dependentsOf('rs').map((n) => n.uid), ['p2']);
  g.remove('p2');
  assert.deepEqual(g.dependentsOf('rs'), []);
  assert.equal(g.isAbsent('p2'), false, 'an object without dependents is not remembered');
  for (let i = 0; i < 500; i++) {
    g.upsert(node(`o${i}`));
    g.upsert(node(`d${i}`, { owners: [ref(`o${i}`)] }));
    g.remove(`o${i}`);
  }
  assert.equal(g.isAbsent('rs'), false, 'the oldest of more than 500 forgotten');
  assert.equal(g.isAbsent('o0') && g.isAbsent('o499'), true);

  g.upsert(node('fg', { deleting: true, finalizers: ['foregroundDeletion'] }));
  assert.equal(ownerStateInGraph(ref('fg'), (u) => g.get(u)), 'waiting');
  g.upsert(node('or', { deleting: true, finalizers: ['orphan'] }));
  assert.equal(ownerStateInGraph(ref('or'), (u) => g.get(u)), 'solid');

  const pod = { metadata: { uid: 'u', name: 'p', namespace: 'ns', ownerReferences: [ref('rs')] }, status: { phase: 'Running' } };
  const a = nodeOf(pod, resources.pods);
  assert.equal(gcRelevantChange(a, nodeOf({ ...pod, status: { phase: 'Failed' } }, resources.pods)), false, 'status-only change');
  assert.equal(gcRelevantChange(a, nodeOf({ metadata: { ...pod.metadata, deletionTimestamp: 'now' } }, resources.pods)), true);
  assert.equal(gcRelevantChange(a, nodeOf({ metadata: { ...pod.metadata, ownerReferences: [] } }, resources.pods)), true);
});

test('graph: forgetting a resource whose monitor stopped drops its nodes, not as deleted', () => {
  const g = new OwnerGraph();
  const gadgets = { group: 'example.com', version: 'v1', resource: 'gadgets', namespaced: true, kind: 'Gadget' };
  g.upsert(node('owner', { ref: gadgets }));
  g.upsert(node('other', { ref: { ...gadgets, resource: 'widgets' } }));
  g.upsert(node('dep', { owners: [ref('owner')] }));
  assert.deepEqual(g.forgetResource('example.com', 'gadgets'), ['owner']);
  assert.equal(g.get('owner'), undefined);
  assert.ok(g.get('other'), 'another resource of the group stays');
  assert.equal(g.isAbsent('owner'), false, 'not known deleted: its dependents look it up');
  assert.deepEqual(g.dependentsOf('owner').map((n) => n.uid), ['dep']);
});
