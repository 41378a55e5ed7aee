/**
 * The resource metrics client as upstream's metrics/client.go (resourceMetricsClient,
 * getPodMetrics / getContainerMetrics, v1.32; cases of client_test.go TestGetResourceMetric): a pod
 * sums its containers or takes the named one; a sample without the resource leaves the pod without a
 * metric; a pod without the named container fails the metric; no samples at all is an error.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { KubeClient } from '../../client/index.js';
import { getResourceMetric } from './metrics.js';

const sample = (name: string, containers: Record<string, Record<string, string>>) => ({
  metadata: { name, namespace: 'default' }, timestamp: '2026-01-01T12:00:00Z', window: '30s',
  containers: Object.entries(containers).map(([n, usage]) => ({ name: n, usage })),
});
const client = (items: unknown[]): KubeClient => ({ resource: () => ({ list: () => Promise.resolve({ items }) }) }) as unknown as KubeClient;
const values = (m: Map<string, { value: number }>) => Object.fromEntries([...m].map(([k, v]) => [k, v.value]));

describe('getResourceMetric (metrics/client.go)', () => {
  const items = [
    sample('pod1', { container1: { cpu: '100m' }, container2: { cpu: '200m' } }),
    sample('pod2', { container1: { cpu: '50m' }, container2: { memory: '1Mi' } }),
  ];

  it('sums a pod\'s containers; a container without the resource leaves the pod out', async () => {
    assert.deepEqual(values(await getResourceMetric(client(items), 'cpu', 'default', 'app=x', '')), { pod1: 300 });
  });

  it('"Container-specific metrics": the named container only; without the resource, the pod has no sample', async () => {
    assert.deepEqual(values(await getResourceMetric(client(items), 'cpu', 'default', 'app=x', 'container2')), { pod1: 200 });
  });

  it('"Container not found": the metric fails', async () => {
    await assert.rejects(getResourceMetric(client(items), 'cpu', 'default', 'app=x', 'nonexistent'),
      { message: 'failed to get container metrics: container nonexistent not present in metrics for pod default/pod1' });
  });

  it('"No metrics": an error', async () => {
    await assert.rejects(getResourceMetric(client([]), 'cpu', 'default', 'app=x', ''), { message: 'no metrics returned from resource metrics API' });
  });
});
