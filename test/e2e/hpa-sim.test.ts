/**
 * HorizontalPodAutoscaler on simulated nodes (usage from the pods' metrics.bosun.dev/cpu
 * annotations): kubectl autoscale (autoscaling/v1 over protobuf) makes an HPA the controller acts
 * on, kubectl get hpa prints upstream's columns with TARGETS as `cpu: 200%/50%`, the Deployment is
 * scaled up within the policies, the status carries upstream's conditions and the event upstream's
 * message; autoscaling/v1 reads show the v2 object converted.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { HorizontalPodAutoscaler } from '../../src/api/kinds/index.js';
import { resources } from '../../src/client/resource-ref.js';
import { startSimCluster, waitFor, type SimCluster } from './workloads-harness.js';

const NS = 'default';

describe('HorizontalPodAutoscaler on simulated nodes', () => {
  let c: SimCluster;
  before(async () => {
    c = await startSimCluster({ nodes: 2, hpa: { syncPeriodMs: 500, cpuInitializationPeriodMs: 0, delayOfInitialReadinessStatusMs: 0 } });
  });
  after(async () => c?.stop());

  it('scales a busy Deployment up to the CPU target and reports it as upstream does', async () => {
    const dep = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hsim-busy', namespace: NS },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'hsim-busy' } },
        template: {
          metadata: { labels: { app: 'hsim-busy' }, annotations: { 'metrics.bosun.dev/cpu': '200m' } },
          spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m' } } }] },
        },
      },
    };
    await c.client.resource(resources.deployments, NS).create(dep as never);
    const out = await c.ok(['autoscale', 'deployment', 'hsim-busy', '--cpu-percent=50', '--min=1', '--max=3']);
    assert.match(out, /horizontalpodautoscaler.autoscaling\/hsim-busy autoscaled/);
    const hpaApi = c.client.resource<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers, NS);
    // 200m used of 100m requested is 200% against 50%: four times the pods, capped by maxReplicas 3.
    const hpa = await waitFor('the HPA to scale to 3', async () => {
      const h = await hpaApi.get('hsim-busy');
      // currentReplicas is the scale a pass read: 3 from the pass after the rescale, one sync period later.
      return h.status?.desiredReplicas === 3 && h.status.currentReplicas === 3 && h.status.currentMetrics?.length ? h : undefined;
    }, 60_000);
    const d = await c.client.resource(resources.deployments, NS).get('hsim-busy') as { spec: { replicas: number } };
    assert.equal(d.spec.replicas, 3);
    assert.equal(hpa.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization, 200);
    const conds = Object.fromEntries((hpa.status?.conditions ?? []).map((x) => [x.type, x]));
    assert.equal(conds.AbleToScale?.status, 'True');
    assert.equal(conds.ScalingActive?.status, 'True');
    assert.equal(conds.ScalingActive?.reason, 'ValidMetricFound');
    assert.equal(conds.ScalingLimited?.status, 'True');
    assert.equal(conds.ScalingLimited?.reason, 'TooManyReplicas');

    const table = await c.ok(['get', 'hpa', 'hsim-busy']);
    assert.match(table.split('\n')[0]!, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    assert.match(table.split('\n')[1]!, /^hsim-busy\s+Deployment\/hsim-busy\s+cpu: 200%\/50%\s+1\s+3\s+3\s+\S+$/);

    const events = await c.ok(['get', 'events', '--field-selector', 'involvedObject.name=hsim-busy,reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, /New size: 3; reason: cpu resource utilization \(percentage of request\) above target/);

    const v1 = await c.client.raw('GET', `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers/hsim-busy`) as { apiVersion: string; spec: Record<string, unknown>; status: Record<string, unknown>; metadata: { annotations?: Record<string, string> } };
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
    assert.equal(v1.status.currentCPUUtilizationPercentage, 200);
    assert.ok(v1.metadata.annotations?.['autoscaling.alpha.kubernetes.io/conditions'], 'conditions ride in the round-trip annotation');
  });
});
