/**
 * Pods, Object and External metric proposals against upstream's cases (pkg/controller/podautoscaler/
 * replica_calculator_test.go, v1.32; levels and targets in milli-units as there), with ready
 * Running pods; and the messages horizontal.go words.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { HpaMetricSpec, Pod } from '../../api/kinds/index.js';
import { externalProposal, goLabelSelector, objectProposal, podsProposal, type CustomMetricSource } from './metric-proposals.js';
import { DEFAULT_CALCULATOR_OPTIONS, type PodMetricsInfo } from './replica-calculator.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const readyPods = (n: number): Pod[] => Array.from({ length: n }, (_, i) => ({
  metadata: { name: `p${i}`, namespace: 'ns' },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
}) as unknown as Pod);

function source(pods: Pod[], podLevels: number[], external: number[] | Error): CustomMetricSource {
  return {
    pods: () => pods,
    podsMetric: () => Promise.resolve(new Map(podLevels.map((v, i) => [`p${i}`, { value: v, timestamp: NOW, windowMs: 60_000 }])) as PodMetricsInfo),
    externalMetric: () => (external instanceof Error ? Promise.reject(external) : Promise.resolve(external)),
    objectMetric: () => (external instanceof Error ? Promise.reject(external) : Promise.resolve(external[0]!)),
  };
}

const ext = (target: Record<string, string>): HpaMetricSpec => ({ type: 'External', external: { metric: { name: 'qps', selector: { matchLabels: { label: 'value' } } }, target: { type: target.value ? 'Value' : 'AverageValue', ...target } } }) as HpaMetricSpec;

const obj = (target: Record<string, string>): HpaMetricSpec => ({ type: 'Object', object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' }, metric: { name: 'hits' }, target } }) as unknown as HpaMetricSpec;

describe('Pods, Object and External metric proposals (replica_calculator_test.go)', () => {
  it('TestReplicaCalcScaleUpCMObject and ...PerPodCMObject: the object\'s value against value, or over the status replicas against averageValue', async () => {
    const byValue = await objectProposal(obj({ type: 'Value', value: '15' }), 3, 3, 'ns', source(readyPods(3), [], [20000]), DEFAULT_CALCULATOR_OPTIONS);
    assert.equal(byValue.replicas, 4);
    assert.equal(byValue.name, 'Ingress metric hits');
    assert.deepEqual(byValue.status.object?.current, { value: '20' });
    const perPod = await objectProposal(obj({ type: 'AverageValue', averageValue: '5' }), 3, 3, 'ns', source(readyPods(3), [], [20000]), DEFAULT_CALCULATOR_OPTIONS);
    assert.equal(perPod.replicas, 4);
    assert.deepEqual(perPod.status.object?.current, { averageValue: '6667m' });
    await assert.rejects(objectProposal(obj({ type: 'Utilization' }), 3, 3, 'ns', source(readyPods(3), [], [1]), DEFAULT_CALCULATOR_OPTIONS), /invalid object metric source: neither a value target nor an average value target was set/);
  });

  it('TestReplicaCalcScaleUpCM: pods metric averaged against averageValue', async () => {
    const spec = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '15' } } } as HpaMetricSpec;
    const p = await podsProposal(spec, 3, source(readyPods(3), [20000, 10000, 30000], []), DEFAULT_CALCULATOR_OPTIONS, NOW);
    assert.equal(p.replicas, 4);
    assert.equal(p.name, 'pods metric qps');
    assert.deepEqual(p.status.pods?.current, { averageValue: '20' });
  });

  it('TestReplicaCalcScaleUpCMExternal and ...ScaleDownCMExternal: the value target times the ready pods', async () => {
    const up = await externalProposal(ext({ value: '4400m' }), 1, 1, 'ns', source(readyPods(1), [], [8600]), DEFAULT_CALCULATOR_OPTIONS);
    assert.equal(up.replicas, 2);
    assert.deepEqual(up.status.external?.current, { value: '8600m' });
    const down = await externalProposal(ext({ value: '14334m' }), 5, 5, 'ns', source(readyPods(5), [], [8600]), DEFAULT_CALCULATOR_OPTIONS);
    assert.equal(down.replicas, 3);
  });

  it('TestReplicaCalcScaleUpCMObjectIgnoresUnreadyPods and ...CMExternalIgnoresUnreadyPods: a value target counts only the ready pods', async () => {
    const pods = readyPods(3);
    for (const i of [0, 2]) pods[i]!.status!.conditions![0]!.status = 'False';
    const o = await objectProposal(obj({ type: 'Value', value: '10' }), 3, 3, 'ns', source(pods, [], [50000]), DEFAULT_CALCULATOR_OPTIONS);
    assert.equal(o.replicas, 5, '15 if the unready pods counted');
    const e = await externalProposal(ext({ value: '4400m' }), 3, 3, 'ns', source(pods, [], [8600]), DEFAULT_CALCULATOR_OPTIONS);
    assert.equal(e.replicas, 2, '6 if the unready pods counted');
  });

  it('TestReplicaCalcScaleUpPerPodCMExternal: the sum over the status replicas against averageValue', async () => {
    const p = await externalProposal(ext({ averageValue: '2150m' }), 3, 3, 'ns', source(readyPods(3), [], [8600]), DEFAULT_CALCULATOR_OPTIONS);
    assert.equal(p.replicas, 4);
    assert.deepEqual(p.status.external?.current, { averageValue: '2867m' });
    assert.equal(p.name, 'external metric qps(&LabelSelector{MatchLabels:map[string]string{label: value,},MatchExpressions:[]LabelSelectorRequirement{},})');
  });

  it('an unreachable adapter: the error chain as horizontal.go words it', async () => {
    const down = source(readyPods(1), [], new Error('unable to fetch metrics from external metrics API: the server is currently unable to handle the request'));
    // computeStatusForExternalMetric words a Value target's failure "failed to get external metric X", an
    // AverageValue target's "failed to get X external metric"; computeReplicasForMetric adds "... value".
    await assert.rejects(externalProposal(ext({ value: '1' }), 1, 1, 'ns', down, DEFAULT_CALCULATOR_OPTIONS),
      /^Error: failed to get qps external metric value: failed to get external metric qps: unable to get external metric ns\/qps\/&LabelSelector\{.*\}: unable to fetch metrics from external metrics API: the server is currently unable/);
    await assert.rejects(externalProposal(ext({ averageValue: '1' }), 1, 1, 'ns', down, DEFAULT_CALCULATOR_OPTIONS),
      /^Error: failed to get qps external metric value: failed to get qps external metric: unable to get external metric ns\/qps\//);
    assert.equal(goLabelSelector(undefined), 'nil');
  });
});
