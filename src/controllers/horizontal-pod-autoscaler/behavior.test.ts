/**
 * Scaling rules and stabilization as upstream's horizontal.go computes them
 * (calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors,
 * convertDesiredReplicasWithRules, stabilizeRecommendation[WithBehaviors]); the expected numbers are
 * worked by hand from those functions, the way horizontal_test.go's TestScaleUpLimit* and
 * TestNormalizeDesiredReplicasWithBehavior tables state them.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerBehavior } from '../../api/kinds/index.js';
import { defaultScaleDownRules, defaultScaleUpRules } from '../../api/kinds/index.js';
import { convertDesiredReplicasWithRules, ScalingHistory, scaleDownLimitWithRules, scaleUpLimitWithRules } from './behavior.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function hpa(behavior?: HorizontalPodAutoscalerBehavior, max = 100): HorizontalPodAutoscaler {
  return { metadata: { name: 'h', namespace: 'ns' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, minReplicas: 1, maxReplicas: max, ...(behavior ? { behavior } : {}) } } as HorizontalPodAutoscaler;
}

describe('rate limits of the scaling policies', () => {
  it('default scale-up rules: the higher of +4 pods and +100% per 15 s', () => {
    assert.equal(scaleUpLimitWithRules(1, [], [], defaultScaleUpRules(), T0), 5);
    assert.equal(scaleUpLimitWithRules(10, [], [], defaultScaleUpRules(), T0), 20);
  });
  it('selectPolicy Min takes the smaller change, Disabled none', () => {
    assert.equal(scaleUpLimitWithRules(10, [], [], { ...defaultScaleUpRules(), selectPolicy: 'Min' }, T0), 14);
    assert.equal(scaleUpLimitWithRules(10, [], [], { ...defaultScaleUpRules(), selectPolicy: 'Disabled' }, T0), 10);
    assert.equal(scaleDownLimitWithRules(10, [], [], { selectPolicy: 'Disabled', policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] }, T0), 10);
  });
  it('changes already made in the period count against it', () => {
    const ups = [{ change: 3, at: T0 - 5_000, outdated: false }];
    // The period started at 10 - 3 = 7 replicas: +4 pods allows 11, +100% allows 14.
    assert.equal(scaleUpLimitWithRules(10, ups, [], defaultScaleUpRules(), T0), 14);
    // Outside the 15 s period the change no longer counts.
    assert.equal(scaleUpLimitWithRules(10, [{ change: 3, at: T0 - 20_000, outdated: false }], [], defaultScaleUpRules(), T0), 20);
  });
  it('scale-down Percent rounds down, Pods subtracts; Max picks the larger change (the lower limit)', () => {
    const rules = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }, { type: 'Pods', value: 2, periodSeconds: 60 }] };
    assert.equal(scaleDownLimitWithRules(9, [], [], rules, T0), 4);
    assert.equal(scaleDownLimitWithRules(9, [], [], { ...rules, selectPolicy: 'Min' }, T0), 7);
    assert.equal(scaleDownLimitWithRules(10, [], [], defaultScaleDownRules(), T0), 0);
  });
  it('without behavior: at most max(2x, 4) per pass, then min/max', () => {
    assert.deepEqual(convertDesiredReplicasWithRules(1, 10, 1, 100)[0], 4);
    assert.deepEqual(convertDesiredReplicasWithRules(10, 50, 1, 100), [20, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
    assert.deepEqual(convertDesiredReplicasWithRules(10, 50, 1, 15), [15, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
    assert.deepEqual(convertDesiredReplicasWithRules(3, 0, 2, 15), [2, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count']);
  });
});

describe('stabilization windows', () => {
  it('without behavior, the highest recommendation of the downscale window (5 min) wins', () => {
    const h = new ScalingHistory();
    const a = hpa();
    h.recordInitial('k', 5, T0);
    assert.equal(h.normalize(a, 'k', 5, 2, 1, T0 + 1_000), 5);
    assert.equal(a.status?.conditions?.find((c) => c.type === 'AbleToScale')?.reason, 'ScaleDownStabilized');
    assert.equal(h.normalize(a, 'k', 5, 2, 1, T0 + 301_000), 2, 'after the window the lower recommendation applies');
  });
  it('with behavior: scale-up window holds the lowest, scale-down window the highest recent recommendation', () => {
    const h = new ScalingHistory();
    const a = hpa({ scaleUp: { ...defaultScaleUpRules(), stabilizationWindowSeconds: 60 }, scaleDown: { ...defaultScaleDownRules(), stabilizationWindowSeconds: 30 } });
    h.recordInitial('k', 3, T0);
    assert.equal(h.normalizeWithBehaviors(a, 'k', 3, 8, 1, T0 + 1_000), 3, 'the initial recommendation of 3 is inside the up window');
    assert.equal(a.status?.conditions?.find((c) => c.type === 'AbleToScale')?.reason, 'ScaleUpStabilized');
    assert.equal(h.normalizeWithBehaviors(a, 'k', 3, 8, 1, T0 + 62_000), 7, 'after the up window, limited by the default +4 pods per 15 s');
    assert.equal(h.normalizeWithBehaviors(a, 'k', 8, 2, 1, T0 + 70_000), 8, 'the 8 of 8 s ago holds the scale-down');
    assert.equal(h.normalizeWithBehaviors(a, 'k', 8, 2, 1, T0 + 101_000), 2, 'after the down window; the default -100% allows it');
  });
  it('an unset scale-down window is the controller flag (5 min), as maybeInitScaleDownStabilizationWindow', () => {
    const h = new ScalingHistory(120_000);
    const a = hpa({ scaleUp: defaultScaleUpRules(), scaleDown: defaultScaleDownRules() });
    h.recordInitial('k', 6, T0);
    assert.equal(h.normalizeWithBehaviors(a, 'k', 6, 1, 1, T0 + 119_000), 6);
    assert.equal(h.normalizeWithBehaviors(a, 'k', 6, 1, 1, T0 + 121_000), 1);
  });
  it('rate limits apply after stabilization and report ScalingLimited', () => {
    const h = new ScalingHistory();
    const a = hpa({ scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, scaleDown: defaultScaleDownRules() });
    assert.equal(h.normalizeWithBehaviors(a, 'k', 2, 9, 1, T0), 3);
    const limited = a.status?.conditions?.find((c) => c.type === 'ScalingLimited');
    assert.equal(limited?.status, 'True');
    assert.equal(limited?.reason, 'ScaleUpLimit');
    h.storeScaleEvent(a.spec!.behavior, 'k', 2, 3, T0);
    assert.equal(h.normalizeWithBehaviors(a, 'k', 3, 9, 1, T0 + 10_000), 3, 'one pod per 60 s is spent');
    assert.equal(h.normalizeWithBehaviors(a, 'k', 3, 9, 1, T0 + 61_000), 4);
  });

  it('the recommendations history (TestStabilizeRecommendationWithBehaviors): lowest of the up window, highest of the down window', () => {
    // Earlier passes wanted `past` ([replicas, minutes ago]); now `desired` from `current`, windows 5 and 10 minutes.
    const run = (current: number, past: [number, number][], desired: number) => {
      const h = new ScalingHistory();
      const a = hpa({ scaleUp: { ...defaultScaleUpRules(), stabilizationWindowSeconds: 300 }, scaleDown: { ...defaultScaleDownRules(), stabilizationWindowSeconds: 600 } });
      h.recordInitial('k', current, T0 - 20 * 60_000);
      for (const [replicas, ago] of past) h.normalizeWithBehaviors(a, 'k', current, replicas, 1, T0 - ago * 60_000);
      return [h.normalizeWithBehaviors(a, 'k', current, desired, 1, T0), a] as const;
    };
    const [up, a] = run(5, [[7, 4], [8, 2]], 10);
    assert.equal(up, 7, 'the lowest of the scale-up window');
    assert.deepEqual(pick(a, 'AbleToScale'), ['ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation']);
    const [down, b] = run(8, [[4, 8], [5, 5]], 3);
    assert.equal(down, 5, 'the highest of the 10-minute scale-down window');
    assert.deepEqual(pick(b, 'AbleToScale'), ['ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation']);
    assert.deepEqual(pick(b, 'ScalingLimited'), ['DesiredWithinRange', 'the desired count is within the acceptable range']);
  });
  it('TestNormalizeDesiredReplicasWithBehaviors: +200% per 60 s from 5 is capped by maxReplicas 10 (TooManyReplicas); -50% from 8 allows 4', () => {
    const policy = (value: number) => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value, periodSeconds: 60 }] });
    const up = hpa({ scaleUp: policy(200), scaleDown: policy(100) }, 10);
    assert.equal(new ScalingHistory().normalizeWithBehaviors(up, 'k', 5, 15, 1, T0), 10);
    assert.deepEqual(pick(up, 'ScalingLimited'), ['TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
    const down = hpa({ scaleUp: policy(200), scaleDown: policy(50) }, 10);
    assert.equal(new ScalingHistory().normalizeWithBehaviors(down, 'k', 8, 2, 1, T0), 4);
    assert.deepEqual(pick(down, 'ScalingLimited'), ['ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']);
  });
});

function pick(a: HorizontalPodAutoscaler, type: string): [string | undefined, string | undefined] {
  const c = a.status?.conditions?.find((x) => x.type === type);
  return [c?.reason, c?.message];
}
