/**
 * What upstream's HorizontalController remembers per HPA between passes, and the normalization that
 * uses it (pkg/controller/podautoscaler/horizontal.go): recommendations for the stabilization
 * windows, scale events for the rate policies. Without `behavior`: the downscale window
 * (--horizontal-pod-autoscaler-downscale-stabilization, 5 min) and the fixed scale-up limit
 * max(2x, 4). With it: stabilizeRecommendationWithBehaviors and convertDesiredReplicasWithBehaviorRate.
 * State lives in memory, as upstream's: a restarted controller starts with empty windows.
 */
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerBehavior, HpaScalingRules } from '../../api/kinds/index.js';
import { setCondition } from './conditions.js';

interface Recommendation { replicas: number; at: number }
interface ScaleEvent { change: number; at: number; outdated: boolean }

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

export class ScalingHistory {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly downscaleStabilisationWindowMs = 5 * 60_000) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** recordInitialRecommendation. */
  recordInitial(key: string, current: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, at: now }]);
  }

  /** normalizeDesiredReplicas (no behavior). */
  normalize(hpa: HorizontalPodAutoscaler, key: string, current: number, desired: number, min: number, now: number): number {
    const stabilized = this.stabilize(key, desired, now);
    if (stabilized !== desired) setCondition(hpa, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', now);
    else setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    const [replicas, reason, message] = convertDesiredReplicasWithRules(current, stabilized, min, hpa.spec!.maxReplicas);
    setCondition(hpa, 'ScalingLimited', replicas === stabilized ? 'False' : 'True', reason, message, now);
    return replicas;
  }

  /** normalizeDesiredReplicasWithBehaviors (behavior defaulted by the API; an unset down window is the flag's). */
  normalizeWithBehaviors(hpa: HorizontalPodAutoscaler, key: string, current: number, desired: number, min: number, now: number): number {
    const behavior = hpa.spec!.behavior!;
    const up = behavior.scaleUp ?? {};
    const down = { ...behavior.scaleDown };
    down.stabilizationWindowSeconds ??= Math.trunc(this.downscaleStabilisationWindowMs / 1000);
    const [stabilized, sReason, sMessage] = this.stabilizeWithBehaviors(key, current, desired, up, down, now);
    if (stabilized !== desired) setCondition(hpa, 'AbleToScale', 'True', sReason, sMessage, now);
    else setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    const [replicas, reason, message] = this.convertWithBehaviorRate(key, current, stabilized, min, hpa.spec!.maxReplicas, up, down, now);
    setCondition(hpa, 'ScalingLimited', replicas === stabilized ? 'False' : 'True', reason, message, now);
    return replicas;
  }

  /** storeScaleEvent: only with behavior (the events feed the rate policies). */
  storeScaleEvent(behavior: HorizontalPodAutoscalerBehavior | undefined, key: string, prev: number, next: number, now: number): void {
    if (!behavior) return;
    const upward = next > prev;
    const rules = upward ? behavior.scaleUp : behavior.scaleDown;
    const map = upward ? this.scaleUpEvents : this.scaleDownEvents;
    const longest = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
    const events = map.get(key) ?? [];
    for (const e of events) if (e.at <= now - longest * 1000) e.outdated = true; // markScaleEventsOutdated
    const fresh: ScaleEvent = { change: Math.abs(next - prev), at: now, outdated: false };
    let old = -1;
    events.forEach((e, i) => {
      if (e.outdated) old = i;
    });
    if (old >= 0) events[old] = fresh;
    else events.push(fresh);
    map.set(key, events);
  }

  /** stabilizeRecommendation: the highest recommendation of the downscale window. */
  private stabilize(key: string, desired: number, now: number): number {
    let max = desired;
    let old = -1;
    const recs = this.recommendations.get(key) ?? [];
    const cutoff = now - this.downscaleStabilisationWindowMs;
    recs.forEach((r, i) => {
      if (r.at < cutoff) old = i;
      else if (r.replicas > max) max = r.replicas;
    });
    if (old >= 0) recs[old] = { replicas: desired, at: now };
    else recs.push({ replicas: desired, at: now });
    this.recommendations.set(key, recs);
    return max;
  }

  private stabilizeWithBehaviors(key: string, current: number, desired: number, up: HpaScalingRules, down: HpaScalingRules, now: number): [number, string, string] {
    let upRec = desired;
    let downRec = desired;
    const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - (down.stabilizationWindowSeconds ?? 0) * 1000;
    let old = -1;
    const recs = this.recommendations.get(key) ?? [];
    recs.forEach((r, i) => {
      if (r.at > upCutoff) upRec = Math.min(r.replicas, upRec);
      if (r.at > downCutoff) downRec = Math.max(r.replicas, downRec);
      if (r.at < upCutoff && r.at < downCutoff) old = i;
    });
    let rec = current;
    if (rec < upRec) rec = upRec;
    if (rec > downRec) rec = downRec;
    if (old >= 0) recs[old] = { replicas: desired, at: now };
    else recs.push({ replicas: desired, at: now });
    this.recommendations.set(key, recs);
    return desired >= current
      ? [rec, 'ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation']
      : [rec, 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation'];
  }

  private convertWithBehaviorRate(key: string, current: number, desired: number, min: number, max: number, up: HpaScalingRules, down: HpaScalingRules, now: number): [number, string, string] {
    const ups = this.scaleUpEvents.get(key) ?? [];
    const downs = this.scaleDownEvents.get(key) ?? [];
    if (desired > current) {
      const limit = Math.max(current, scaleUpLimitWithRules(current, ups, downs, up, now));
      const [allowed, reason, message] = max > limit
        ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
        : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
      if (desired > allowed) return [allowed, reason, message];
    } else if (desired < current) {
      const limit = Math.min(current, scaleDownLimitWithRules(current, ups, downs, down, now));
      const [allowed, reason, message] = min < limit
        ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
        : [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
      if (desired < allowed) return [allowed, reason, message];
    }
    return [desired, 'DesiredWithinRange', 'the desired count is within the acceptable range'];
  }
}

/** getReplicasChangePerPeriod. */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((sum, e) => sum + e.change, 0);
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimitWithRules(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: HpaScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? INT32_MAX : INT32_MIN;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, ups, now) + changeInPeriod(p.periodSeconds, downs, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimitWithRules(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: HpaScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? INT32_MIN : INT32_MAX;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, ups, now) + changeInPeriod(p.periodSeconds, downs, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** convertDesiredReplicasWithRules (no behavior): at most max(2x current, 4) per pass. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): [number, string, string] {
  const scaleUpLimit = Math.max(2 * current, 4);
  let maxAllowed: number;
  let reason: string;
  let message: string;
  if (max > scaleUpLimit) {
    maxAllowed = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maxAllowed = max;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < min) return [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
  if (desired > maxAllowed) return [maxAllowed, reason, message];
  return [desired, 'DesiredWithinRange', 'the desired count is within the acceptable range'];
}
