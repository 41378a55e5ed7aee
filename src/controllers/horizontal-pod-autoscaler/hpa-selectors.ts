/**
 * Which HPAs select which pods, as upstream's HorizontalController keeps it in hpaSelectors
 * (pkg/controller/util/selectors BiMultimap, horizontal.go validateAndParseSelector): an HPA is
 * registered with a selector that matches nothing when the informer first shows it, learns its
 * target's selector on its own reconcile, and is dropped when deleted. Pods that two HPAs' selectors
 * both select make each of them refuse to scale (AmbiguousSelector).
 */
import type { Pod } from '../../api/kinds/index.js';
import { matchesLabels, type LabelSelector } from '../../api/selectors/index.js';

interface Entry { namespace: string; selector: LabelSelector | undefined }

export class HpaSelectors {
  private readonly byKey = new Map<string, Entry>();

  /** enqueueHPA: register with the Nothing selector if not known yet. */
  register(key: string, namespace: string): void {
    if (!this.byKey.has(key)) this.byKey.set(key, { namespace, selector: undefined });
  }

  /** deleteHPA. */
  remove(key: string): void {
    this.byKey.delete(key);
  }

  /** The reconcile learnt the target's selector (only for a registered HPA, as upstream). */
  put(key: string, selector: LabelSelector): void {
    const e = this.byKey.get(key);
    if (e) e.selector = selector;
  }

  /** hpasControllingPodsUnderSelector: the keys (namespace/name, sorted) of HPAs selecting any of `pods`. */
  controlling(pods: readonly Pod[]): string[] {
    const found = new Set<string>();
    for (const pod of pods) {
      for (const [key, e] of this.byKey) {
        if (e.selector && e.namespace === pod.metadata.namespace && matchesLabels(e.selector, pod.metadata.labels ?? {})) found.add(key);
      }
    }
    return [...found].sort();
  }
}
