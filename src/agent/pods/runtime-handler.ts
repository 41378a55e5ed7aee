/**
 * kubelet's runtimeClassManager.LookupRuntimeHandler: the CRI runtime_handler a pod's sandbox runs
 * with is its RuntimeClass's `handler` ('' without spec.runtimeClassName: the runtime's default).
 * A class that does not exist fails the sandbox creation (the pod stays ContainerCreating with a
 * FailedCreatePodSandBox event) rather than running it under the default runtime. Read with a GET
 * per sandbox creation (rare) instead of a watch; the node authorizer lets nodes read runtimeclasses.
 */
import type { Pod } from '../../api/kinds/index.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';

export async function runtimeHandlerOf(client: KubeClient, pod: Pod): Promise<string> {
  const name = pod.spec?.runtimeClassName;
  if (!name) return '';
  try {
    return (await client.resource(resources.runtimeclasses).get(name)).handler;
  } catch (err) {
    if (isNotFound(err)) throw new Error(`RuntimeClass "${name}" not found`);
    throw err;
  }
}
