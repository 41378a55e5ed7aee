/**
 * Upstream's Table transformation tests (test/e2e/apimachinery/table_conversion.go) beyond the
 * conformance 406 (in discovery.test.ts): a pod's Table, paged Tables of a list, and a cluster-wide
 * Table of nodes with includeObject=Metadata carrying PartialObjectMetadata; as=Table through the
 * real kubectl's printer too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawEnvForFile } from './testing/raw-env.js';

const NS = 'cf-tables';
const file = rawEnvForFile(NS);
const { raw } = file;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';


interface Table { kind: string; metadata: { continue?: string; resourceVersion?: string }; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object?: { kind: string; metadata: { name?: string } } }[] }
async function table(path: string): Promise<Table> {
  const r = await raw.request(path, { headers: { Accept: TABLE } });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.kind, 'Table');
  return r.json as Table;
}

test('Servers with support for Table transformation should return pod details', async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod-1' }, spec: { containers: [{ name: 'example', image: 'registry.k8s.io/pause:3.10' }] } };
  assert.equal((await raw.send('POST', `/api/v1/namespaces/${NS}/pods`, pod)).status, 201);
  const t = await table(`/api/v1/namespaces/${NS}/pods/pod-1`);
  assert.equal(t.rows.length, 1);
  assert.equal(t.rows[0]!.cells.length, t.columnDefinitions.length);
  assert.deepEqual(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
  assert.equal(t.rows[0]!.cells[0], 'pod-1');
  // includeObject defaults to Metadata: the row carries the pod's PartialObjectMetadata.
  assert.equal(t.rows[0]!.object?.kind, 'PartialObjectMetadata');
  const withObject = (await raw.request(`/api/v1/namespaces/${NS}/pods/pod-1?includeObject=Object`, { headers: { Accept: TABLE } })).json as Table;
  assert.equal(withObject.rows[0]!.object?.kind, 'Pod');
  const none = (await raw.request(`/api/v1/namespaces/${NS}/pods/pod-1?includeObject=None`, { headers: { Accept: TABLE } })).json as Table;
  assert.equal(none.rows[0]!.object, undefined);
  // The real kubectl prints the server's Table.
  const printed = await file.ts.kubectl(['get', 'pod', 'pod-1', '-n', NS]);
  assert.match(printed.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod-1\s+0\/1\s+Pending\s+0\s+\S+\n$/);
});

test('Servers with support for Table transformation should return chunks of table results for list calls', async () => {
  for (const n of ['template-0000', 'template-0001', 'template-0002']) {
    const t = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: n }, template: { spec: { containers: [{ name: 'test', image: 'registry.k8s.io/pause:3.10' }] } } };
    assert.equal((await raw.send('POST', `/api/v1/namespaces/${NS}/podtemplates`, t)).status, 201);
  }
  const first = await table(`/api/v1/namespaces/${NS}/podtemplates?limit=2`);
  assert.equal(first.rows.length, 2);
  assert.ok(first.metadata.continue, 'the first page has a continue token');
  assert.ok(first.metadata.resourceVersion);
  assert.deepEqual(first.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Containers', 'Images', 'Pod Labels']);
  const second = await table(`/api/v1/namespaces/${NS}/podtemplates?limit=2&continue=${encodeURIComponent(first.metadata.continue!)}`);
  assert.deepEqual(second.rows.map((r) => r.cells[0]), ['template-0002']);
  assert.equal(second.metadata.continue, undefined);
});

test('Servers with support for Table transformation should return generic metadata details across all namespaces for nodes', async () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cf-table-node', labels: { 'kubernetes.io/hostname': 'cf-table-node' } } };
  assert.equal((await raw.send('POST', '/api/v1/nodes', node)).status, 201);
  const t = await table('/api/v1/nodes?includeObject=Metadata');
  assert.ok(t.rows.length >= 1);
  const row = t.rows.find((r) => r.cells[0] === 'cf-table-node');
  assert.ok(row, 'the node has a row');
  assert.equal(row.cells.length, t.columnDefinitions.length);
  assert.deepEqual(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Status', 'Roles', 'Age', 'Version']);
  assert.equal(row.object?.kind, 'PartialObjectMetadata');
  assert.equal(row.object?.metadata.name, 'cf-table-node');
  await raw.request('/api/v1/nodes/cf-table-node', { method: 'DELETE' });
});
