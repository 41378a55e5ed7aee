import type { Container, LifecycleHandler } from '../../api/kinds/index.js';
import { runAction, type ProbeResult } from '../probes/prober.js';
import type { ContainerRuntime } from '../runtime/types.js';

/**
 * postStart and preStop handlers (exec, httpGet, sleep). A hook gets at most `timeoutSeconds`;
 * kubelet gives preStop the pod's grace period and postStart no limit of its own, we bound both.
 */
export async function runHook(
  h: LifecycleHandler, runtime: ContainerRuntime, containerId: string, c: Container, podIP: string, timeoutSeconds: number,
): Promise<ProbeResult> {
  if (h.sleep) {
    const secs = Math.min(h.sleep.seconds ?? 0, timeoutSeconds);
    await new Promise((r) => setTimeout(r, secs * 1000));
    return { ok: true, output: '' };
  }
  return runAction(h, { runtime, containerId, container: c, podIP }, timeoutSeconds);
}
