/**
 * The paths the custom and external metrics clients ask, as k8s.io/metrics' clients build them
 * (custom_metrics/versioned_client.go: <resource>.<group> for an object, `metrics` under a
 * Namespace; external_metrics/client.go), and their failures as upstream's HPA metrics clients word them.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { KubeClient } from '../../client/index.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { getExternalMetric, getObjectCustomMetric, getPodsCustomMetric } from './custom-metrics.js';

function fakeClient(items: unknown[]): { client: KubeClient; asked: string[] } {
  const asked: string[] = [];
  const refs: Record<string, ResourceRef> = {
    'networking.k8s.io/v1/Ingress': { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true, kind: 'Ingress' },
    'v1/Service': { group: '', version: 'v1', resource: 'services', namespaced: true, kind: 'Service' },
  };
  const client = {
    raw: (_method: string, path: string) => {
      asked.push(path);
      return Promise.resolve({ items });
    },
    resolve: (apiVersion: string, kind: string) => Promise.resolve(refs[`${apiVersion}/${kind}`]!),
  } as unknown as KubeClient;
  return { client, asked };
}

describe('custom and external metrics clients', () => {
  it('ask upstream\'s paths', async () => {
    const f = fakeClient([{ describedObject: { kind: 'Pod', name: 'p0' }, value: '1500m', timestamp: '2026-01-01T00:00:00Z' }]);
    const pods = await getPodsCustomMetric(f.client, 'ns', 'app=web', 'qps', 'verb=GET');
    assert.deepEqual([...pods], [['p0', { value: 1500, timestamp: Date.parse('2026-01-01T00:00:00Z'), windowMs: 60_000 }]]);
    assert.equal(await getObjectCustomMetric(f.client, 'ns', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' }, 'hits', ''), 1500);
    await getObjectCustomMetric(f.client, 'ns', { apiVersion: 'v1', kind: 'Service', name: 'web' }, 'hits', '');
    await getObjectCustomMetric(f.client, 'ns', { apiVersion: 'v1', kind: 'Namespace', name: 'ns' }, 'hits', '');
    assert.deepEqual(await getExternalMetric(f.client, 'ns', 'queue_depth', 'queue=jobs'), [1500]);
    assert.deepEqual(f.asked, [
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/pods/*/qps?labelSelector=app%3Dweb&metricLabelSelector=verb%3DGET',
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/ingresses.networking.k8s.io/web/hits',
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/services/web/hits',
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/metrics/hits',
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/queue_depth?labelSelector=queue%3Djobs',
    ]);
  });

  it('fail as upstream\'s clients: no metrics, or not exactly one for an object', async () => {
    await assert.rejects(getExternalMetric(fakeClient([]).client, 'ns', 'q', ''), /^Error: no metrics returned from external metrics API$/);
    await assert.rejects(getObjectCustomMetric(fakeClient([{}, {}]).client, 'ns', { apiVersion: 'v1', kind: 'Service', name: 'web' }, 'hits', ''),
      /the custom metrics API server returned 2 results when we asked for exactly one/);
  });
});
