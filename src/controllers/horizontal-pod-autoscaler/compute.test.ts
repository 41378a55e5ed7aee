/**
 * computeReplicasForMetrics' failures worded as upstream's horizontal.go (v1.32): the per-metric
 * Failed<Type>Metric event and the ScalingActive message carry the error computeStatusFor<Type>Metric
 * hands getUnableComputeReplicaCountCondition; FailedComputeMetricsReplicas' "first error" carries
 * what computeReplicasForMetric returns, wrapped once more by type (for a ContainerResource, by the
 * container's name). A scale-up from valid metrics goes ahead despite an invalid one; a scale-down
 * does not.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { HorizontalPodAutoscaler, HpaMetricSpec, Pod } from '../../api/kinds/index.js';
import { computeReplicasForMetrics, type MetricSource } from './compute.js';
import { DEFAULT_CALCULATOR_OPTIONS, type PodMetricsInfo } from './replica-calculator.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const START = new Date(NOW - 10 * 60_000).toISOString();
const pods = (n: number): Pod[] => Array.from({ length: n }, (_, i) => ({
  metadata: { name: `p${i}`, namespace: 'ns' },
  spec: { containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '1' } } }] },
  status: { phase: 'Running', startTime: START, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: START }] },
}) as unknown as Pod);

function source(o: { cpu?: number[] | Error; external?: number[] | Error; pods?: Pod[] }): MetricSource {
  const fail = (v: unknown) => (v instanceof Error ? Promise.reject(v) : undefined);
  return {
    pods: () => o.pods ?? pods(2),
    resourceMetric: () => fail(o.cpu) ?? Promise.resolve(new Map((o.cpu as number[]).map((v, i) => [`p${i}`, { value: v, timestamp: NOW, windowMs: 30_000 }])) as PodMetricsInfo),
    podsMetric: () => Promise.reject(new Error('the server could not find the requested resource')),
    objectMetric: () => Promise.reject(new Error('the server could not find the requested resource')),
    externalMetric: () => fail(o.external) ?? Promise.resolve(o.external as number[]),
  };
}

const hpa = (metrics: HpaMetricSpec[]): HorizontalPodAutoscaler => ({
  metadata: { name: 'h', namespace: 'ns' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, maxReplicas: 10, metrics },
}) as HorizontalPodAutoscaler;
const cpu = (t: Record<string, unknown>): HpaMetricSpec => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', ...t } } }) as HpaMetricSpec;
const containerCpu: HpaMetricSpec = { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 50 } } } as HpaMetricSpec;
const external = (t: Record<string, string>): HpaMetricSpec => ({ type: 'External', external: { metric: { name: 'qps' }, target: { type: t.value ? 'Value' : 'AverageValue', ...t } } }) as HpaMetricSpec;
const object: HpaMetricSpec = { type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' }, metric: { name: 'hits' }, target: { type: 'AverageValue', averageValue: '5' } } } as unknown as HpaMetricSpec;
const podsMetric: HpaMetricSpec = { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '5' } } } as HpaMetricSpec;

async function run(metrics: HpaMetricSpec[], src: MetricSource, current = 2, statusReplicas = current, lastCurrent?: number) {
  const events: string[] = [];
  const h = hpa(metrics);
  if (lastCurrent !== undefined) h.status = { currentReplicas: lastCurrent, desiredReplicas: lastCurrent };
  const got = await computeReplicasForMetrics(h, current, statusReplicas, src, DEFAULT_CALCULATOR_OPTIONS, NOW, (reason, message) => events.push(`${reason}: ${message}`));
  const active = h.status?.conditions?.find((c) => c.type === 'ScalingActive');
  return { got, events, active };
}

describe('computeReplicasForMetrics failures (horizontal.go)', () => {
  it('a Resource metric without metrics: the event and condition name the utilization, the first error the resource metric value', async () => {
    const { got, events, active } = await run([cpu({ averageUtilization: 50 })], source({ cpu: new Error('no metrics returned from resource metrics API') }));
    assert.equal(got.replicas, -1);
    assert.deepEqual(events, ['FailedGetResourceMetric: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API']);
    assert.equal(active?.reason, 'FailedGetResourceMetric');
    assert.equal(active?.message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
    assert.equal(got.error, 'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  });

  it('an AverageValue target says usage; a target with neither is invalid without a utilization prefix', async () => {
    const usage = await run([cpu({ type: 'AverageValue', averageValue: '500m' })], source({ cpu: [] }));
    assert.deepEqual(usage.events, ['FailedGetResourceMetric: failed to get cpu usage: did not receive metrics for targeted pods (pods might be unready)']);
    const neither = await run([cpu({})], source({ cpu: [100, 100] }));
    assert.deepEqual(neither.events, ['FailedGetResourceMetric: invalid resource metric source: neither an average utilization target nor an average value (usage) target was set']);
    assert.match(neither.got.error ?? '', /first error is: failed to get cpu resource metric value: invalid resource metric source/);
  });

  it('a ContainerResource failure is wrapped by the container\'s name; its AverageValue proposal is named "<resource> resource"', async () => {
    const { events, got } = await run([containerCpu], source({ cpu: new Error('boom') }));
    assert.deepEqual(events, ['FailedGetContainerResourceMetric: failed to get cpu utilization: unable to get metrics for resource cpu: boom']);
    assert.match(got.error ?? '', /first error is: failed to get app container metric value: failed to get cpu utilization: /);
    const byValue = { ...containerCpu, containerResource: { ...containerCpu.containerResource!, target: { type: 'AverageValue', averageValue: '100m' } } } as HpaMetricSpec;
    const ok = await run([byValue], source({ cpu: [400, 400] }));
    assert.equal(ok.active?.message, 'the HPA was able to successfully calculate a replica count from cpu resource');
  });

  it('Pods, Object and External failures: event with the calculator\'s error, first error wrapped as computeReplicasForMetric does', async () => {
    const p = await run([podsMetric], source({}));
    assert.deepEqual(p.events, ['FailedGetPodsMetric: unable to get metric rps: the server could not find the requested resource']);
    assert.equal(p.got.error, 'invalid metrics (1 invalid out of 1), first error is: failed to get pods metric value: unable to get metric rps: the server could not find the requested resource');
    const o = await run([object], source({}));
    assert.deepEqual(o.events, ['FailedGetObjectMetric: unable to get metric hits: Service on ns web/the server could not find the requested resource']);
    assert.equal(o.got.error, 'invalid metrics (1 invalid out of 1), first error is: failed to get object metric value: failed to get hits object metric: unable to get metric hits: Service on ns web/the server could not find the requested resource');
    const e = await run([external({ averageValue: '1' })], source({ external: new Error('down') }));
    assert.deepEqual(e.events, ['FailedGetExternalMetric: unable to get external metric ns/qps/nil: down']);
    assert.equal(e.got.error, 'invalid metrics (1 invalid out of 1), first error is: failed to get qps external metric value: failed to get qps external metric: unable to get external metric ns/qps/nil: down');
    assert.equal(e.active?.message, 'the HPA was unable to compute the replica count: unable to get external metric ns/qps/nil: down');
  });

  it('one invalid metric among valid ones: a scale-up goes ahead (ValidMetricFound), a scale-down stops', async () => {
    const up = await run([external({ value: '1' }), cpu({ averageUtilization: 50 })], source({ external: new Error('down'), cpu: [1000, 1000] }));
    assert.equal(up.got.replicas, 4, 'cpu at 100% of a 50% target doubles 2 pods');
    assert.equal(up.got.metricName, 'cpu resource utilization (percentage of request)');
    assert.equal(up.active?.reason, 'ValidMetricFound');
    assert.deepEqual(up.got.statuses.map((s) => s.type), ['', 'Resource']);
    const down = await run([external({ value: '1' }), cpu({ averageUtilization: 50 })], source({ external: new Error('down'), cpu: [100, 100] }));
    assert.equal(down.got.replicas, -1);
    assert.equal(down.active?.reason, 'FailedGetExternalMetric');
    assert.match(down.got.error ?? '', /^invalid metrics \(1 invalid out of 2\), first error is: failed to get qps external metric value: failed to get external metric qps: /);
  });

  it('several valid metrics: the largest proposal wins and names the reason', async () => {
    const { got } = await run([external({ value: '1' }), cpu({ averageUtilization: 50 })], source({ external: [3000], cpu: [1000, 1000] }));
    assert.equal(got.replicas, 6, 'external 3 against 1 times 2 ready pods beats cpu\'s 4');
    assert.equal(got.metricName, 'external metric qps(nil)');
  });

  it('per-pod (AverageValue) External and Object targets divide by the scale\'s status.replicas, not the HPA\'s last currentReplicas', async () => {
    // 32 against 10 a pod over the target's 3 running replicas is within tolerance (3, average 10667m);
    // over the 5 the HPA last asked for it would be 4 (average 6400m).
    const e = await run([external({ averageValue: '10' })], source({ external: [32_000] }), 5, 3, 5);
    assert.equal(e.got.replicas, 3);
    assert.deepEqual(e.got.statuses[0]?.external?.current, { averageValue: '10667m' });
  });
});
