import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import { Status } from '../framework/status.js';
import { makePod } from '../testing/wrappers.js';
import { SchedulingQueue } from './scheduling-queue.js';

const setup = () => {
  const clock = new FakeClock();
  return { clock, q: new SchedulingQueue({ clock }) };
};
const names = (q: SchedulingQueue) => {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) out.push(p.podInfo.pod.metadata.name!);
  return out;
};

test('activeQ: priority first, then FIFO', () => {
  const { clock, q } = setup();
  q.add(makePod().name('low-1').priority(0).info());
  clock.advance(1);
  q.add(makePod().name('high').priority(100).info());
  clock.advance(1);
  q.add(makePod().name('low-2').info());
  clock.advance(1);
  q.add(makePod().name('mid').priority(10).info());
  assert.deepEqual(names(q), ['high', 'mid', 'low-1', 'low-2']);
});

test('backoff doubles from 1 s to at most 10 s', async (t) => {
  const cases = [{ attempts: 1, ms: 1000 }, { attempts: 2, ms: 2000 }, { attempts: 3, ms: 4000 }, { attempts: 4, ms: 8000 }, { attempts: 5, ms: 10000 }, { attempts: 9, ms: 10000 }];
  const { q } = setup();
  for (const c of cases) {
    await t.test(`attempt ${c.attempts}`, () => {
      assert.equal(q.backoffExpiry({ podInfo: makePod().info(), timestamp: 0, attempts: c.attempts, unschedulablePlugins: new Set(), lastFailure: 500 }), 500 + c.ms);
    });
  }
});

test('an error goes to backoffQ and comes back after the backoff', () => {
  const { clock, q } = setup();
  q.add(makePod().name('p').info());
  const p = q.pop()!;
  q.requeueFailed(p, Status.error(new Error('boom')), [], q.schedulingCycle);
  assert.deepEqual(q.lengths, { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  clock.advance(999);
  q.flushBackoffCompleted();
  assert.equal(q.pop(), undefined);
  clock.advance(1);
  q.flushBackoffCompleted();
  assert.equal(q.pop()?.attempts, 2);
});

test('unschedulable pods wait for an event that could help the plugin that rejected them', () => {
  const { clock, q } = setup();
  q.add(makePod().name('tainted').info());
  q.add(makePod().name('cpu').info());
  const a = q.pop()!;
  q.requeueFailed(a, Status.unresolvable('taint'), ['TaintToleration'], q.schedulingCycle);
  const b = q.pop()!;
  q.requeueFailed(b, Status.unschedulable('Insufficient cpu'), ['NodeResourcesFit'], q.schedulingCycle);
  assert.equal(q.lengths.unschedulable, 2);

  clock.advance(5000); // backoff (1 s) is over
  q.onClusterEvent('AssignedPodDelete'); // frees resources; cannot remove a taint
  assert.deepEqual(names(q), ['cpu']);
  assert.equal(q.lengths.unschedulable, 1);
  q.onClusterEvent('NodeUpdate');
  assert.deepEqual(names(q), ['tainted']);
});

test('an event still in backoff parks the pod in backoffQ', () => {
  const { clock, q } = setup();
  q.add(makePod().name('p').info());
  q.requeueFailed(q.pop()!, Status.unschedulable('x'), ['NodeResourcesFit'], q.schedulingCycle);
  q.onClusterEvent('NodeAdd');
  assert.deepEqual(q.lengths, { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  clock.advance(1000);
  q.flushBackoffCompleted();
  assert.deepEqual(names(q), ['p']);
});

test('a rejection in a cycle during which an event arrived goes to backoff, not unschedulable', () => {
  const { q } = setup();
  q.add(makePod().name('p').info());
  const p = q.pop()!;
  const cycle = q.schedulingCycle;
  q.onClusterEvent('NodeAdd'); // arrives while p is being scheduled
  q.requeueFailed(p, Status.unschedulable('x'), ['NodeResourcesFit'], cycle);
  assert.equal(q.lengths.backoff, 1);
});

test('unschedulable pods get another try after 5 minutes without events', () => {
  const { clock, q } = setup();
  q.add(makePod().name('p').info());
  q.requeueFailed(q.pop()!, Status.unschedulable('x'), ['NodeResourcesFit'], q.schedulingCycle);
  clock.advance(5 * 60_000 - 1);
  q.flushUnschedulableLeftover();
  assert.equal(q.lengths.unschedulable, 1);
  clock.advance(1);
  q.flushUnschedulableLeftover();
  assert.deepEqual(names(q), ['p']);
});

test('in-flight pods: deletion drops them, updates are kept for the retry', () => {
  const { clock, q } = setup();
  q.add(makePod().name('gone').info());
  q.add(makePod().name('changed').info());
  const gone = q.pop()!;
  const changed = q.pop()!;
  q.delete('default/gone');
  q.update(makePod().name('changed').label('v', '2').info());
  q.requeueFailed(gone, Status.error(new Error('x')), [], q.schedulingCycle);
  q.requeueFailed(changed, Status.error(new Error('x')), [], q.schedulingCycle);
  clock.advance(1000);
  q.flushBackoffCompleted();
  const again = q.pop()!;
  assert.equal(again.podInfo.pod.metadata.name, 'changed');
  assert.equal(again.podInfo.pod.metadata.labels?.v, '2');
  assert.equal(q.pop(), undefined);
});

test('updating an unschedulable pod gives it another try', () => {
  const { clock, q } = setup();
  q.add(makePod().name('p').info());
  q.requeueFailed(q.pop()!, Status.unschedulable('x'), ['NodeAffinity'], q.schedulingCycle);
  clock.advance(1000);
  q.update(makePod().name('p').nodeSelector({ a: 'b' }).info());
  assert.deepEqual(names(q), ['p']);
});

test('popWait resolves when a pod arrives, and with undefined on close', async () => {
  const { q } = setup();
  const waiting = q.popWait();
  q.add(makePod().name('late').info());
  assert.equal((await waiting)?.podInfo.pod.metadata.name, 'late');
  const closed = q.popWait();
  q.close();
  assert.equal(await closed, undefined);
});

test('the sweeps run on the clock', () => {
  const { clock, q } = setup();
  q.run();
  q.add(makePod().name('p').info());
  q.requeueFailed(q.pop()!, Status.error(new Error('x')), [], q.schedulingCycle);
  clock.advance(1000);
  clock.advance(1000);
  assert.deepEqual(names(q), ['p']);
  q.close();
});

test('which events wake which unschedulable pods', async (t) => {
  const cases: Array<{ name: string; plugins: string[]; event: 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete'; wakes: boolean }> = [
    { name: 'resources: a pod deleted', plugins: ['NodeResourcesFit'], event: 'AssignedPodDelete', wakes: true },
    { name: 'resources: a pod bound elsewhere does not help', plugins: ['NodeResourcesFit'], event: 'AssignedPodAdd', wakes: false },
    { name: 'affinity: a pod bound may be the one it wants', plugins: ['InterPodAffinity'], event: 'AssignedPodAdd', wakes: true },
    { name: 'taint: node update', plugins: ['TaintToleration'], event: 'NodeUpdate', wakes: true },
    { name: 'several plugins: any of them', plugins: ['NodeAffinity', 'NodeResourcesFit'], event: 'AssignedPodDelete', wakes: true },
    { name: 'unknown plugin: every event', plugins: ['OutOfTree'], event: 'AssignedPodAdd', wakes: true },
    { name: 'no plugin recorded: every event', plugins: [], event: 'AssignedPodUpdate', wakes: true },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const { clock, q } = setup();
      q.add(makePod().name('p').info());
      q.requeueFailed(q.pop()!, Status.unschedulable('x'), c.plugins, q.schedulingCycle);
      clock.advance(1000);
      q.onClusterEvent(c.event);
      assert.equal(q.lengths.unschedulable, c.wakes ? 0 : 1);
      assert.equal(q.lengths.active, c.wakes ? 1 : 0);
    });
  }
});
