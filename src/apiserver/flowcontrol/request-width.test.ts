/**
 * Requests wider than a seat in the limiter, as upstream's queueset.go handles WorkEstimates: a
 * request reserves max(initial, final) seats from dispatch, a queue's head that does not fit holds
 * up its queue (no accommodation), final seats stay taken for the additional latency after the
 * answer, final seats wider than the limit are narrowed with the latency stretched to keep the work,
 * a Reject level runs a request wider than its limit only when nothing executes, and exempt levels
 * keep nothing after the answer. The estimator is a stub here (work-estimator.test.ts tests it).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PriorityLevelConfiguration } from '../../api/kinds/flowcontrol/priority-level-configuration.js';
import { ApfLimiter } from './apf-limiter.js';
import type { RequestDigest } from './classify.js';
import { digest, fakeClock, held, is429, levels, limitedLevel, schemas, userSchema, withLevel } from './testing/apf-fixtures.js';
import type { WorkEstimate } from './work-estimator.js';

const alice = digest('alice', [], 'get', '', 'pods', 'default');
const bobList = digest('bob', [], 'list', '', 'pods', 'default');
const write = (user: string, groups: string[] = []) => digest(user, groups, 'create', '', 'pods', 'default');

/** A limiter whose estimates are `work` (by verb; one seat otherwise) and whose delayed releases the test runs. */
function limiter(config: PriorityLevelConfiguration[], work: Record<string, WorkEstimate>, extraSchemas = schemas) {
  const timers: { fn: () => void; ms: number }[] = [];
  const l = new ApfLimiter(600, fakeClock().now, {
    estimator: { estimate: (d: RequestDigest) => work[d.verb] ?? { initialSeats: 1, finalSeats: 0, additionalLatencyMs: 0 } },
    schedule: (fn, ms) => timers.push({ fn, ms }),
  });
  l.setConfig(extraSchemas, config);
  return { l, timers };
}
const seats = (l: ApfLimiter, level: string) => [...l.series().executingSeats].filter(([k]) => k.startsWith(`${level}\0`)).reduce((n, [, v]) => n + v, 0);

/** A level of `nominal` seats out of 600 (the others' shares made up to 1000), lending and borrowing none. */
function smallLevel(name: string, nominal: number, limitResponse: NonNullable<NonNullable<PriorityLevelConfiguration['spec']>['limited']>['limitResponse']): PriorityLevelConfiguration[] {
  const low = levels.find((p) => p.metadata.name === 'workload-low')!.spec!;
  return [...withLevel('workload-low', { ...low, limited: { ...low.limited, nominalConcurrencyShares: 855 - nominal } }), limitedLevel(name, { nominalConcurrencyShares: nominal, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse })];
}

describe('APF requests wider than a seat', () => {
  const oneQueue = withLevel('global-default', { type: 'Limited', limited: { nominalConcurrencyShares: 20, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 10 } } } });

  it('a 3-seat list waits with 2 seats free, and a request behind it in its queue waits too; it runs when a third seat frees', async () => {
    const { l } = limiter(oneQueue, { list: { initialSeats: 3, finalSeats: 0, additionalLatencyMs: 0 } });
    const running = Array.from({ length: 47 }, () => held());
    for (const r of running) assert.equal(l.admit(r, alice), undefined);
    const list = l.admit(held(), bobList);
    assert.ok(list, 'the list waits for 3 seats');
    const behind = l.admit(held(), alice);
    assert.ok(behind, 'the get behind it waits although a seat is free (upstream dispatches no other head meanwhile)');
    assert.deepEqual([seats(l, 'global-default'), l.series().waitingSeats.get('global-default\0global-default')], [47, 4]);
    running[0]!.emit('finish');
    await list;
    assert.equal(seats(l, 'global-default'), 49);
    running[1]!.emit('finish');
    await behind;
    assert.equal(seats(l, 'global-default'), 49);
  });

  it("a write's final seats stay taken after its answer until its additional latency has passed", () => {
    const { l, timers } = limiter(oneQueue, { create: { initialSeats: 1, finalSeats: 4, additionalLatencyMs: 7.5 } });
    const res = held();
    assert.equal(l.admit(res, write('alice')), undefined);
    assert.equal(seats(l, 'global-default'), 4, 'max(initial, final) seats reserved at dispatch');
    res.emit('finish');
    assert.deepEqual([l.series().executing.get('global-default\0global-default'), seats(l, 'global-default'), timers.map((t) => t.ms)], [0, 4, [7.5]]);
    timers[0]!.fn();
    assert.equal(seats(l, 'global-default'), 0);
  });

  it('final seats wider than the limit are narrowed to it and their latency stretched (the same seat-seconds)', async () => {
    const { l, timers } = limiter(smallLevel('w2', 2, { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 5 } }), { create: { initialSeats: 1, finalSeats: 4, additionalLatencyMs: 5 } }, [...schemas, userSchema('w2', 'w2', ['carol'])]);
    assert.equal(l.limitOf('w2'), 2);
    const res = held();
    await l.admit(res, write('carol'));
    assert.equal(seats(l, 'w2'), 2, 'narrowed to the 2 seats of the level, run although wider (nothing else executes)');
    res.emit('finish');
    assert.deepEqual(timers.map((t) => t.ms), [10]);
    timers[0]!.fn();
    assert.equal(seats(l, 'w2'), 0);
  });

  it('a Reject level runs a request wider than its limit only when nothing else executes', () => {
    const { l } = limiter(smallLevel('jail', 1, { type: 'Reject' }), { list: { initialSeats: 3, finalSeats: 0, additionalLatencyMs: 0 } }, [...schemas, userSchema('jail', 'jail', ['bob'])]);
    const list = held();
    assert.equal(l.admit(list, bobList), undefined, 'wider than the 1-seat level, but alone');
    assert.throws(() => l.admit(held(), digest('bob', [], 'get', '', 'pods', 'default')), is429);
    list.emit('finish');
    assert.equal(l.admit(held(), digest('bob', [], 'get', '', 'pods', 'default')), undefined);
  });

  it('exempt requests hold no final seats after their answer', () => {
    const { l, timers } = limiter(levels, { create: { initialSeats: 1, finalSeats: 4, additionalLatencyMs: 5 } });
    const res = held();
    assert.equal(l.admit(res, write('admin', ['system:masters'])), undefined);
    res.emit('finish');
    assert.deepEqual([seats(l, 'exempt'), timers.length], [0, 0]);
  });
});
