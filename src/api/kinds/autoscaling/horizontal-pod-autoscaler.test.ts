/**
 * HorizontalPodAutoscaler: defaults (pkg/apis/autoscaling/v2/defaults.go), validation messages
 * (pkg/apis/autoscaling/validation), the printer's TARGETS (formatHPAMetrics of
 * pkg/printers/internalversion/printers.go) and the v1 <-> v2 conversion (pkg/apis/autoscaling/v1/
 * conversion.go), also through the generic storage: v1 is served from the v2 storage version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registry } from '../../registry.js';
import { MemoryStore } from '../../../store/memory.js';
import { createStorages } from '../../../apiserver/storage/storage-set.js';
import { ctx } from '../../../apiserver/storage/testing/fixtures.js';
import { horizontalPodAutoscalers, type HorizontalPodAutoscaler } from './horizontal-pod-autoscaler.js';
import { horizontalPodAutoscalersV1, type HorizontalPodAutoscalerV1 } from './horizontal-pod-autoscaler-v1.js';
import { formatHpaMetrics } from './hpa-table.js';
import { BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, hpaV1ToV2, hpaV2ToV1, METRIC_SPECS_ANNOTATION } from './hpa-v1-conversion.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const v2 = (spec: Record<string, unknown>): HorizontalPodAutoscaler => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'ns' }, spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec } } as HorizontalPodAutoscaler);

describe('HorizontalPodAutoscaler defaults and validation', () => {
  it('SetDefaults_HorizontalPodAutoscaler: minReplicas 1, 80% CPU, behavior filled with the default rules', () => {
    const h = v2({ behavior: { scaleDown: { stabilizationWindowSeconds: 10 } } });
    horizontalPodAutoscalers.applyDefaults(h);
    assert.equal(h.spec!.minReplicas, 1);
    assert.deepEqual(h.spec!.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.deepEqual(h.spec!.behavior!.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
    assert.deepEqual(h.spec!.behavior!.scaleDown, { stabilizationWindowSeconds: 10, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    assert.deepEqual(horizontalPodAutoscalers.validate(h), []);
  });

  it('ValidateHorizontalPodAutoscaler names the offending fields', () => {
    const details = (h: HorizontalPodAutoscaler) => {
      horizontalPodAutoscalers.applyDefaults(h);
      return horizontalPodAutoscalers.validate(h).map((e) => `${e.field}: ${e.detail}`);
    };
    assert.deepEqual(details(v2({ minReplicas: 0 })), ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1']);
    assert.deepEqual(details(v2({ minReplicas: 6 })), ['spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`']);
    assert.deepEqual(details(v2({ behavior: { scaleUp: { selectPolicy: 'Fastest', policies: [] } } })), [
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Fastest": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleUp.policies: Required value: must specify at least one Policy',
    ]);
    assert.deepEqual(details(v2({ behavior: { scaleDown: { policies: [{ type: 'Pods', value: 0, periodSeconds: 1801 }] } } })), [
      'spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
    ]);
    assert.deepEqual(details(v2({ metrics: [{ type: 'Resource' }] })), ['spec.metrics[0].resource: Required value: must populate information for the given metric source']);
    assert.deepEqual(details(v2({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] })), [
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
    ]);
  });
});

describe('kubectl get hpa TARGETS (formatHPAMetrics)', () => {
  const cpu = (u?: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', ...(u ? { averageUtilization: u } : {}) } } });
  it('formats as upstream v1.32', () => {
    assert.equal(formatHpaMetrics([], []), '<none>');
    assert.equal(formatHpaMetrics([cpu(50)] as never, []), 'cpu: <unknown>/50%');
    assert.equal(formatHpaMetrics([cpu(50)] as never, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42 } } }] as never), 'cpu: 42%/50%');
    assert.equal(formatHpaMetrics([cpu()] as never, []), 'cpu: <unknown>/<auto>');
    const mem = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    assert.equal(formatHpaMetrics([mem] as never, [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '64Mi' } } }] as never), 'memory: 64Mi/100Mi');
    assert.equal(formatHpaMetrics([cpu(50), mem, cpu(60)] as never, []), 'cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more...');
  });
});

describe('autoscaling/v1 <-> v2 (conversion.go)', () => {
  it('targetCPUUtilizationPercentage is the cpu Utilization metric; the rest rides in the round-trip annotations', () => {
    const h = v2({
      minReplicas: 2,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
    });
    h.status = { currentReplicas: 2, desiredReplicas: 3, conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' }],
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '90m' } } }] };
    const one = hpaV2ToV1(h);
    assert.equal(one.spec!.targetCPUUtilizationPercentage, 60);
    assert.equal(one.status!.currentCPUUtilizationPercentage, 90);
    assert.deepEqual(JSON.parse(one.metadata.annotations![METRIC_SPECS_ANNOTATION]!), [{ type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } }]);
    assert.deepEqual(JSON.parse(one.metadata.annotations![BEHAVIOR_ANNOTATION]!), { scaleDown: { stabilizationWindowSeconds: 30 } });
    assert.ok(one.metadata.annotations![CONDITIONS_ANNOTATION]);
    const back = hpaV1ToV2(one);
    assert.deepEqual(back.spec, h.spec);
    assert.deepEqual(back.status, h.status);
    assert.equal(back.metadata.annotations, undefined, 'the round-trip annotations are not kept in v2');
  });

  it('a v1 object without a target gets the 80% CPU default', () => {
    const one = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } } as HorizontalPodAutoscalerV1;
    assert.deepEqual(hpaV1ToV2(one).spec!.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });

  it('through the storage: a v1 create is stored as v2, a v2 behavior survives a v1 update', async () => {
    const store = new MemoryStore();
    try {
      const set = createStorages(store, registry);
      await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
      const s1 = set.get('autoscaling', 'v1', 'horizontalpodautoscalers')!;
      const s2 = set.get('autoscaling', 'v2', 'horizontalpodautoscalers')!;
      assert.equal(s1.def, horizontalPodAutoscalersV1);
      await s1.create(ctx(), 'ns', { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: ref, maxReplicas: 4, targetCPUUtilizationPercentage: 50 } });
      const stored = JSON.parse((await store.get('/registry/autoscaling/horizontalpodautoscalers/ns/h'))!.value) as HorizontalPodAutoscaler;
      assert.equal(stored.apiVersion, 'autoscaling/v2');
      assert.deepEqual(stored.spec!.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
      assert.equal(stored.spec!.minReplicas, 1);

      await s2.patch(ctx(), 'ns', 'h', { type: 'merge', body: { spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 20 } } } } });
      const asV1 = await s1.get(ctx(), 'ns', 'h') as HorizontalPodAutoscalerV1;
      assert.equal(asV1.apiVersion, 'autoscaling/v1');
      assert.ok(asV1.metadata.annotations?.[BEHAVIOR_ANNOTATION]);
      asV1.spec!.maxReplicas = 6;
      await s1.update(ctx(), 'ns', 'h', asV1);
      const after = await s2.get(ctx(), 'ns', 'h') as HorizontalPodAutoscaler;
      assert.equal(after.spec!.maxReplicas, 6);
      assert.equal(after.spec!.behavior?.scaleDown?.stabilizationWindowSeconds, 20);
      assert.equal(after.metadata.annotations, undefined);
    } finally {
      await store.close();
    }
  });
});
