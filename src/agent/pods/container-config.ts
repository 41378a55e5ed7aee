import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../../api/kinds/index.js';
import type { ContainerConfig, Mount, MountPropagation, SecurityContext } from '../runtime/types.js';
import { prepareSafeSubPath } from '../volumes/safe-subpath.js';
import type { VolumePaths } from '../volumes/volume-manager.js';
import { ContainerConfigError } from '../downward-api/field-values.js';
import { containerEnv, expandVars, type EnvContext } from './env.js';
import { ANN_CONTAINER_TYPE, ANN_GRACE_PERIOD, ANN_RESTART_COUNT, ANN_SPEC_HASH, containerLabels } from '../runtime/labels.js';
import { linuxResources } from './resources.js';
import type { ContainerAllocateResponse } from '../device-plugins/proto.js';
import { seccompProfile, verifyRunAsNonRoot, type ImageUser } from './security-profile.js';
import type { ContainerType } from './pod-actions.js';

/** The CRI container config for one container of a pod (kubelet generateContainerConfig). */

/** Hash of the container's spec: a change (e.g. a new image) means the container is recreated. */
export function containerHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

const PROPAGATION: Record<string, MountPropagation> = {
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

/**
 * kubelet makeMounts' subPath step. Whatever fails (a symlink out of the volume, a dangling one, a
 * component swapped meanwhile) is the container's config error; the details (they describe the
 * host) stay in the error's cause, not in the pod's status, as upstream.
 */
function subPathMount(container: string, mount: string, sub: string, volumePath: string, target: string): string {
  try {
    return prepareSafeSubPath({ volumePath, subPath: sub, target });
  } catch (err) {
    throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${mount}" of container "${container}"`, { cause: err });
  }
}

export function containerMounts(c: Container, volumes: VolumePaths, env: Record<string, string>, extra: Mount[]): Mount[] {
  const mounts: Mount[] = [];
  for (const [i, vm] of (c.volumeMounts ?? []).entries()) {
    const v = volumes.get(vm.name);
    if (!v) throw new ContainerConfigError(`cannot find volume "${vm.name}" to mount into container "${c.name}"`);
    let hostPath = v.hostPath;
    const sub = vm.subPath || (vm.subPathExpr ? expandVars(vm.subPathExpr, env) : '');
    if (sub) hostPath = subPathMount(c.name, vm.name, sub, v.hostPath, join(v.subPathsDir, c.name, String(i)));
    mounts.push({
      containerPath: vm.mountPath, hostPath, readonly: !!vm.readOnly || v.readOnly,
      ...(vm.mountPropagation && PROPAGATION[vm.mountPropagation] ? { propagation: PROPAGATION[vm.mountPropagation] } : {}),
    });
  }
  // The agent's own files (/etc/hosts) unless the user mounts something there.
  for (const m of extra) if (!mounts.some((x) => x.containerPath === m.containerPath)) mounts.push(m);
  return mounts;
}

export function securityContext(pod: Pod, c: Container, seccompDir = ''): SecurityContext | undefined {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const out: SecurityContext = {};
  const user = sc.runAsUser ?? psc.runAsUser;
  const group = sc.runAsGroup ?? psc.runAsGroup;
  if (user !== undefined) out.runAsUser = user;
  if (group !== undefined) out.runAsGroup = group;
  if (sc.readOnlyRootFilesystem) out.readonlyRootfs = true;
  if (sc.privileged) out.privileged = true;
  if (sc.allowPrivilegeEscalation === false) out.noNewPrivs = true;
  if (sc.capabilities) out.capabilities = { add: sc.capabilities.add, drop: sc.capabilities.drop };
  const seccomp = seccompProfile(pod, c, seccompDir);
  if (seccomp) out.seccomp = seccomp;
  // As the kubelet's determineEffectiveSecurityContext: the fsGroup first, then supplementalGroups.
  const groups = [...(psc.fsGroup !== undefined && psc.fsGroup !== null ? [psc.fsGroup] : []), ...(psc.supplementalGroups ?? [])];
  if (groups.length) out.supplementalGroups = groups;
  return Object.keys(out).length ? out : undefined;
}

function withPidTarget(sc: SecurityContext | undefined, pidTargetId: string | undefined): SecurityContext | undefined {
  return pidTargetId ? { ...sc, pidTargetId } : sc;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  type: ContainerType;
  restartCount: number;
  imageRef: string;
  volumes: VolumePaths;
  envCtx: EnvContext;
  memoryCapacity: number;
  /** Extra mounts the agent provides (e.g. /etc/hosts). */
  extraMounts: Mount[];
  /** Absolute log directory of the sandbox (to make `<container>/` in). */
  logDirectory?: string;
  /** The user the image runs as (CRI ImageStatus), for runAsNonRoot; absent: root. */
  imageUser?: ImageUser;
  /** Where Localhost seccomp profiles live (DATA_DIR/seccomp). */
  seccompDir?: string;
  /** What the container's device plugins answered to Allocate (src/agent/device-plugins). */
  pluginDevices?: ContainerAllocateResponse;
  /** An ephemeral container's target container id, whose PID namespace it joins. */
  pidTargetId?: string;
}

/**
 * Device plugin options go first, as the kubelet's GenerateRunContainerOptions appends the
 * container's own envs and mounts after them (the container's own win on a clash).
 */
export function withPluginDevices(cfg: ContainerConfig, p: ContainerAllocateResponse | undefined): ContainerConfig {
  if (!p) return cfg;
  const envs = [...Object.entries(p.envs ?? {}).map(([key, value]) => ({ key, value })), ...(cfg.envs ?? [])];
  const own = new Set((cfg.mounts ?? []).map((m) => m.containerPath));
  const mounts = [...(p.mounts ?? []).filter((m) => !own.has(m.containerPath)).map((m) => ({ containerPath: m.containerPath, hostPath: m.hostPath, readonly: !!m.readOnly })), ...(cfg.mounts ?? [])];
  const devices = (p.devices ?? []).map((d) => ({ containerPath: d.containerPath, hostPath: d.hostPath, permissions: d.permissions }));
  return { ...cfg, envs, mounts, devices, annotations: { ...p.annotations, ...cfg.annotations } };
}

export function containerConfig(i: ContainerConfigInput): ContainerConfig {
  const { pod, container: c } = i;
  const envs = containerEnv(c, i.envCtx);
  const vars = Object.fromEntries(envs.map((e) => [e.key, e.value]));
  const id = { uid: pod.metadata.uid!, name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default' };
  if (i.logDirectory) mkdirSync(join(i.logDirectory, c.name), { recursive: true });
  verifyRunAsNonRoot(pod, c, i.imageUser ?? {});
  return withPluginDevices({
    metadata: { name: c.name, attempt: i.restartCount },
    image: i.imageRef,
    command: c.command?.map((s) => expandVars(s, vars)),
    args: c.args?.map((s) => expandVars(s, vars)),
    workingDir: c.workingDir,
    envs,
    mounts: containerMounts(c, i.volumes, vars, i.extraMounts),
    labels: containerLabels(id, c.name),
    annotations: {
      [ANN_RESTART_COUNT]: String(i.restartCount),
      [ANN_SPEC_HASH]: containerHash(c),
      [ANN_CONTAINER_TYPE]: i.type,
      [ANN_GRACE_PERIOD]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    logPath: `${c.name}/${i.restartCount}.log`,
    resources: linuxResources(pod, c, i.memoryCapacity),
    securityContext: withPidTarget(securityContext(pod, c, i.seccompDir), i.pidTargetId),
    stdin: c.stdin,
    stdinOnce: c.stdinOnce,
    tty: c.tty,
  }, i.pluginDevices);
}
