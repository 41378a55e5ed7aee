/**
 * Fair queuing per flow, as upstream's queueset.go and shufflesharding.go: a level's requests are
 * spread over `queues` by each flow's hand of `handSize` queues (flow = FlowSchema + distinguisher),
 * a flow can only fill its own hand (handSize x queueLengthLimit), and dispatch serves the queue
 * that is behind in virtual time, so a quiet flow is served ahead of a noisy flow's backlog.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ApfLimiter } from './apf-limiter.js';
import { dealHand, hashFlowId } from './shuffle-sharding.js';
import { fakeClock, held, is429, levels, limitedLevel, schemas, userGet, userSchema, type HeldResponse } from './testing/apf-fixtures.js';

/** Admits until the level is full: the responses holding its seats. */
function fillSeats(l: ApfLimiter, user: string): HeldResponse[] {
  const running: HeldResponse[] = [];
  for (;;) {
    const res = held();
    const queued = l.admit(res, userGet(user));
    if (queued) {
      queued.catch(() => undefined);
      return running;
    }
    running.push(res);
    assert.ok(running.length < 1000, 'the level has a limit');
  }
}

describe('APF fair queuing (shuffle sharding, virtual-time dispatch)', () => {
  it('deals upstream hands: distinct queues, stable per flow, different across flows', () => {
    const mallory = dealHand(hashFlowId('global-default', 'mallory'), 128, 6);
    assert.equal(new Set(mallory).size, 6);
    assert.ok(mallory.every((q) => q >= 0 && q < 128));
    assert.deepEqual(dealHand(hashFlowId('global-default', 'mallory'), 128, 6), mallory);
    assert.notDeepEqual(dealHand(hashFlowId('global-default', 'alice'), 128, 6), mallory);
    // Dealer.Deal on a known value: remainders 10 % 4 = 2, 2 % 3 = 2 -> cards 2, then 2 shifted past 2 = 3.
    assert.deepEqual(dealHand(10n, 4, 2), [2, 3]);
  });

  it("one user flooding global-default fills only its hand's queues and gets 429s; a second user is served before the flood's backlog", async () => {
    const clock = fakeClock();
    const l = new ApfLimiter(600, clock.now);
    // global-default as bootstrapped: 128 queues, hand of 6, 50 per queue; the flows are ByUser.
    l.setConfig(schemas, levels);
    const running = fillSeats(l, 'mallory');
    assert.ok(running.length >= 49, `global-default runs its nominal 49 seats at least (${running.length})`);
    // The flood: mallory's requests queue until its hand (6 queues x 50) is full.
    const order: string[] = [];
    let queued = 1; // the one fillSeats stopped at
    let refused = 0;
    for (let i = 0; i < 1000 && refused === 0; i++) {
      try {
        const p = l.admit(held(), userGet('mallory'));
        assert.ok(p, 'the level is full: mallory waits');
        p.then(() => order.push('mallory'), () => undefined);
        queued++;
      } catch (e) {
        assert.ok(is429(e as { code?: number }));
        refused++;
      }
    }
    assert.equal(refused, 1, 'mallory is refused once its queues are full');
    assert.equal(queued, 6 * 50, "mallory's flow holds exactly its hand's 6 queues of 50");
    // alice, same level, another flow: queued (not refused), and dispatched at the next free seat.
    const alice = l.admit(held(), userGet('alice'));
    assert.ok(alice, 'alice waits for a seat like everyone in the level');
    const aliceServed = alice.then(() => order.push('alice'));
    assert.throws(() => l.admit(held(), userGet('mallory')), is429, 'mallory still refused');
    running[0]!.emit('finish');
    await aliceServed;
    assert.deepEqual(order, ['alice'], "alice's request ran ahead of mallory's 300 queued ones");
    assert.throws(() => l.admit(held(), userGet('mallory')), is429, "while mallory's queues are still full");
    // The next seat goes back to mallory's backlog.
    running[1]!.emit('finish');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['alice', 'mallory']);
  });

  it('ByNamespace: the flow is the namespace, whoever sends (a second user in the same namespace shares its queue)', () => {
    // A level of 3 seats (no borrowing) with 16 queues of 1, a hand of 1.
    const tenants = limitedLevel('tenants', { nominalConcurrencyShares: 1, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 1, queueLengthLimit: 1 } } });
    const l = new ApfLimiter(600, fakeClock().now);
    l.setConfig([...schemas, userSchema('tenants', 'tenants', ['u1', 'u2'], 'ByNamespace')], [...levels, tenants]);
    const hand = (ns: string) => dealHand(hashFlowId('tenants', ns), 16, 1)[0];
    const other = ['b', 'c', 'd', 'e', 'f'].find((ns) => hand(ns) !== hand('a'))!;
    for (let i = 0; i < 3; i++) assert.equal(l.admit(held(), userGet('u1', 'a')), undefined, 'runs: 3 seats');
    l.admit(held(), userGet('u1', 'a'))!.catch(() => undefined);
    assert.throws(() => l.admit(held(), userGet('u2', 'a')), is429, "u2 in namespace a: a's one queue is full");
    const p = l.admit(held(), userGet('u2', other));
    assert.ok(p, `u2 in namespace ${other}: another queue, waiting`);
    p.catch(() => undefined);
  });
});
