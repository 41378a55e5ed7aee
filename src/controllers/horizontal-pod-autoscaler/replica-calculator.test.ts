/**
 * The replica calculation against upstream's table cases (pkg/controller/podautoscaler/
 * replica_calculator_test.go, v1.32): each row names the upstream test it comes from. Upstream's pods
 * have two containers of 1 CPU each with the level per container; one container of 1 CPU with the
 * same level gives the same ratios (and the value per pod is upstream's expectedValue / 2).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { DEFAULT_CALCULATOR_OPTIONS, getRawResourceReplicas, getResourceReplicas, type PodMetricsInfo } from './replica-calculator.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const COOL_START = new Date(NOW - 10 * 60_000).toISOString(); // coolCPUCreationTime: past the initialization period

interface Row {
  upstream: string;
  current: number;
  expected: number;
  levels: (number | undefined)[]; // undefined: no metric for the pod
  requests?: number[];
  readiness?: ('True' | 'False')[];
  phase?: ('Running' | 'Failed' | 'Pending')[];
  deleting?: boolean[];
  target: number;
  utilization?: number;
  /** Pods, when fewer than the metrics (superfluous metrics). */
  podCount?: number;
  /** hotCPUCreationTime (started and Ready now, inside the CPU initialization period) or cool (default). */
  start?: ('hot' | 'cool')[];
}

const startOf = (r: Row, i: number): string => (r.start?.[i] === 'hot' ? new Date(NOW).toISOString() : COOL_START);

function pods(r: Row): Pod[] {
  const n = r.podCount ?? Math.max(r.levels.length, r.readiness?.length ?? 0, r.phase?.length ?? 0);
  return Array.from({ length: n }, (_, i) => ({
    metadata: { name: `p${i}`, namespace: 'ns', ...(r.deleting?.[i] ? { deletionTimestamp: COOL_START } : {}) },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: `${r.requests?.[i] ?? 1000}m` } } }] },
    status: {
      phase: r.phase?.[i] ?? 'Running', startTime: startOf(r, i),
      conditions: [{ type: 'Ready', status: r.readiness?.[i] ?? 'True', lastTransitionTime: startOf(r, i) }],
    },
  }) as unknown as Pod);
}

function metrics(r: Row): PodMetricsInfo {
  const m: PodMetricsInfo = new Map();
  r.levels.forEach((v, i) => {
    if (v !== undefined) m.set(`p${i}`, { value: v, timestamp: NOW, windowMs: 30_000 });
  });
  return m;
}

const UTILIZATION_ROWS: Row[] = [
  { upstream: 'TestReplicaCalcScaleUp', current: 3, expected: 5, levels: [300, 500, 700], target: 30, utilization: 50 },
  { upstream: 'TestReplicaCalcScaleUpUnreadyLessScale', current: 3, expected: 4, levels: [300, 500, 700], readiness: ['False', 'True', 'True'], target: 30, utilization: 60 },
  { upstream: 'TestReplicaCalcScaleUpUnreadyNoScale', current: 3, expected: 3, levels: [400, 500, 700], readiness: ['True', 'False', 'False'], target: 30, utilization: 40 },
  { upstream: 'TestReplicaCalcScaleUpIgnoresFailedPods', current: 2, expected: 4, levels: [500, 700], readiness: ['True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Failed', 'Failed'], target: 30, utilization: 60 },
  { upstream: 'TestReplicaCalcScaleUpIgnoresDeletionPods', current: 2, expected: 4, levels: [500, 700], readiness: ['True', 'True', 'False', 'False'], deleting: [false, false, true, true], target: 30, utilization: 60 },
  { upstream: 'TestReplicaCalcScaleDown', current: 5, expected: 3, levels: [100, 300, 500, 250, 250], target: 50, utilization: 28 },
  { upstream: 'TestReplicaCalcScaleDownExcludeUnreadyPods', current: 5, expected: 2, levels: [100, 300, 500, 250, 250], readiness: ['True', 'True', 'True', 'False', 'False'], target: 50, utilization: 30 },
  { upstream: 'TestReplicaCalcTolerance', current: 3, expected: 3, levels: [1010, 1030, 1020], requests: [900, 1000, 1100], target: 100, utilization: 102 },
  { upstream: 'TestReplicaCalcSuperfluousMetrics', current: 4, expected: 24, levels: [4000, 9500, 3000, 7000, 3200, 2000], podCount: 4, target: 100, utilization: 587 },
  { upstream: 'TestReplicaCalcMissingMetrics', current: 4, expected: 3, levels: [400, 95, undefined, undefined], target: 100, utilization: 24 },
  { upstream: 'TestReplicaCalcMissingMetricsNoChangeEq', current: 2, expected: 2, levels: [1000, undefined], target: 100, utilization: 100 },
  { upstream: 'TestReplicaCalcMissingMetricsNoChangeGt', current: 2, expected: 2, levels: [1900, undefined], target: 100, utilization: 190 },
  { upstream: 'TestReplicaCalcMissingMetricsNoChangeLt', current: 2, expected: 2, levels: [600, undefined], target: 100, utilization: 60 },
  { upstream: 'TestReplicaCalcMissingMetricsUnreadyChange', current: 3, expected: 3, levels: [100, 450, undefined], readiness: ['False', 'True', 'True'], target: 50, utilization: 45 },
  { upstream: 'TestReplicaCalcMissingMetricsUnreadyScaleUp', current: 3, expected: 4, levels: [100, 2000, undefined], readiness: ['False', 'True', 'True'], target: 50, utilization: 200 },
  { upstream: 'TestReplicaCalcMissingMetricsUnreadyScaleDown', current: 4, expected: 3, levels: [100, 100, 100, undefined], readiness: ['False', 'True', 'True', 'True'], target: 50, utilization: 10 },
  // A Ready pod inside the CPU initialization period whose sample predates a full window since it became Ready is unready.
  { upstream: 'TestReplicaCalcScaleUpHotCpuLessScale', current: 3, expected: 4, levels: [300, 500, 700], start: ['hot', 'cool', 'cool'], target: 30, utilization: 60 },
  { upstream: 'TestReplicaCalcScaleHotCpuNoScale', current: 3, expected: 3, levels: [400, 500, 700], readiness: ['True', 'False', 'False'], start: ['cool', 'hot', 'hot'], target: 30, utilization: 40 },
  { upstream: 'TestReplicaCalcScaleDownIgnoresFailedPods', current: 5, expected: 3, levels: [100, 300, 500, 250, 250], phase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'], readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'], target: 50, utilization: 28 },
  { upstream: 'TestReplicaCalcScaleDownIgnoresDeletionPods', current: 5, expected: 3, levels: [100, 300, 500, 250, 250], deleting: [false, false, false, false, false, true, true], readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'], target: 50, utilization: 28 },
];

describe('getResourceReplicas (Utilization targets), rows of upstream replica_calculator_test.go', () => {
  for (const r of UTILIZATION_ROWS) {
    it(r.upstream, () => {
      const got = getResourceReplicas(r.current, r.target, 'cpu', pods(r), metrics(r), '', DEFAULT_CALCULATOR_OPTIONS, NOW);
      assert.equal(got.replicas, r.expected, 'replicas');
      if (r.utilization !== undefined) assert.equal(got.utilization, r.utilization, 'utilization');
    });
  }

  it('TestReplicaCalcEmptyMetrics / TestReplicaCalcEmptyCPURequest: errors, no proposal', () => {
    const r: Row = { upstream: '', current: 4, expected: 0, levels: [], target: 100 };
    const four = pods({ ...r, levels: [undefined, undefined, undefined, undefined] });
    assert.throws(() => getResourceReplicas(4, 100, 'cpu', four, new Map(), '', DEFAULT_CALCULATOR_OPTIONS, NOW), /did not receive metrics for targeted pods/);
    const noRequest = pods({ ...r, levels: [200] });
    delete (noRequest[0]!.spec!.containers[0]!.resources as { requests?: unknown }).requests;
    assert.throws(() => getResourceReplicas(1, 100, 'cpu', noRequest, metrics({ ...r, levels: [200] }), '', DEFAULT_CALCULATOR_OPTIONS, NOW), /missing request for cpu in container c of Pod p0/);
  });
});

describe('getRawResourceReplicas (AverageValue targets), rows of upstream replica_calculator_test.go', () => {
  // Upstream's custom-metric rows run the same calcPlainMetricReplicas as resource AverageValue targets.
  const rows: Row[] = [
    { upstream: 'TestReplicaCalcScaleUpCM', current: 3, expected: 4, levels: [20000, 10000, 30000], target: 15000 },
    { upstream: 'TestReplicaCalcScaleDownCM', current: 5, expected: 3, levels: [12000, 12000, 12000, 12000, 12000], target: 20000 },
    { upstream: 'TestReplicaCalcToleranceCM', current: 3, expected: 3, levels: [20000, 21000, 21000], target: 20000 },
    // Readiness and the CPU initialization period only matter for cpu: these pods all count.
    { upstream: 'TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale', current: 3, expected: 6, levels: [50000, 10000, 30000], readiness: ['True', 'True', 'False'], start: ['cool', 'cool', 'hot'], target: 15000 },
    { upstream: 'TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown', current: 3, expected: 7, levels: [50000, 15000, 30000], readiness: ['False', 'True', 'False'], start: ['hot', 'cool', 'hot'], target: 15000 },
  ];
  for (const r of rows) {
    it(r.upstream, () => {
      const got = getRawResourceReplicas(r.current, r.target, 'memory', pods(r), metrics(r), DEFAULT_CALCULATOR_OPTIONS, NOW);
      assert.equal(got.replicas, r.expected);
    });
  }
});
