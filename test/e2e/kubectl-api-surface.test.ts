/**
 * The real kubectl (1.32) at the edges of what Bosun serves: a kind it does not serve, and the
 * create-only collections clients post to (`bindings`, `selfsubjectreviews`). Each answer is
 * upstream's: kubectl validates a kind with no OpenAPI v3 document (or no PATCH path in it, as
 * Binding) client-side from /openapi/v2 in protobuf and then reports the missing kind, and a Binding
 * manifest goes to POST .../bindings (LegacyBindingREST).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { RawClient } from '../../src/testing/raw-client.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const NS = `e2e-surface-${process.pid}`;

// A kind no Bosun serves (and no CRD, which Bosun does not serve either, can define).
const widget = `apiVersion: widgets.example.com/v1
kind: Widget
metadata:
  name: w1
  namespace: ${NS}
spec:
  size: 3
`;

describe('kubectl and the API surface', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await kubectlOk(s, ['create', 'namespace', NS]);
  });
  after(() => s?.stop());

  test('apply of a kind Bosun does not serve says "no matches for kind", not a validation error', async () => {
    const r = await s.kubectl(['apply', '-f', '-'], { input: widget });
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stderr, /error validating data/, r.stderr);
    assert.match(r.stderr, /no matches for kind "Widget" in version "widgets\.example\.com\/v1"/, r.stderr);
  });

  test('api-resources lists bindings with the create verb only', async () => {
    const out = await kubectlOk(s, ['api-resources', '--api-group=', '-o', 'wide', '--no-headers']);
    const row = out.split('\n').find((l) => l.startsWith('bindings '));
    assert.ok(row, out);
    assert.deepEqual(row.trim().split(/\s+/), ['bindings', 'v1', 'true', 'Binding', 'create']);
  });

  test('a Binding manifest binds its pod through the bindings collection', async () => {
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], {
      input: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"unbound"},"spec":{"schedulerName":"none","containers":[{"name":"c","image":"busybox"}]}}`,
    });
    const out = await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], {
      input: `{"apiVersion":"v1","kind":"Binding","metadata":{"name":"unbound"},"target":{"apiVersion":"v1","kind":"Node","name":"node-a"}}`,
    });
    // The answer is a Status (upstream's BindingREST returns one), which kubectl's name printer shows so.
    assert.match(out, /^status\/<unknown> created$/m);
    assert.equal(await kubectlOk(s, ['-n', NS, 'get', 'pod', 'unbound', '-o', 'jsonpath={.spec.nodeName}']), 'node-a');
    // Already bound: the same 409 as pods/unbound/binding.
    const again = await s.kubectl(['-n', NS, 'create', '-f', '-'], {
      input: `{"apiVersion":"v1","kind":"Binding","metadata":{"name":"unbound"},"target":{"kind":"Node","name":"node-b"}}`,
    });
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /pod unbound is already assigned to node "node-a"/, again.stderr);
  });

  test('auth whoami answers from the SelfSubjectReview collection (authentication.k8s.io/v1)', async () => {
    const out = JSON.parse(await kubectlOk(s, ['auth', 'whoami', '-o', 'json']));
    assert.equal(out.apiVersion, 'authentication.k8s.io/v1');
    assert.equal(out.kind, 'SelfSubjectReview');
    assert.equal(out.status.userInfo.username, 'system:admin');
    assert.ok(out.status.userInfo.groups.includes('system:masters'), JSON.stringify(out));
    assert.ok(out.status.userInfo.groups.includes('system:authenticated'), JSON.stringify(out));
    assert.match(await kubectlOk(s, ['auth', 'whoami']), /^Username\s+system:admin$/m);
  });

  test('the bindings collection: a Binding without a name is a 400, other verbs 405', async () => {
    const raw = new RawClient(s.url, s.dataDir);
    try {
      const noName = await raw.send('POST', `/api/v1/namespaces/${NS}/bindings`, { apiVersion: 'v1', kind: 'Binding', metadata: {}, target: { name: 'n' } });
      assert.equal(noName.status, 400, noName.body);
      assert.equal(noName.json.message, 'Name parameter required.');
      assert.equal((await raw.request(`/api/v1/namespaces/${NS}/bindings`)).status, 405);
      const missing = await raw.send('POST', `/api/v1/namespaces/${NS}/bindings`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'nope' }, target: { name: 'n' } });
      assert.equal(missing.status, 404, missing.body);
    } finally {
      raw.close();
    }
  });
});
