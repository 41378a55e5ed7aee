/**
 * Labels as kube-apiserver reports them (endpoints/metrics CleanVerb and the route's verb; etcd3
 * metrics' type), and the request wrapper's counting of ordinary and long-running requests.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { parseResourcePath } from '../http/request-info.js';
import { apiserverRegistry } from './apiserver-metrics.js';
import { instrumentRequests, reportedVerb } from './request-metrics.js';
import { keyType } from './store-metrics.js';
import { parseExposition, samplesOf } from '../../testing/prometheus-text.js';

const verb = (method: string, path: string, ct?: string) => {
  const u = new URL(path, 'https://x');
  return reportedVerb(method, parseResourcePath(u.pathname), u.searchParams, ct);
};

test('reported verbs', () => {
  assert.equal(verb('GET', '/api/v1/namespaces/a/pods'), 'LIST');
  assert.equal(verb('GET', '/api/v1/namespaces/a/pods/p'), 'GET');
  assert.equal(verb('GET', '/api/v1/pods?watch=true'), 'WATCH');
  assert.equal(verb('GET', '/api/v1/watch/pods'), 'WATCH');
  assert.equal(verb('POST', '/apis/apps/v1/namespaces/a/deployments'), 'POST');
  assert.equal(verb('PUT', '/apis/apps/v1/namespaces/a/deployments/d'), 'PUT');
  assert.equal(verb('PATCH', '/apis/apps/v1/namespaces/a/deployments/d', 'application/merge-patch+json'), 'PATCH');
  assert.equal(verb('PATCH', '/apis/apps/v1/namespaces/a/deployments/d', 'application/apply-patch+yaml'), 'APPLY');
  assert.equal(verb('DELETE', '/api/v1/namespaces/a/pods/p'), 'DELETE');
  assert.equal(verb('DELETE', '/api/v1/namespaces/a/pods'), 'DELETECOLLECTION');
  assert.equal(verb('POST', '/api/v1/namespaces/a/pods/p/exec'), 'CONNECT');
  assert.equal(verb('GET', '/api/v1/namespaces/a/pods/p/log'), 'GET');
  assert.equal(verb('GET', '/healthz'), 'GET');
});

test('store key types', () => {
  assert.equal(keyType('/registry/core/pods/ns/a'), 'pods');
  assert.equal(keyType('/registry/apps/deployments/ns/a'), 'deployments.apps');
  assert.equal(keyType('/registry/core/nodes/'), 'nodes');
  assert.equal(keyType('/other'), 'unknown');
});

/** A request/response pair the wrapper can see finish. */
function exchange(method: string, url: string): { req: IncomingMessage; res: ServerResponse & EventEmitter; finish(code: number): void } {
  const req = { method, url, headers: {} } as IncomingMessage;
  const res = new EventEmitter() as ServerResponse & EventEmitter;
  return { req, res, finish: (code) => { res.statusCode = code; res.emit('finish'); res.emit('close'); } };
}

test('requests are counted once, timed unless long-running, and tracked while open', async () => {
  const read = async () => parseExposition(await apiserverRegistry.metrics());
  const value = (e: Awaited<ReturnType<typeof read>>, name: string, labels: Record<string, string>) => samplesOf(e, name, labels)[0]?.value ?? 0;
  const pending: ReturnType<typeof exchange>[] = [];
  const handler = instrumentRequests(() => undefined);
  const before = await read();
  const get = exchange('GET', '/api/v1/namespaces/rm-test/configmaps/c');
  const watch = exchange('GET', '/api/v1/namespaces/rm-test/configmaps?watch=1');
  pending.push(get, watch);
  for (const x of pending) handler(x.req, x.res);
  const open = await read();
  assert.equal(value(open, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps', scope: 'namespace' })
    - value(before, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps', scope: 'namespace' }), 1);
  assert.equal(value(open, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' }) - value(before, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' }), 1);
  get.finish(404);
  watch.finish(200);
  const done = await read();
  const labels = { verb: 'GET', resource: 'configmaps', scope: 'resource', code: '404', component: 'apiserver' };
  assert.equal(value(done, 'apiserver_request_total', labels) - value(before, 'apiserver_request_total', labels), 1, 'finish and close count once');
  assert.equal(value(done, 'apiserver_request_duration_seconds_count', { verb: 'GET', resource: 'configmaps' }) - value(before, 'apiserver_request_duration_seconds_count', { verb: 'GET', resource: 'configmaps' }), 1);
  assert.equal(value(done, 'apiserver_request_duration_seconds_count', { verb: 'WATCH', resource: 'configmaps' }), 0, 'watches are not timed');
  assert.equal(value(done, 'apiserver_request_total', { verb: 'WATCH', resource: 'configmaps', code: '200' }) - value(before, 'apiserver_request_total', { verb: 'WATCH', resource: 'configmaps', code: '200' }), 1);
  assert.equal(value(done, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps' }), value(before, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps' }));
});
