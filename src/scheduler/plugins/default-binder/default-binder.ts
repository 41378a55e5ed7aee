/**
 * DefaultBinder: binds through the pods/binding subresource. The actual API call is injected
 * (handle.bindPod) so the framework stays free of I/O and tests can bind in memory.
 */
import type { BindPlugin } from '../../framework/interface.js';
import type { PluginHandle } from '../../framework/profile.js';
import { Status } from '../../framework/status.js';

export const NAME = 'DefaultBinder';

/** POSTs a v1 Binding for the pod; rejects on API errors. */
export type BindPodFn = (namespace: string, name: string, uid: string | undefined, nodeName: string) => Promise<void>;

export function newDefaultBinder(_args: Record<string, unknown>, handle: PluginHandle): BindPlugin {
  const bindPod = handle.bindPod as BindPodFn | undefined;
  return {
    name: NAME,
    async bind(pod, nodeName) {
      if (!bindPod) return Status.error(new Error('DefaultBinder: no bindPod in the plugin handle'));
      try {
        const m = pod.pod.metadata;
        await bindPod(m.namespace ?? 'default', m.name ?? '', m.uid, nodeName);
        return Status.SUCCESS;
      } catch (err) {
        return Status.error(err);
      }
    },
  };
}
