import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from './cache.js';
import { makeNode, makePod } from '../testing/wrappers.js';

const cpuOf = (c: SchedulerCache, node: string) => c.snapshot().get(node)?.requested.cpu ?? 0;

test('SchedulerCache', async (t) => {
  await t.test('assumed pods count at once; a failed bind forgets them', () => {
    const c = new SchedulerCache();
    c.setNode(makeNode().name('n1').alloc({ cpu: '2' }).obj());
    const before = c.snapshot();
    c.assume(makePod().name('p').req({ cpu: '500m' }).info(), 'n1');
    assert.equal(cpuOf(c, 'n1'), 500);
    assert.equal(before.get('n1')!.requested.cpu ?? 0, 0, 'a snapshot taken earlier does not change');
    assert.ok(c.isAssumed('default/p'));
    c.forget('default/p');
    assert.equal(cpuOf(c, 'n1'), 0);
  });
  await t.test('the watch confirming an assumed pod does not count it twice', () => {
    const c = new SchedulerCache();
    c.setNode(makeNode().name('n1').alloc({ cpu: '2' }).obj());
    c.assume(makePod().name('p').req({ cpu: '500m' }).info(), 'n1');
    c.addOrUpdateBound(makePod().name('p').req({ cpu: '500m' }).node('n1').info(), 'n1');
    assert.equal(cpuOf(c, 'n1'), 500);
    assert.equal(c.isAssumed('default/p'), false);
    c.forget('default/p');
    assert.equal(cpuOf(c, 'n1'), 500, 'forget only drops assumed pods');
    c.remove('default/p');
    assert.equal(cpuOf(c, 'n1'), 0);
    assert.equal(c.snapshot().get('n1')!.pods.length, 0);
  });
  await t.test('pods seen before their node are counted once the node arrives', () => {
    const c = new SchedulerCache();
    c.addOrUpdateBound(makePod().name('early').req({ cpu: '1' }).node('late').info(), 'late');
    assert.equal(c.nodeCount, 0);
    assert.equal(c.snapshot().nodes.length, 0);
    c.setNode(makeNode().name('late').alloc({ cpu: '2' }).obj());
    assert.equal(cpuOf(c, 'late'), 1000);
  });
  await t.test('node updates keep pods; removal keeps order of the rest', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) c.setNode(makeNode().name(n).alloc({ cpu: '2' }).obj());
    c.addOrUpdateBound(makePod().name('p').req({ cpu: '1' }).info(), 'b');
    c.setNode(makeNode().name('b').alloc({ cpu: '4' }).label('x', 'y').obj());
    assert.equal(cpuOf(c, 'b'), 1000);
    assert.equal(c.snapshot().get('b')!.allocatable.cpu, 4000);
    c.removeNode('a');
    assert.deepEqual(c.snapshot().nodes.map((n) => n.name), ['b', 'c']);
    c.setNode(makeNode().name('a').obj());
    assert.deepEqual(c.snapshot().nodes.map((n) => n.name), ['b', 'c', 'a']);
  });
  await t.test('snapshot is reused until something changes', () => {
    const c = new SchedulerCache();
    c.setNode(makeNode().name('a').obj());
    assert.equal(c.snapshot(), c.snapshot());
  });
  await t.test('tracks the nodes running pods with required anti-affinity', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b']) c.setNode(makeNode().name(n).obj());
    c.addOrUpdateBound(makePod().name('plain').info(), 'a');
    c.addOrUpdateBound(makePod().name('anti').podAntiAffinity('app', 'x').info(), 'b');
    assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinity().map((n) => n.name), ['b']);
    c.setNode(makeNode().name('b').label('new', 'label').obj());
    assert.equal(c.snapshot().havePodsWithRequiredAntiAffinity()[0]!.node.metadata.labels?.new, 'label', 'the current NodeInfo');
    c.remove('default/anti');
    assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinity(), []);
  });
  await t.test('tracks the nodes running pods with any affinity term, as a scan of the snapshot finds them', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) c.setNode(makeNode().name(n).obj());
    c.addOrUpdateBound(makePod().name('aff').podAffinity('app', 'x').info(), 'a');
    c.addOrUpdateBound(makePod().name('anti').podAntiAffinity('app', 'y').info(), 'c');
    const scan = (s: ReturnType<SchedulerCache['snapshot']>) => s.nodes.filter((n) => n.podsWithAffinity.length > 0).map((n) => n.name).sort();
    assert.deepEqual(c.snapshot().havePodsWithAffinity().map((n) => n.name).sort(), ['a', 'c']);
    assert.deepEqual(scan(c.snapshot()), ['a', 'c']);
    c.remove('default/aff');
    c.removeNode('c');
    assert.deepEqual(c.snapshot().havePodsWithAffinity().map((n) => n.name), []);
  });
  await t.test('counts the nodes listing each image as nodes come, change and go', () => {
    const withImages = (name: string, ...names: string[]) => {
      const n = makeNode().name(name).obj();
      n.status = { ...n.status, images: names.map((x) => ({ names: [x], sizeBytes: 1 })) };
      return n;
    };
    const c = new SchedulerCache();
    c.setNode(withImages('a', 'busybox:1', 'nginx:1'));
    c.setNode(withImages('b', 'busybox:1'));
    c.setNode(makeNode().name('c').obj());
    const counts = () => ['busybox:1', 'nginx:1', 'redis:7'].map((i) => c.snapshot().nodesWithImage(i));
    assert.deepEqual(counts(), [2, 1, 0]);
    c.setNode(withImages('b', 'busybox:1', 'redis:7'));
    c.setNode(withImages('c', 'nginx:1'));
    assert.deepEqual(counts(), [2, 2, 1]);
    c.removeNode('a');
    assert.deepEqual(counts(), [1, 1, 1]);
    const before = c.snapshot();
    c.removeNode('b');
    assert.deepEqual(counts(), [0, 1, 0]);
    assert.equal(before.nodesWithImage('busybox:1'), 1, 'a snapshot taken earlier does not change');
  });
});
