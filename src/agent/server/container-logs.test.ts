/**
 * The node agent's log query as the kubelet decodes PodLogOptions (apimachinery's conversions): the
 * booleans follow the one upstream rule, so `follow=True` (the Python client's spelling) follows.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseLogQuery } from './container-logs.js';

test('log booleans: "0"/"false" in any case are false, other values true, absent false', () => {
  const o = parseLogQuery(new URLSearchParams('follow=True&previous=FALSE&timestamps=1'), 1_000_000);
  assert.deepEqual({ follow: o.follow, previous: o.previous, timestamps: o.timestamps }, { follow: true, previous: false, timestamps: true });
  const d = parseLogQuery(new URLSearchParams(''), 1_000_000);
  assert.deepEqual({ follow: d.follow, previous: d.previous, timestamps: d.timestamps }, { follow: false, previous: false, timestamps: false });
  assert.equal(parseLogQuery(new URLSearchParams('sinceSeconds=10'), 1_000_000).sinceMillis, 990_000);
});
