/**
 * SeriesHistogram's exposition is prom-client's Histogram's: cumulative buckets, +Inf, _sum and
 * _count per label set, in the registry's text format.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { SeriesHistogram } from './series-histogram.js';

test('the same text as a prom-client Histogram fed the same observations', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const opts = { name: 'sh_test_seconds', help: 'Test.', labelNames: ['verb', 'resource'] as const, buckets: [0.005, 0.025, 0.1] };
  const h = new SeriesHistogram({ ...opts, registers: [ours] });
  const p = new Histogram({ ...opts, registers: [theirs] });
  const observations: [string, string, number][] = [['GET', 'pods', 0.001], ['GET', 'pods', 0.02], ['POST', 'pods', 0.5], ['GET', 'pods', 0.025], ['GET', 'nodes', 0.1]];
  for (const [verb, resource, v] of observations) {
    h.observe(h.seriesOf({ verb, resource }), v);
    p.observe({ verb, resource }, v);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
  assert.ok((await ours.metrics()).includes('sh_test_seconds_bucket{le="0.025",verb="GET",resource="pods"} 3'));
  assert.deepEqual(await h.get(), await p.get());
  assert.equal(h.seriesOf({ verb: 'GET', resource: 'pods' }), h.seriesOf({ verb: 'GET', resource: 'pods' }), 'one series per label set');
  ours.resetMetrics();
  assert.ok(!(await ours.metrics()).includes('sh_test_seconds_count'));
});
