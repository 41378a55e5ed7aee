/**
 * Finds a pod's sandbox and containers in the runtime from what the API server asks by name
 * (namespace, pod, container), using the CRI metadata the agent gave them (sandbox metadata carries
 * the pod's name, namespace and uid; container metadata its name and restart attempt). The newest
 * instance of a container is the current one, the one before it the "previous" of `--previous`.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { failure } from '../../api/status.js';
import type { Container, ContainerRuntime, ContainerStatus, PodSandbox } from '../runtime/types.js';

/** How the server finds pods; the default reads the runtime. An agent may pass its own pod manager. */
export interface PodLookup {
  /** The pod's sandboxes, newest first (empty when the pod has none on this node). */
  sandboxes(namespace: string, pod: string): Promise<PodSandbox[]>;
}

export function runtimePodLookup(runtime: ContainerRuntime): PodLookup {
  return {
    async sandboxes(namespace, pod) {
      const all = await runtime.listPodSandboxes();
      return all
        .filter((s) => s.metadata.namespace === namespace && s.metadata.name === pod)
        .sort((a, b) => readyFirst(a, b) || b.createdAt.getTime() - a.createdAt.getTime());
    },
  };
}

function readyFirst(a: PodSandbox, b: PodSandbox): number {
  return (a.state === 'SANDBOX_READY' ? 0 : 1) - (b.state === 'SANDBOX_READY' ? 0 : 1);
}

export interface ContainerInstances {
  sandbox: PodSandbox;
  /** Newest first. */
  instances: Container[];
}

/** Errors the kubelet answers with (400 for a container that is not there, 404 for no such pod). */
export const lookupErrors = {
  podNotFound: (ns: string, pod: string) => failure(404, 'NotFound', `pod "${pod}" in namespace "${ns}" not found on this node`),
  containerNotFound: (container: string, pod: string) =>
    failure(400, 'BadRequest', `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`),
  noPrevious: (container: string, pod: string) =>
    failure(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod}" not found`),
  notRunning: (container: string, pod: string) =>
    failure(400, 'BadRequest', `container "${container}" in pod "${pod}" is not running`),
};

export async function findContainer(runtime: ContainerRuntime, lookup: PodLookup, ns: string, pod: string, container: string): Promise<ContainerInstances> {
  const sandboxes = await lookup.sandboxes(ns, pod);
  if (sandboxes.length === 0) throw lookupErrors.podNotFound(ns, pod);
  const instances: Container[] = [];
  for (const s of sandboxes) {
    const cs = await runtime.listContainers({ podSandboxId: s.id });
    instances.push(...cs.filter((c) => c.metadata.name === container));
  }
  instances.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.metadata.attempt - a.metadata.attempt);
  return { sandbox: sandboxes[0]!, instances };
}

/** The running (or newest) container's status; throws the kubelet's 400 when there is none. */
export async function currentContainer(runtime: ContainerRuntime, found: ContainerInstances, container: string, pod: string): Promise<ContainerStatus> {
  const c = found.instances[0];
  if (!c) throw lookupErrors.containerNotFound(container, pod);
  return runtime.containerStatus(c.id);
}

/**
 * The log file of the container instance before the current one. When the agent already removed that
 * instance from the runtime, its file may still be there: kubelet names log files
 * `<container>/<restartCount>.log`, so the highest number below the current one is the previous.
 */
export async function previousLogPath(runtime: ContainerRuntime, found: ContainerInstances, container: string, pod: string): Promise<string> {
  const prev = found.instances[1];
  if (prev) {
    const st = await runtime.containerStatus(prev.id);
    if (st.logPath) return st.logPath;
  }
  const cur = found.instances[0];
  if (cur) {
    const st = await runtime.containerStatus(cur.id);
    const m = /^(\d+)\.log$/.exec(basename(st.logPath));
    if (st.logPath && m) {
      const dir = dirname(st.logPath);
      const below = safeReaddir(dir)
        .map((f) => /^(\d+)\.log$/.exec(f))
        .filter((x): x is RegExpExecArray => !!x && Number(x[1]) < Number(m[1]))
        .sort((a, b) => Number(b[1]) - Number(a[1]));
      if (below[0]) return join(dir, below[0][0]);
    }
  }
  throw lookupErrors.noPrevious(container, pod);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
