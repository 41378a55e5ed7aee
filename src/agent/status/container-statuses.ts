import type { Container, ContainerState, ContainerStatus } from '../../api/kinds/index.js';
import type { RuntimeContainer } from '../runtime/pod-state.js';
import { isSidecar } from '../../api/pod-sidecar.js';
import { rfc3339 } from './time.js';

/**
 * One container's API status from its runtime containers (kubelet convertToAPIContainerStatuses):
 * state from the newest, lastState from the one before, a waiting reason the pod worker chose
 * (ErrImagePull, CrashLoopBackOff, ...) overriding an exited or missing container. image and
 * imageID are the runtime's (toKubeContainerStatus: CRI status.image.image and image_ref; containerd
 * answers the image's first repo tag, e.g. docker.io/library/busybox:1.36 for "busybox:1.36", and its
 * first repo digest), the spec's image only while no container exists.
 */

export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface ContainerStatusInput {
  spec: Container;
  /** Runtime containers of this name, newest first. */
  history: RuntimeContainer[];
  waiting?: WaitingReason;
  /** Reason when nothing has been created yet: PodInitializing or ContainerCreating. */
  defaultWaiting: string;
  /** Readiness probe result (true when there is no readiness probe and the container runs). */
  ready(id: string): boolean;
  /** Startup probe passed (true when there is none). */
  started(id: string): boolean;
  /** Runtime prefix of container ids, e.g. "containerd". */
  runtimeName: string;
  init: boolean;
}

export function terminatedState(c: RuntimeContainer, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: c.startedAt ? rfc3339(c.startedAt) : undefined,
      finishedAt: c.finishedAt ? rfc3339(c.finishedAt) : undefined,
      containerID: `${runtimeName}://${c.id}`,
    },
  };
}

/**
 * The volume mounts as 1.32's kubelet reports them (RecursiveReadOnlyMounts, beta and on since
 * 1.31): name and path, and for a read-only mount whether it was made recursively read-only. The
 * agent's runtime handlers do not report recursive read-only support, so, as the kubelet's
 * resolveRecursiveReadOnly without it, every read-only mount is Disabled.
 */
export function volumeMountStatuses(c: Container): ContainerStatus['volumeMounts'] {
  return c.volumeMounts?.map((m) => ({
    name: m.name, mountPath: m.mountPath,
    ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
  }));
}

export function containerStatusFor(i: ContainerStatusInput): ContainerStatus {
  const [latest, previous] = i.history;
  const base: ContainerStatus = {
    name: i.spec.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: latest?.restartCount ?? 0,
    image: latest?.image || (i.spec.image ?? ''),
    imageID: latest?.imageRef ?? '',
    started: false,
  };
  const mounts = volumeMountStatuses(i.spec);
  if (mounts?.length) base.volumeMounts = mounts;
  if (!latest) {
    base.state = { waiting: { reason: i.waiting?.reason ?? i.defaultWaiting, ...(i.waiting?.message ? { message: i.waiting.message } : {}) } };
    return base;
  }
  base.containerID = `${i.runtimeName}://${latest.id}`;
  const waitingOverride = i.waiting && latest.state !== 'CONTAINER_RUNNING';
  if (waitingOverride) {
    // A container waiting to be restarted shows the previous run as lastState (CrashLoopBackOff).
    base.state = { waiting: { reason: i.waiting!.reason, ...(i.waiting!.message ? { message: i.waiting!.message } : {}) } };
    if (latest.state === 'CONTAINER_EXITED') base.lastState = terminatedState(latest, i.runtimeName);
    else if (previous?.state === 'CONTAINER_EXITED') base.lastState = terminatedState(previous, i.runtimeName);
    return base;
  }
  switch (latest.state) {
    case 'CONTAINER_RUNNING':
      base.state = { running: { startedAt: latest.startedAt ? rfc3339(latest.startedAt) : undefined } };
      base.started = i.started(latest.id);
      base.ready = base.started && i.ready(latest.id);
      break;
    case 'CONTAINER_EXITED':
      base.state = terminatedState(latest, i.runtimeName);
      // An init container that succeeded counts as ready (kubelet does the same); a sidecar that
      // exited is not ready, whatever its exit code.
      base.ready = i.init && !isSidecar(i.spec) && latest.exitCode === 0;
      break;
    default:
      base.state = { waiting: { reason: 'ContainerCreating' } };
  }
  if (previous?.state === 'CONTAINER_EXITED') base.lastState = terminatedState(previous, i.runtimeName);
  return base;
}
