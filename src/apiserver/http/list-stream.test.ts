/**
 * Lists written item by item (list-stream.ts) read back exactly as a whole-object encoding would:
 * same members in the same order, every item, selectors and paging intact, and YAML/Table lists
 * still take the ordinary path.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { RawClient } from '../../testing/raw-client.js';
import { startTestServer } from '../../testing/test-cluster.js';

let srv: Awaited<ReturnType<typeof startTestServer>>;
let c: RawClient;
const N = 300;
const path = '/api/v1/namespaces/default/configmaps';

before(async () => {
  srv = await startTestServer();
  c = new RawClient(srv.url, srv.dataDir);
  for (let i = 0; i < N; i++) {
    // 2 KiB each: the list is several chunks long.
    const r = await c.request(path, { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `ls-${String(i).padStart(3, '0')}`, labels: { half: String(i % 2) } }, data: { blob: 'x'.repeat(2048) } }) });
    assert.equal(r.status, 201);
  }
});

after(async () => {
  c.close();
  await srv.stop();
});

test('a streamed JSON list has every item, in key order, with the list members in upstream order', async () => {
  const r = await c.request(path);
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.ok(r.body.length > 256 * 1024 * 2, 'long enough to need several chunks');
  assert.deepEqual(Object.keys(r.json), ['apiVersion', 'kind', 'metadata', 'items']);
  assert.equal(r.json.kind, 'ConfigMapList');
  assert.match(r.json.metadata.resourceVersion, /^\d+$/);
  const names = r.json.items.map((o: { metadata: { name: string } }) => o.metadata.name);
  assert.equal(names.length, N);
  assert.deepEqual(names, [...names].sort());
  const one = await c.request(`${path}/ls-007`);
  assert.deepEqual(r.json.items[7], one.json, 'an item is the object as GET shows it');
});

test('selectors and limit/continue still apply to streamed lists', async () => {
  const half = await c.request(`${path}?labelSelector=half%3D1`);
  assert.equal(half.json.items.length, N / 2);
  const page = await c.request(`${path}?limit=100`);
  assert.equal(page.json.items.length, 100);
  assert.ok(page.json.metadata.continue);
  assert.equal(page.json.metadata.remainingItemCount, N - 100);
  const next = await c.request(`${path}?limit=100&continue=${encodeURIComponent(page.json.metadata.continue)}`);
  assert.equal(next.json.items[0].metadata.name, 'ls-100');
});

test('an empty list is still a list with an items array', async () => {
  const r = await c.request('/api/v1/namespaces/kube-public/configmaps?labelSelector=none%3Dnone');
  assert.deepEqual(r.json.items, []);
});

test('YAML and Table lists are unchanged', async () => {
  const y = await c.request(`${path}?limit=2`, { headers: { Accept: 'application/yaml' } });
  assert.match(y.body, /^apiVersion: v1\nkind: ConfigMapList\n/);
  assert.match(y.body, /\nitems:\n/);
  const t = await c.request(`${path}?limit=2`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  assert.equal(t.json.kind, 'Table');
  assert.equal(t.json.rows.length, 2);
});
