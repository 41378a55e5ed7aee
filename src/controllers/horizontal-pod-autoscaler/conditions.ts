/**
 * HPA status conditions as upstream's setConditionInList: the transition time moves only when the
 * status changes; reason and message are always rewritten.
 */
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition } from '../../api/kinds/index.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export function setCondition(hpa: HorizontalPodAutoscaler, type: ConditionType, status: 'True' | 'False', reason: string, message: string, now: number): void {
  const st = (hpa.status ??= { desiredReplicas: 0 });
  const list = (st.conditions ??= []);
  let c: HorizontalPodAutoscalerCondition | undefined = list.find((x) => x.type === type);
  if (!c) {
    c = { type, status: '' };
    list.push(c);
  }
  if (c.status !== status) c.lastTransitionTime = rfc3339Seconds(now);
  c.status = status;
  c.reason = reason;
  c.message = message;
}
