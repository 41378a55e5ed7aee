import type { ContainerRuntime, ContainerState, PodSandboxStatus } from './types.js';
import { RuntimeError } from './types.js';
import { oomKillCount, podCgroupParent } from './cgroups.js';
import { ANN_CONTAINER_TYPE, ANN_RESTART_COUNT, ANN_SPEC_HASH, LABEL_CONTAINER_NAME, LABEL_MANAGED, LABEL_POD_UID } from './labels.js';

/**
 * What the runtime holds for one pod, read fresh from CRI at the start of every sync: the pod
 * worker never trusts a cached picture of containers, so a restart of the agent (or of containerd)
 * changes nothing about its decisions.
 */

/** One container as the agent reasons about it. */
export interface RuntimeContainer {
  id: string;
  name: string;
  sandboxId: string;
  state: ContainerState;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode: number;
  /** CRI reason: Completed, Error, OOMKilled, StartError... */
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  restartCount: number;
  specHash: string;
  type: 'init' | 'regular';
}

export interface PodRuntimeState {
  uid: string;
  /** Newest first. */
  sandboxes: PodSandboxStatus[];
  /** Newest first (by creation time, then restart count). */
  containers: RuntimeContainer[];
}

const ignoreNotFound = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((err) => {
    if (err instanceof RuntimeError && err.kind === 'NotFound') return undefined;
    throw err;
  });

/** Exit code of a process ended by SIGKILL, as the OOM killer ends them. */
const SIGKILL_EXIT = 137;

/**
 * Reads the sandboxes and containers labelled with pod `uid`. With `cgroupRoot`, a container that
 * died by SIGKILL without an OOM reason is reported OOMKilled when the kernel counted an OOM kill in
 * its pod cgroup: containerd 1.6 only sees OOMs of the container's own cgroup, and misses those
 * right at start (containerd#8180).
 */
export async function readPodRuntimeState(runtime: ContainerRuntime, uid: string, cgroupRoot?: string): Promise<PodRuntimeState> {
  const selector = { [LABEL_MANAGED]: 'true', [LABEL_POD_UID]: uid };
  const [sandboxList, containerList] = await Promise.all([
    runtime.listPodSandboxes({ labelSelector: selector }),
    runtime.listContainers({ labelSelector: selector }),
  ]);
  // All status calls at once: one round trip to the runtime instead of two.
  const [sandboxStatuses, statuses] = await Promise.all([
    Promise.all(sandboxList.map((s) => ignoreNotFound(runtime.podSandboxStatus(s.id)))),
    Promise.all(containerList.map((c) => ignoreNotFound(runtime.containerStatus(c.id)))),
  ]);
  const sandboxes = sandboxStatuses
    .filter((s): s is PodSandboxStatus => !!s)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.metadata.attempt - a.metadata.attempt);
  const containers: RuntimeContainer[] = [];
  for (const st of statuses) {
    if (!st) continue;
    containers.push({
      id: st.id,
      name: st.labels[LABEL_CONTAINER_NAME] ?? st.metadata.name,
      sandboxId: st.podSandboxId,
      state: st.state,
      createdAt: st.createdAt,
      startedAt: st.startedAt,
      finishedAt: st.finishedAt,
      exitCode: st.exitCode,
      reason: st.exitCode === SIGKILL_EXIT && st.reason !== 'OOMKilled' && cgroupRoot !== undefined && oomKillCount(podCgroupParent(uid, cgroupRoot)) > 0 ? 'OOMKilled' : st.reason,
      message: st.message,
      image: st.image,
      imageRef: st.imageRef,
      restartCount: Number(st.annotations[ANN_RESTART_COUNT] ?? st.metadata.attempt) || 0,
      specHash: st.annotations[ANN_SPEC_HASH] ?? '',
      type: st.annotations[ANN_CONTAINER_TYPE] === 'init' ? 'init' : 'regular',
    });
  }
  containers.sort(newestFirst);
  return { uid, sandboxes, containers };
}

export function newestFirst(a: RuntimeContainer, b: RuntimeContainer): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || b.restartCount - a.restartCount;
}

/** The newest container named `name` (optionally only within `sandboxId`). */
export function latestContainer(state: Pick<PodRuntimeState, 'containers'>, name: string, sandboxId?: string): RuntimeContainer | undefined {
  return state.containers.find((c) => c.name === name && (!sandboxId || c.sandboxId === sandboxId));
}

/** The newest ready sandbox, if any. */
export function readySandbox(state: Pick<PodRuntimeState, 'sandboxes'>): PodSandboxStatus | undefined {
  return state.sandboxes.find((s) => s.state === 'SANDBOX_READY');
}
