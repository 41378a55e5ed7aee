/**
 * The work estimator, table-driven with the rows of upstream's TestWorkEstimator
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request/width_test.go, v1.32, consistent reads
 * from storage), plus the object count tracker's staleness and the watch tracker's keys and
 * pod index (object_count_tracker_test.go, watch_tracker_test.go).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RequestDigest } from './classify.js';
import { ObjectCountTracker, STALE_AFTER_MS } from './object-count-tracker.js';
import { WatchTracker } from './watch-tracker.js';
import { levelMaxSeats, WorkEstimator, type WorkEstimate } from './work-estimator.js';
import { fakeClock } from './testing/apf-fixtures.js';

interface Row {
  name: string;
  uri: string;
  verb: string;
  resource?: string;
  reqName?: string;
  count?: number | 'stale' | 'not-found';
  watchCount?: number;
  maxSeats?: number;
  want: [initial: number, final?: number, latencyMs?: number];
}

const rows: Row[] = [
  { name: 'request verb is not list', uri: '/apis/', verb: 'get', maxSeats: 10, want: [1] },
  { name: 'list, conversion to ListOptions returns error', uri: '/apis/foo.bar/v1/events?limit=invalid', verb: 'list', count: 799, maxSeats: 10, want: [10] },
  { name: 'list, has limit and resource version is 1', uri: '/apis/foo.bar/v1/events?limit=399&resourceVersion=1', verb: 'list', count: 699, maxSeats: 10, want: [8] },
  { name: 'list, limit not set', uri: '/apis/foo.bar/v1/events?resourceVersion=1', verb: 'list', count: 699, maxSeats: 10, want: [7] },
  { name: 'list, resource version not set', uri: '/apis/foo.bar/v1/events?limit=399', verb: 'list', count: 699, maxSeats: 10, want: [8] },
  { name: 'list, no query parameters, count known', uri: '/apis/foo.bar/v1/events', verb: 'list', count: 399, maxSeats: 10, want: [8] },
  { name: 'list, no query parameters, count not known', uri: '/apis/foo.bar/v1/events', verb: 'list', count: 'not-found', maxSeats: 10, want: [1] },
  { name: 'list, continuation is set', uri: '/apis/foo.bar/v1/events?continue=token&limit=399', verb: 'list', count: 699, maxSeats: 10, want: [8] },
  { name: 'list, resource version is zero', uri: '/apis/foo.bar/v1/events?limit=299&resourceVersion=0', verb: 'list', count: 399, maxSeats: 10, want: [4] },
  { name: 'list, resource version is zero, no limit', uri: '/apis/foo.bar/v1/events?resourceVersion=0', verb: 'list', count: 799, want: [8] },
  { name: 'list, resource version match is Exact', uri: '/apis/foo.bar/v1/events?resourceVersion=foo&resourceVersionMatch=Exact&limit=399', verb: 'list', count: 699, maxSeats: 10, want: [8] },
  { name: 'list, resource version match is NotOlderThan, limit not specified', uri: '/apis/foo.bar/v1/events?resourceVersion=foo&resourceVersionMatch=NotOlderThan', verb: 'list', count: 799, maxSeats: 10, want: [8] },
  { name: 'list, maximum is capped', uri: '/apis/foo.bar/v1/events?resourceVersion=foo', verb: 'list', count: 1999, maxSeats: 10, want: [10] },
  { name: 'list, maximum is capped, lower max seats', uri: '/apis/foo.bar/v1/events?resourceVersion=foo', verb: 'list', count: 1999, maxSeats: 5, want: [5] },
  { name: 'list, list from cache, count not known', uri: '/apis/foo.bar/v1/events?resourceVersion=0&limit=799', verb: 'list', count: 'not-found', maxSeats: 10, want: [1] },
  { name: 'list, object count is stale', uri: '/apis/foo.bar/v1/events?limit=499', verb: 'list', count: 'stale', maxSeats: 10, want: [10] },
  { name: 'list, metadata.name specified', uri: '/apis/foo.bar/v1/events?fieldSelector=metadata.name%3Dtest', verb: 'list', reqName: 'test', count: 799, maxSeats: 10, want: [1] },
  { name: 'list, metadata.name, resourceVersion and limit specified', uri: '/apis/foo.bar/v1/events?fieldSelector=metadata.name%3Dtest&limit=500&resourceVersion=0', verb: 'list', reqName: 'test', count: 799, maxSeats: 10, want: [1] },
  { name: 'list with a label selector from storage: count + limit', uri: '/apis/foo.bar/v1/events?labelSelector=a%3Db&limit=100', verb: 'list', count: 699, maxSeats: 10, want: [8] },
  { name: 'watch, sendInitialEvents is nil', uri: '/apis/foo.bar/v1/events?watch=true', verb: 'watch', count: 799, want: [1] },
  { name: 'watch, sendInitialEvents is false', uri: '/apis/foo.bar/v1/events?watch=true&sendInitialEvents=false', verb: 'watch', count: 799, want: [1] },
  { name: 'watch, sendInitialEvents is true', uri: '/apis/foo.bar/v1/events?watch=true&sendInitialEvents=true', verb: 'watch', count: 799, want: [8] },
  { name: 'create, no watches', uri: '/apis/foo.bar/v1/foos', verb: 'create', resource: 'foos', maxSeats: 10, want: [1, 0, 0] },
  { name: 'create, watches registered', uri: '/apis/foo.bar/v1/foos', verb: 'create', resource: 'foos', watchCount: 29, maxSeats: 10, want: [1, 3, 5] },
  { name: 'create, watches registered, no additional latency', uri: '/apis/foo.bar/v1/foos', verb: 'create', resource: 'foos', watchCount: 5, maxSeats: 10, want: [1, 0, 0] },
  { name: 'create, watches registered, maximum is capped', uri: '/apis/foo.bar/v1/foos', verb: 'create', resource: 'foos', watchCount: 199, maxSeats: 10, want: [1, 10, 10] },
  { name: 'update, watches registered', uri: '/apis/foo.bar/v1/foos/myfoo', verb: 'update', resource: 'foos', watchCount: 29, maxSeats: 10, want: [1, 3, 5] },
  { name: 'patch, watches registered', uri: '/apis/foo.bar/v1/foos/myfoo', verb: 'patch', resource: 'foos', watchCount: 29, maxSeats: 10, want: [1, 3, 5] },
  { name: 'patch, watches registered, lower max seats', uri: '/apis/foo.bar/v1/foos/myfoo', verb: 'patch', resource: 'foos', watchCount: 100, maxSeats: 5, want: [1, 5, 10] },
  { name: 'delete, watches registered', uri: '/apis/foo.bar/v1/foos/myfoo', verb: 'delete', resource: 'foos', watchCount: 29, maxSeats: 10, want: [1, 3, 5] },
  { name: 'creating token for service account', uri: '/api/v1/namespaces/foo/serviceaccounts/default/token', verb: 'create', resource: 'serviceaccounts/token', watchCount: 5777, maxSeats: 10, want: [1, 0, 0] },
  { name: 'creating service account', uri: '/api/v1/namespaces/foo/serviceaccounts', verb: 'create', resource: 'serviceaccounts', watchCount: 1000, maxSeats: 10, want: [1, 10, 50] },
];

/** A digest as the router makes it: group foo.bar (resource events unless given). */
function digestOf(r: Row): RequestDigest {
  const url = new URL(r.uri, 'https://server');
  return { user: 'u', groups: [], verb: r.verb, isResource: r.uri !== '/apis/', apiGroup: 'foo.bar', resource: r.resource ?? 'events', namespace: '', path: url.pathname, query: url.searchParams, ...(r.reqName ? { name: r.reqName } : {}) };
}

/** Trackers answering the row's count and watch count. */
function estimatorFor(r: Row): WorkEstimator {
  const clock = fakeClock();
  const counts = new ObjectCountTracker(clock.now);
  if (typeof r.count === 'number' || r.count === 'stale') counts.set('events.foo.bar', typeof r.count === 'number' ? r.count : 799);
  if (r.count === 'stale') clock.advance(STALE_AFTER_MS + 1);
  const watches = new WatchTracker();
  const resource = (r.resource ?? 'events').split('/')[0]!;
  for (let i = 0; i < (r.watchCount ?? 0); i++) watches.register('foo.bar', resource, '', undefined, undefined);
  return new WorkEstimator(counts, watches);
}

describe('APF work estimator (upstream TestWorkEstimator)', () => {
  for (const r of rows) {
    it(r.name, () => {
      const got: WorkEstimate = estimatorFor(r).estimate(digestOf(r), r.maxSeats ?? 0);
      const [initial, final = 0, latency = 0] = r.want;
      assert.deepEqual({ initial: got.initialSeats, final: got.finalSeats, latency: got.additionalLatencyMs }, { initial, final, latency });
    });
  }

  it("a level's max seats: MAX(1, MIN(ceil(0.15 nominalCL), nominalCL / handSize)), as apf_controller.go", () => {
    // The bootstrap global-default with the default 600 seats: nominal 49, hand 6 -> min(8, 8); workload-low: 245, 6 -> min(37, 40).
    assert.deepEqual([levelMaxSeats(49, 6), levelMaxSeats(245, 6), levelMaxSeats(7, 1), levelMaxSeats(4, 1), levelMaxSeats(1, 8)], [8, 37, 2, 1, 1]);
  });
});

describe('APF trackers', () => {
  it('object counts: fresh, stale after 3 minutes, kept on a failed count (-1), forgotten after an hour', () => {
    const clock = fakeClock();
    const t = new ObjectCountTracker(clock.now);
    assert.equal(t.get('pods'), 'not-found');
    t.set('pods', 12);
    t.set('pods', -1);
    assert.equal(t.get('pods'), 12);
    clock.advance(STALE_AFTER_MS + 1);
    assert.equal(t.get('pods'), 'stale');
    clock.advance(60 * 60_000);
    t.prune();
    assert.equal(t.get('pods'), 'not-found');
  });

  it('watches: a write interests the watches of its resource, namespace and name; a pod watch of one node is not counted', () => {
    const w = new WatchTracker();
    const q = (s: string) => new URLSearchParams(s);
    const forget = w.register('', 'configmaps', '', undefined, undefined);
    w.register('', 'configmaps', 'a', undefined, undefined);
    w.register('', 'configmaps', 'a', undefined, q('fieldSelector=metadata.name%3Dx'));
    w.register('', 'configmaps', 'b', 'y', undefined);
    w.register('', 'pods', '', undefined, q('fieldSelector=spec.nodeName%3Dn1'));
    w.register('', 'pods', '', undefined, q('fieldSelector=spec.nodeName%3D'));
    assert.deepEqual([w.interested('', 'configmaps', 'a', 'x'), w.interested('', 'configmaps', 'a', ''), w.interested('', 'configmaps', 'b', 'y'), w.interested('', 'configmaps', 'c', 'z')], [3, 2, 2, 1]);
    assert.equal(w.interested('', 'pods', 'default', 'p'), 1, 'only the unscheduled pods\' watch');
    forget();
    forget();
    assert.equal(w.interested('', 'configmaps', 'c', 'z'), 0);
  });
});
