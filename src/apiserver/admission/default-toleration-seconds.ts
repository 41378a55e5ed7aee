/**
 * DefaultTolerationSeconds admission (upstream plugin/pkg/admission/defaulttolerationseconds): a
 * pod that does not tolerate node.kubernetes.io/not-ready:NoExecute or
 * node.kubernetes.io/unreachable:NoExecute gets an Exists toleration for it with tolerationSeconds
 * from --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (300 s
 * upstream). A toleration counts when its key is the taint's or empty and its effect is NoExecute or
 * empty, as the plugin checks. The taint manager (node-lifecycle's tolerations.ts) then evicts by
 * the pod's own tolerations. Bosun runs it on pod creates (upstream also on updates, where a pod
 * admitted at create already carries both).
 */
import type { KubeObject } from '../../api/meta.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface DefaultTolerationSeconds {
  notReady: number;
  unreachable: number;
}

interface TolerationLike { key?: string; effect?: string }

export function admitDefaultTolerations(pod: KubeObject, seconds: DefaultTolerationSeconds): void {
  const spec = (pod.spec ??= {}) as { tolerations?: TolerationLike[] };
  const list = spec.tolerations ?? [];
  const tolerates = (key: string) => list.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const added: Record<string, unknown>[] = [];
  if (!tolerates(TAINT_NOT_READY)) added.push({ key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.notReady });
  if (!tolerates(TAINT_UNREACHABLE)) added.push({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.unreachable });
  if (added.length > 0) spec.tolerations = [...list, ...added];
}
