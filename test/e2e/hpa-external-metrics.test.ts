/**
 * HorizontalPodAutoscaler on an External metric served through API aggregation, as upstream's HPA
 * controller reads external.metrics.k8s.io (pkg/controller/podautoscaler/metrics/client.go
 * externalMetricsClient): a test adapter (src/apiserver/aggregator/testing/extension-server.ts)
 * registered with an APIService answers queue_depth=30 for the metric's selector; the HPA with
 * target averageValue 10 scales the Deployment on simulated nodes from 1 to ceil(30/10) = 3
 * (GetExternalPerPodMetricReplicas) and then holds there, reporting 30 over 3 replicas as the
 * average 10, as upstream does. The adapter saw the HPA
 * controller's identity and the selector.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { HorizontalPodAutoscaler } from '../../src/api/kinds/index.js';
import { resources } from '../../src/client/resource-ref.js';
import { extensionManifests, startExtensionServer, type TestExtensionServer } from '../../src/apiserver/aggregator/testing/extension-server.js';
import { startSimCluster, waitFor, type SimCluster } from './workloads-harness.js';

const NS = 'hpa-ext-5821';
const EXTERNAL = { group: 'external.metrics.k8s.io', version: 'v1beta1', namespace: NS, service: 'queue-adapter' };

describe('HorizontalPodAutoscaler on an External metric through API aggregation', () => {
  let c: SimCluster;
  let adapter: TestExtensionServer;
  before(async () => {
    c = await startSimCluster({ nodes: 1, hpa: { syncPeriodMs: 500, cpuInitializationPeriodMs: 0, delayOfInitialReadinessStatusMs: 0 } });
    const cm = JSON.parse(await c.ok(['get', 'configmap', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'json'])) as { data: Record<string, string> };
    adapter = await startExtensionServer({
      ...EXTERNAL, authentication: cm.data,
      resources: [{ name: 'queue_depth', singularName: '', namespaced: true, kind: 'ExternalMetricValueList', verbs: ['get'] }],
      answer: (path, query) => path === `/apis/external.metrics.k8s.io/v1beta1/namespaces/${NS}/queue_depth` && query.get('labelSelector') === 'queue=jobs'
        ? { body: { kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {}, items: [{ metricName: 'queue_depth', metricLabels: { queue: 'jobs' }, timestamp: new Date().toISOString(), value: '30' }] } }
        : undefined,
    });
    await c.ok(['create', 'namespace', NS]);
    await c.ok(['apply', '-f', '-'], { input: extensionManifests(EXTERNAL, adapter) });
  });
  after(async () => {
    await adapter?.close();
    await c?.stop();
  });

  it('scales a Deployment to the external metric\'s averageValue target', async () => {
    await c.ok(['create', 'deployment', 'queue-worker', '-n', NS, '--image', 'busybox', '--replicas', '1']);
    await c.ok(['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'queue-worker', namespace: NS },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'queue-worker' }, minReplicas: 1, maxReplicas: 5,
        metrics: [{ type: 'External', external: { metric: { name: 'queue_depth', selector: { matchLabels: { queue: 'jobs' } } }, target: { type: 'AverageValue', averageValue: '10' } } }],
      },
    }) });
    const hpaApi = c.client.resource<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers, NS);
    const hpa = await waitFor('the HPA at 3 replicas, 30 over 3 within the target', async () => {
      const h = await hpaApi.get('queue-worker');
      return h.status?.desiredReplicas === 3 && h.status.currentReplicas === 3 && h.status.currentMetrics?.[0]?.external?.current?.averageValue === '10' ? h : undefined;
    }, 60_000);
    const d = await c.client.resource(resources.deployments, NS).get('queue-worker') as { spec: { replicas: number } };
    assert.equal(d.spec.replicas, 3);
    assert.deepEqual(hpa.status?.currentMetrics?.[0], { type: 'External', external: { metric: { name: 'queue_depth', selector: { matchLabels: { queue: 'jobs' } } }, current: { averageValue: '10' } } });
    const active = hpa.status?.conditions?.find((x) => x.type === 'ScalingActive');
    assert.equal(active?.reason, 'ValidMetricFound');
    assert.match(active?.message ?? '', /from external metric queue_depth\(&LabelSelector\{MatchLabels:map\[string\]string\{queue: jobs,\},MatchExpressions:\[\]LabelSelectorRequirement\{\},\}\)/);
    const read = adapter.seen.find((r) => r.path.endsWith('/queue_depth'));
    assert.equal(read?.user, 'system:serviceaccount:kube-system:horizontal-pod-autoscaler');
    assert.match(await c.ok(['get', 'hpa', 'queue-worker', '-n', NS]), /queue-worker\s+Deployment\/queue-worker\s+10\/10 \(avg\)\s+1\s+5\s+3\s/);
  });
});
