/** The node's small registry writes text a real exposition parser reads back, series by series. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from './exposition.js';
import { parseExposition, samplesOf } from '../testing/prometheus-text.js';

test('counters, gauges and histograms with labels round-trip through the exposition parser', () => {
  const r = new Registry();
  const c = r.register(new Counter('x_requests_total', 'Requests "quoted"\nand a newline.', ['code']));
  const g = r.register(new Gauge('x_inflight', 'In flight.'));
  const h = r.register(new Histogram('x_seconds', 'Latency.', [0.1, 1], ['op']));
  c.inc({ code: '200' });
  c.inc({ code: '200' }, 2);
  c.inc({ code: 'a"b\\c' });
  g.set({}, 5);
  g.dec();
  h.observe({ op: 'get' }, 0.05);
  h.observe({ op: 'get' }, 0.5);
  h.observe({ op: 'get' }, 5);
  const e = parseExposition(r.text());
  assert.deepEqual(Object.fromEntries(e.types), { x_requests_total: 'counter', x_inflight: 'gauge', x_seconds: 'histogram' });
  assert.equal(samplesOf(e, 'x_requests_total', { code: '200' })[0]?.value, 3);
  assert.equal(samplesOf(e, 'x_requests_total', { code: 'a"b\\c' })[0]?.value, 1);
  assert.equal(samplesOf(e, 'x_inflight')[0]?.value, 4);
  assert.deepEqual(samplesOf(e, 'x_seconds_bucket', { op: 'get' }).map((s) => [s.labels.le, s.value]), [['0.1', 1], ['1', 2], ['+Inf', 3]]);
  assert.equal(samplesOf(e, 'x_seconds_count', { op: 'get' })[0]?.value, 3);
  assert.equal(samplesOf(e, 'x_seconds_sum', { op: 'get' })[0]?.value, 5.55);
});

// Prometheus parses values with Go's ParseFloat (special values in any case); prom-client, which
// the components' default process metrics use, writes NaN as `Nan` (an idle event-loop lag gauge).
test('the check reads special values as Prometheus does', () => {
  const e = parseExposition('# TYPE a gauge\na{v="1"} Nan\na{v="2"} NaN\na{v="3"} -Inf\na{v="4"} +inf\na{v="5"} Infinity\n');
  assert.deepEqual(e.samples.map((s) => s.value), [NaN, NaN, -Infinity, Infinity, Infinity]);
});

test('the check fails on invalid text', () => {
  assert.throws(() => parseExposition('# TYPE a counter\na{x=1} 3\n'), /invalid line/);
  assert.throws(() => parseExposition('# TYPE a counter\na 3 x\n'), /not a sample line/);
  assert.throws(() => parseExposition('# TYPE a counter\na three\n'), /not a sample value/);
  assert.throws(() => parseExposition('a 3\n'), /no TYPE/);
  assert.throws(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), /decrease/);
});
