import type { Container, Pod } from '../../api/kinds/index.js';
import type { PodSandboxConfig } from '../runtime/types.js';
import { runtimeErrorDesc } from '../runtime/rpc-error.js';
import { containerConfig } from './container-config.js';
import type { ContainerAllocateResponse } from '../device-plugins/proto.js';
import type { AgentDeps, SyncScratch } from './context.js';
import { ContainerConfigError } from '../downward-api/field-values.js';
import { killContainer } from './kill.js';
import { runHook } from './lifecycle-hooks.js';
import type { ImageUser } from './security-profile.js';
import type { VolumePaths } from '../volumes/volume-manager.js';
import type { Mount } from '../runtime/types.js';
import type { ContainerType } from './pod-actions.js';

/**
 * kubelet startContainer: pull the image, make the config (env, mounts), create, start, run the
 * postStart hook. Each failure becomes the container's waiting reason and an event, as upstream:
 * ErrImagePull/ImagePullBackOff, CreateContainerConfigError, CreateContainerError; a failed
 * postStart hook kills the container (it then restarts per the restart policy).
 */

export interface StartInput {
  pod: Pod;
  container: Container;
  type: ContainerType;
  restartCount: number;
  /** An ephemeral container's target, whose PID namespace it joins. */
  pidTargetId?: string;
  sandboxId: string;
  sandboxConfig: PodSandboxConfig;
  podIP: string;
  volumes: VolumePaths;
  extraMounts: Mount[];
}

const runsAsNonRoot = (pod: Pod, c: Container) => !!(c.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot);

/** The user the image runs as, from CRI ImageStatus (the kubelet's getImageUser). */
async function imageUserOf(d: AgentDeps, imageRef: string): Promise<ImageUser> {
  const img = await d.runtime.imageStatus(imageRef);
  if (img?.uid !== undefined) return { uid: img.uid };
  return img?.username ? { username: img.username } : {};
}

/** CreateContainerError's and RunContainerError's words: the kubelet's grpcstatus Message(), the runtime's description alone. */
const errMsg = runtimeErrorDesc;

/** The device plugins' answer for the container; a failure (too few devices, a plugin error) is its config error. */
async function allocateDevices(d: AgentDeps, pod: Pod, c: Container): Promise<ContainerAllocateResponse | undefined> {
  try {
    return await d.devices?.allocate(pod, c);
  } catch (err) {
    throw new ContainerConfigError(`Allocate failed for container "${c.name}": ${(err as Error).message}`, { cause: err });
  }
}

/** Whether a container that failed to start (it exits non-zero) is started again: sidecars always, ephemeral containers never, the rest per the pod's restartPolicy. */
function willRestartAfterStartError(pod: Pod, c: Container, type: ContainerType): boolean {
  if (type === 'ephemeral') return false;
  if (type === 'init' && (c as { restartPolicy?: string }).restartPolicy === 'Always') return true;
  return (pod.spec?.restartPolicy ?? 'Always') !== 'Never';
}

/** Returns true when the container was started. */
export async function startContainer(d: AgentDeps, s: SyncScratch, i: StartInput): Promise<boolean> {
  const { pod, container: c } = i;
  const pulled = await d.images.ensure(pod, c);
  if ('waiting' in pulled) {
    s.waiting[c.name] = pulled.waiting;
    const retry = d.images.retryInMs(`${pod.metadata.uid}/${c.image}`);
    // After a failed pull the status shows ErrImagePull, then ImagePullBackOff halfway to the retry.
    if (pulled.waiting.reason === 'ErrImagePull') s.wakeIn(retry / 2);
    else if (pulled.waiting.reason === 'ImagePullBackOff') s.wakeIn(retry + 50);
    return false;
  }
  let config;
  try {
    const imageUser = runsAsNonRoot(pod, c) ? await imageUserOf(d, pulled.imageRef) : undefined;
    const pluginDevices = await allocateDevices(d, pod, c);
    config = containerConfig({
      pod, container: c, type: i.type, restartCount: i.restartCount, imageRef: pulled.imageRef, volumes: i.volumes,
      envCtx: { pod, lookup: d.lookup, podIP: i.podIP, hostIP: d.node.hostIP, allocatable: d.node.allocatable, services: d.services },
      memoryCapacity: d.node.memoryCapacity, extraMounts: i.extraMounts, logDirectory: i.sandboxConfig.logDirectory,
      imageUser, seccompDir: d.sandboxEnv.seccompDir, pluginDevices, pidTargetId: i.pidTargetId,
    });
  } catch (err) {
    if (!(err instanceof ContainerConfigError)) throw err;
    s.waiting[c.name] = { reason: 'CreateContainerConfigError', message: err.message };
    if (err.cause) d.log.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: c.name, err: String(err.cause) }, err.message);
    d.events.event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
    s.wakeIn(2000);
    return false;
  }
  let id: string;
  try {
    id = await d.runtime.createContainer(i.sandboxId, config, i.sandboxConfig);
  } catch (err) {
    s.waiting[c.name] = { reason: 'CreateContainerError', message: errMsg(err) };
    d.events.event(pod, 'Warning', 'Failed', `Error: ${errMsg(err)}`);
    s.wakeIn(2000);
    return false;
  }
  d.events.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
  delete s.waiting[c.name];
  try {
    await d.runtime.startContainer(id);
  } catch (err) {
    // The kubelet's reasonCache: a container it will start again waits with RunContainerError (over
    // its StartError termination, kept as lastState) until the next attempt (ShouldContainerBeRestarted).
    if (willRestartAfterStartError(pod, c, i.type)) s.waiting[c.name] = { reason: 'RunContainerError', message: errMsg(err) };
    d.events.event(pod, 'Warning', 'Failed', `Error: ${errMsg(err)}`);
    s.wakeIn(0);
    return false;
  }
  d.events.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
  const postStart = c.lifecycle?.postStart;
  if (postStart) {
    const r = await runHook(postStart, d.runtime, id, c, i.podIP, 30);
    if (!r.ok) {
      d.events.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${r.output}`.trim());
      const st = await d.runtime.containerStatus(id);
      await killContainer(d, pod, undefined, {
        id, name: c.name, sandboxId: i.sandboxId, state: st.state, createdAt: st.createdAt, exitCode: 0, reason: '', message: '',
        image: c.image ?? '', imageRef: pulled.imageRef, restartCount: i.restartCount, specHash: '', type: i.type === 'init' ? 'init' : 'regular',
      }, pod.spec?.terminationGracePeriodSeconds ?? 30, i.podIP);
      s.wakeIn(0);
      return false;
    }
  }
  return true;
}
