/**
 * KindResolver's discovery cache against a scripted server (no I/O, a hand-driven clock): what a
 * CRD's arrival, removal or a mistyped kind cost in discovery requests, and when the cache answers
 * from the server again. The end-to-end case (the garbage collector and a second CRD in a known
 * group-version) is in controllers/garbage-collector/unobserved-owner.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure } from '../api/status.js';
import { KindResolver } from './kind-resolver.js';

const widget = { name: 'widgets', kind: 'Widget', namespaced: true };
const gadget = { name: 'gadgets', kind: 'Gadget', namespaced: false };

/** A server whose `/apis/example.com/v1` serves `served` (404 when undefined), counting requests. */
function scripted() {
  const s = {
    served: [widget] as (typeof widget)[] | undefined,
    requests: 0,
    time: 0,
    fetchJson: async (path: string): Promise<unknown> => {
      assert.equal(path, '/apis/example.com/v1');
      s.requests++;
      if (!s.served) throw failure(404, 'NotFound', 'the server could not find the requested resource');
      return { kind: 'APIResourceList', resources: [...s.served, { name: `${s.served[0]?.name}/status`, kind: 'Gadget', namespaced: true }] };
    },
  };
  const resolver = new KindResolver(s.fetchJson, undefined, { missRefreshMs: 1000, maxAgeMs: 30_000, now: () => s.time });
  return { s, resolver, resolve: (kind: string) => resolver.resolve('example.com/v1', kind) };
}

test('a kind added to a cached group-version is found by refetching on the miss, at most once a second', async () => {
  const { s, resolve } = scripted();
  assert.equal((await resolve('Widget')).resource, 'widgets');
  s.served = [widget, gadget];
  s.time = 200;
  // Too soon after the last request: the cached answer stands (and a subresource's kind is no match).
  await assert.rejects(resolve('Gadget'), /no resource serves kind Gadget in example.com\/v1/);
  assert.equal(s.requests, 1);
  s.time = 1200;
  assert.deepEqual(await resolve('Gadget'), { group: 'example.com', version: 'v1', resource: 'gadgets', namespaced: false, kind: 'Gadget' });
  assert.equal(s.requests, 2);
  assert.equal((await resolve('Gadget')).resource, 'gadgets', 'a hit is served from the cache');
  assert.equal(s.requests, 2);
});

test('a kind nobody serves costs one discovery request per group-version a second, however often asked', async () => {
  const { s, resolve } = scripted();
  await resolve('Widget');
  for (let t = 0; t < 5000; t += 100) {
    s.time = t;
    await Promise.all([resolve('Typo').catch(() => undefined), resolve('Typo').catch(() => undefined)]);
  }
  // The first request at t=0, then one at 1000, 2000, 3000, 4000.
  assert.equal(s.requests, 5);
});

test('a removed kind stops resolving: on invalidate() at once, else when the document ages out', async () => {
  const { s, resolver, resolve } = scripted();
  s.served = [widget, gadget];
  await resolve('Gadget');
  s.served = [widget];
  s.time = 29_000;
  assert.equal((await resolve('Gadget')).resource, 'gadgets', 'still cached');
  s.time = 30_000;
  await assert.rejects(resolve('Gadget'), /no resource serves kind Gadget/);
  s.served = [widget, gadget];
  assert.equal((await resolve('Widget')).resource, 'widgets');
  resolver.invalidate();
  s.served = [gadget];
  await assert.rejects(resolve('Widget'), /no resource serves kind Widget/);
  assert.equal(s.requests, 3, 'the first lookup, the aged-out one, the one after invalidate()');
});

test('a group-version the server does not serve is cached as serving nothing; other failures are not cached', async () => {
  const { s, resolve } = scripted();
  s.served = undefined;
  await assert.rejects(resolve('Widget'), /no resource serves kind Widget/);
  await assert.rejects(resolve('Widget'), /no resource serves kind Widget/);
  assert.equal(s.requests, 1, 'the 404 answer is reused within the second');
  s.served = [widget];
  s.time = 1000;
  assert.equal((await resolve('Widget')).resource, 'widgets', 'the CRD now served');

  const failing = new KindResolver(async () => { throw failure(503, 'ServiceUnavailable', 'restarting'); }, undefined, { now: () => 0 });
  await assert.rejects(failing.resolve('example.com/v1', 'Widget'), /restarting/);
  const recovered: string[] = [];
  const later = new KindResolver(async (p) => {
    recovered.push(p);
    if (recovered.length === 1) throw failure(503, 'ServiceUnavailable', 'restarting');
    return { resources: [widget] };
  }, undefined, { now: () => 0 });
  await assert.rejects(later.resolve('example.com/v1', 'Widget'), /restarting/);
  assert.equal((await later.resolve('example.com/v1', 'Widget')).resource, 'widgets', 'retried at once after a failure');
});
