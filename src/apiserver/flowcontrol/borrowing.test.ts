/**
 * Seat borrowing between priority levels, as upstream's apf_controller.go (nominalCL, lendableCL,
 * borrowingCL; currentCL re-derived every 10 s from smoothed seat demand) and conc_alloc.go
 * (computeConcurrencyAllocation; the cases are from its conc_alloc_test.go).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PriorityLevelConfiguration } from '../../api/kinds/flowcontrol/priority-level-configuration.js';
import { ApfLimiter } from './apf-limiter.js';
import { allocate, BORROWING_PERIOD_MS } from './borrowing.js';
import { fakeClock, held, levels, limitedLevel, schemas, userGet, userSchema } from './testing/apf-fixtures.js';

const queuing = { type: 'Queue' as const, queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 } };
/** Two Limited levels beside the mandatory exempt one, 100 seats in all: busy (may borrow half its 50) and idle (lends all its 50). */
const pair: PriorityLevelConfiguration[] = [
  levels.find((p) => p.metadata.name === 'exempt')!,
  limitedLevel('busy', { nominalConcurrencyShares: 50, lendablePercent: 0, borrowingLimitPercent: 50, limitResponse: queuing }),
  limitedLevel('idle', { nominalConcurrencyShares: 50, lendablePercent: 100, limitResponse: queuing }),
];
const pairSchemas = [schemas.find((f) => f.metadata.name === 'exempt')!, userSchema('busy', 'busy', ['b']), userSchema('idle', 'idle', ['i'])];

/** Admits `n` requests of `user`: how many ran at once. */
function admitMany(l: ApfLimiter, user: string, n: number): { ran: number; held: ReturnType<typeof held>[] } {
  const out: ReturnType<typeof held>[] = [];
  let ran = 0;
  for (let i = 0; i < n; i++) {
    const res = held();
    const p = l.admit(res, userGet(user));
    if (p) p.catch(() => undefined); else ran++;
    out.push(res);
  }
  return { ran, held: out };
}

describe('APF borrowing', () => {
  it("computeConcurrencyAllocation: proportional to targets within bounds, summing to the required total", () => {
    const round = (xs: number[]) => xs.map((x) => Math.round(x));
    assert.deepEqual(round(allocate(100, [{ lowerBound: 10, upperBound: 100, target: 20 }, { lowerBound: 10, upperBound: 100, target: 60 }])), [25, 75]);
    assert.deepEqual(round(allocate(100, [{ lowerBound: 50, upperBound: 75, target: 85 }, { lowerBound: 40, upperBound: 150, target: 40 }, { lowerBound: 0, upperBound: 100, target: 0 }])), [60, 40, 0]);
    assert.deepEqual(allocate(10, [{ lowerBound: 5, upperBound: 5, target: 5 }, { lowerBound: 5, upperBound: 5, target: 5 }]), [5, 5]);
    assert.throws(() => allocate(10, [{ lowerBound: 6, upperBound: 6, target: 6 }, { lowerBound: 6, upperBound: 6, target: 6 }]), /lower bounds sum/);
  });

  it("an idle level's lendable seats let a busy level pass its nominal limit, never past its borrowing limit, and go back when the lender is busy", async () => {
    const clock = fakeClock();
    const l = new ApfLimiter(100, clock.now);
    l.setConfig(pairSchemas, pair);
    const limits = () => Object.fromEntries(['busy', 'idle'].map((n) => [n, l.series().currentLimits.get(n)]));
    assert.deepEqual(Object.fromEntries(['busy', 'idle'].map((n) => [n, l.series().nominalLimits.get(n)])), { busy: 50, idle: 50 });
    // Nobody asks for idle's seats: busy gets its 50 and borrows up to 50% more (75), idle lends.
    assert.deepEqual(limits(), { busy: 75, idle: 13 });
    const busy = admitMany(l, 'b', 85);
    assert.equal(busy.ran, 75, '75 of 85 run at once: 25 borrowed, none past borrowingLimitPercent');
    // idle gets 40 requests of demand; over the next period busy keeps 85 of demand.
    const idle = admitMany(l, 'i', 40);
    assert.equal(idle.ran, 13);
    clock.advance(BORROWING_PERIOD_MS);
    l.adjustBorrowing();
    // idle's lower bound is its demand (40, under its nominal 50); busy gives back what it borrowed.
    assert.deepEqual(limits(), { busy: 60, idle: 40 });
    await new Promise((r) => setImmediate(r));
    assert.equal(l.counts().executing.idle, 40, 'idle runs its 40 at once under the new limit');
    // busy runs 75 until 15 finish: the 16th finished seat is the first that dispatches a queued one.
    for (let i = 0; i < 15; i++) busy.held[i]!.emit('finish');
    assert.deepEqual([l.counts().executing.busy, l.counts().waiting.busy], [60, 10]);
    busy.held[15]!.emit('finish');
    assert.deepEqual([l.counts().executing.busy, l.counts().waiting.busy], [60, 9]);
  });
});
