/**
 * The debug endpoints' text as upstream writes it (apf_controller_debug.go through Go's
 * text/tabwriter with minwidth 8, padding 1, spaces; durations as time.Duration.String(); R as
 * SeatSeconds.String()), and the rows of a limiter's levels, queues and waiting requests.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ApfLimiter } from './apf-limiter.js';
import { dumpPriorityLevels, dumpQueues, dumpRequests, goDuration, tabAlign } from './debug-dump.js';
import { QueueSet } from './queue-set.js';
import { digest, fakeClock, held, schemas, withLevel } from './testing/apf-fixtures.js';

describe('APF debug dumps', () => {
  it("aligns cells as Go's tabwriter: each column but the last padded to its widest cell plus one, at least 8", () => {
    assert.equal(tabAlign([['PriorityLevelName', 'ActiveQueues', 'IsIdle'], ['exempt', '0', 'true'], ['a', '12', 'false']]),
      'PriorityLevelName, ActiveQueues, IsIdle\n'
      + 'exempt,            0,            true\n'
      + 'a,                 12,           false\n');
    assert.equal(tabAlign([['a', 'b'], ['c', 'd']]), 'a,      b\nc,      d\n');
  });

  it('formats durations as Go and R as seat-seconds', () => {
    assert.deepEqual([0, 5, 1.5, 0.25, 0.0005, 1500, 90_000, 3_600_000].map(goDuration), ['0s', '5ms', '1.5ms', '250µs', '500ns', '1.5s', '1m30s', '1h0m0s']);
    assert.deepEqual([0, 3, 0.5, 12.345678901].map(QueueSet.seatSeconds), ['0.00000000ss', '3.00000000ss', '0.50000000ss', '12.34567890ss']);
  });

  it('shows each level, its queues and its waiting requests', () => {
    const small = withLevel('global-default', { type: 'Limited', limited: { nominalConcurrencyShares: 20, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 2, handSize: 1, queueLengthLimit: 5 } } } });
    const l = new ApfLimiter(600, fakeClock().now);
    l.setConfig(schemas, small);
    const alice = { ...digest('alice', [], 'get', '', 'pods', 'default'), name: 'p', version: 'v1', path: '/api/v1/namespaces/default/pods/p' };
    for (let i = 0; i < 49; i++) assert.equal(l.admit(held(), alice), undefined);
    void l.admit(held(), alice)?.catch(() => undefined);
    const levels = l.dump();
    const row = (text: string, name: string) => text.split('\n').find((x) => x.startsWith(`${name},`))!.split(/,\s*/);
    assert.deepEqual(row(dumpPriorityLevels(levels), 'global-default'), ['global-default', '1', 'false', 'false', '1', '49', '49', '0', '0', '0']);
    assert.deepEqual(levels.map((x) => x.name), [...levels.map((x) => x.name)].sort());
    const queues = dumpQueues(levels).split('\n').filter((x) => x.startsWith('global-default,')).map((x) => x.split(/,\s*/));
    // Alice's hand is one of the 2 queues: 1 pending, 49 executing on 49 seats, 1 seat x 3 s waiting.
    assert.equal(queues.length, 2);
    assert.deepEqual(queues.find((q) => q[2] === '1')!.slice(2), ['1', '49', '49', queues.find((q) => q[2] === '1')![5], '1', '1', '3.00000000ss']);
    const req = row(dumpRequests(levels, true), 'global-default');
    assert.deepEqual([req[1], req[4], req[6], req[7], req[8], req[9], req[10], req[11], req[12], req[13], req[14], req[15], req[16]],
      ['global-default', 'alice', '1', '0', '0s', 'alice', 'get', '/api/v1/namespaces/default/pods/p', 'default', 'p', 'v1', 'pods', '']);
    assert.match(req[5]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.match(dumpRequests(levels, false).split('\n')[0]!, /^PriorityLevelName, FlowSchemaName, QueueIndex, RequestIndexInQueue, FlowDistingsher, ArriveTime, +InitialSeats, FinalSeats, AdditionalLatency$/);
  });
});
