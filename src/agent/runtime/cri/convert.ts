import type {
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStatus,
  Image,
  ImageFsInfo,
  LinuxResources,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  SeccompProfile,
  SecurityContext,
} from '../types.js';
import type { WireContainer, WireContainerStatus, WireImage, WireImageFsInfoResponse, WirePodSandbox, WirePodSandboxStatusResponse } from './wire.js';

/**
 * Pure mapping between Bosun's runtime types and CRI runtime.v1 messages. Requests are built as
 * plain objects with camelCase keys (the CRI client's codec maps them to the snake_case fields).
 */

/** CRI int64 nanoseconds (as a decimal string) to a Date; "0" or empty means "not set". */
export function nanosToDate(ns: string | undefined): Date | undefined {
  if (!ns || ns === '0') return undefined;
  return new Date(Number(BigInt(ns) / 1_000_000n));
}

const nodeOrPod = (host: boolean | undefined) => (host ? 'NODE' : 'POD');

/** The sandbox's namespaces; its containers must ask for the same (pid is per container unless hostPID, as the kubelet asks for v1 pods). */
function namespaceOptions(c: Pick<PodSandboxConfig, 'hostNetwork' | 'hostPID' | 'hostIPC'> | undefined): object {
  return { network: nodeOrPod(c?.hostNetwork), pid: c?.hostPID ? 'NODE' : 'CONTAINER', ipc: nodeOrPod(c?.hostIPC) };
}

function seccompToWire(s: SeccompProfile | undefined): object {
  // CRI's default (enum 0) is RuntimeDefault; the kubelet sends Unconfined when the pod names no profile.
  if (!s) return { profileType: 'Unconfined', localhostRef: '' };
  return { profileType: s.type, localhostRef: s.localhostRef ?? '' };
}

/** PodSandboxConfig message. The pid namespace is per container, as the kubelet asks for v1 pods. */
export function sandboxConfigToWire(c: PodSandboxConfig): object {
  return {
    metadata: { name: c.metadata.name, uid: c.metadata.uid, namespace: c.metadata.namespace, attempt: c.metadata.attempt },
    hostname: c.hostname ?? '',
    logDirectory: c.logDirectory ?? '',
    dnsConfig: c.dnsConfig ? { servers: c.dnsConfig.servers, searches: c.dnsConfig.searches, options: c.dnsConfig.options } : null,
    portMappings: (c.portMappings ?? []).map((p) => ({
      protocol: p.protocol,
      containerPort: p.containerPort,
      hostPort: p.hostPort,
      hostIp: p.hostIp ?? '',
    })),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
    linux: {
      cgroupParent: c.cgroupParent ?? '',
      sysctls: c.sysctls ?? {},
      securityContext: { namespaceOptions: namespaceOptions(c), privileged: !!c.privileged, seccomp: seccompToWire(c.seccomp) },
    },
  };
}

function resourcesToWire(r: LinuxResources | undefined): object | null {
  if (!r) return null;
  return {
    cpuPeriod: String(r.cpuPeriod ?? 0),
    cpuQuota: String(r.cpuQuota ?? 0),
    cpuShares: String(r.cpuShares ?? 0),
    memoryLimitInBytes: String(r.memoryLimitInBytes ?? 0),
    oomScoreAdj: String(r.oomScoreAdj ?? 0),
  };
}

const int64Value = (v: number | undefined) => (v === undefined ? null : { value: String(v) });

function securityToWire(s: SecurityContext | undefined, sandbox: Pick<PodSandboxConfig, 'hostNetwork' | 'hostPID' | 'hostIPC'> | undefined): object {
  return {
    privileged: s?.privileged ?? false,
    runAsUser: int64Value(s?.runAsUser),
    runAsGroup: int64Value(s?.runAsGroup),
    runAsUsername: s?.runAsUsername ?? '',
    readonlyRootfs: s?.readonlyRootfs ?? false,
    supplementalGroups: (s?.supplementalGroups ?? []).map(String),
    noNewPrivs: s?.noNewPrivs ?? false,
    capabilities: s?.capabilities
      ? { addCapabilities: s.capabilities.add ?? [], dropCapabilities: s.capabilities.drop ?? [] }
      : null,
    namespaceOptions: s?.pidTargetId ? { ...namespaceOptions(sandbox), pid: 'TARGET', targetId: s.pidTargetId } : namespaceOptions(sandbox),
    seccomp: seccompToWire(s?.seccomp),
  };
}

/** ContainerConfig message; its namespaces are the sandbox's. */
export function containerConfigToWire(c: ContainerConfig, sandbox?: Pick<PodSandboxConfig, 'hostNetwork' | 'hostPID' | 'hostIPC'>): object {
  return {
    metadata: { name: c.metadata.name, attempt: c.metadata.attempt },
    image: { image: c.image },
    command: c.command ?? [],
    args: c.args ?? [],
    workingDir: c.workingDir ?? '',
    envs: (c.envs ?? []).map((e) => ({ key: e.key, value: e.value })),
    mounts: (c.mounts ?? []).map((m) => ({
      containerPath: m.containerPath,
      hostPath: m.hostPath,
      readonly: m.readonly ?? false,
      propagation: m.propagation ?? 'PROPAGATION_PRIVATE',
    })),
    devices: (c.devices ?? []).map((d) => ({ containerPath: d.containerPath, hostPath: d.hostPath, permissions: d.permissions })),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
    logPath: c.logPath ?? '',
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: { resources: resourcesToWire(c.resources), securityContext: securityToWire(c.securityContext, sandbox) },
  };
}

export function authToWire(a: AuthConfig | undefined): object | null {
  if (!a) return null;
  return {
    username: a.username ?? '',
    password: a.password ?? '',
    auth: a.auth ?? '',
    serverAddress: a.serverAddress ?? '',
    identityToken: a.identityToken ?? '',
    registryToken: a.registryToken ?? '',
  };
}

export function sandboxFilterToWire(f: PodSandboxFilter | undefined): object | null {
  if (!f) return null;
  return { id: f.id ?? '', state: f.state ? { state: f.state } : null, labelSelector: f.labelSelector ?? {} };
}

export function containerFilterToWire(f: ContainerFilter | undefined): object | null {
  if (!f) return null;
  return {
    id: f.id ?? '',
    podSandboxId: f.podSandboxId ?? '',
    state: f.state ? { state: f.state } : null,
    labelSelector: f.labelSelector ?? {},
  };
}

export function sandboxFromWire(s: WirePodSandbox): PodSandbox {
  const m = s.metadata ?? { name: '', namespace: '', uid: '', attempt: 0 };
  return {
    id: s.id,
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, attempt: m.attempt },
    state: s.state as PodSandbox['state'],
    createdAt: nanosToDate(s.createdAt) ?? new Date(0),
    labels: s.labels ?? {},
    annotations: s.annotations ?? {},
  };
}

/** The netns path is only in containerd's verbose info (the runtime spec of the sandbox). */
function netnsFromInfo(info: Record<string, string> | undefined): string | undefined {
  const raw = info?.info;
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    return parsed.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path || undefined;
  } catch {
    return undefined;
  }
}

export function sandboxStatusFromWire(r: WirePodSandboxStatusResponse): PodSandboxStatus {
  const s = r.status;
  if (!s) throw new Error('PodSandboxStatus: empty status');
  return {
    ...sandboxFromWire(s),
    ip: s.network?.ip ?? '',
    additionalIps: (s.network?.additionalIps ?? []).map((p) => p.ip),
    netnsPath: netnsFromInfo(r.info),
  };
}

export function containerFromWire(c: WireContainer): Container {
  return {
    id: c.id,
    podSandboxId: c.podSandboxId,
    metadata: { name: c.metadata?.name ?? '', attempt: c.metadata?.attempt ?? 0 },
    image: c.image?.image ?? '',
    imageRef: c.imageRef,
    state: c.state as Container['state'],
    createdAt: nanosToDate(c.createdAt) ?? new Date(0),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
  };
}

/** ContainerStatus; the sandbox id is not in the CRI message, so the caller passes it (or ''). */
export function containerStatusFromWire(s: WireContainerStatus, podSandboxId: string): ContainerStatus {
  return {
    id: s.id,
    podSandboxId,
    metadata: { name: s.metadata?.name ?? '', attempt: s.metadata?.attempt ?? 0 },
    image: s.image?.image ?? '',
    imageRef: s.imageRef,
    state: s.state as ContainerStatus['state'],
    createdAt: nanosToDate(s.createdAt) ?? new Date(0),
    startedAt: nanosToDate(s.startedAt),
    finishedAt: nanosToDate(s.finishedAt),
    exitCode: s.exitCode,
    reason: s.reason,
    message: s.message,
    labels: s.labels ?? {},
    annotations: s.annotations ?? {},
    mounts: (s.mounts ?? []).map((m) => ({
      containerPath: m.containerPath,
      hostPath: m.hostPath,
      readonly: m.readonly,
      propagation: m.propagation as ContainerStatus['mounts'][number]['propagation'],
    })),
    logPath: s.logPath,
  };
}

export function imageFromWire(i: WireImage): Image {
  const img: Image = {
    id: i.id,
    repoTags: i.repoTags ?? [],
    repoDigests: i.repoDigests ?? [],
    size: Number(i.size),
    pinned: i.pinned ?? false,
  };
  if (i.uid) img.uid = Number(i.uid.value);
  if (i.username) img.username = i.username;
  return img;
}

/** The statfs fields the image filesystem's size comes from (node's fs.StatsFs has them). */
export interface FsStats {
  bsize: number;
  blocks: number;
  bavail: number;
}

/**
 * ImageFsInfo's first image filesystem with its size from statfs of its mountpoint, as the kubelet's
 * CRI stats provider joins CRI's used bytes with cAdvisor's capacity and available for that mountpoint.
 * Throws when the runtime reports no image filesystem.
 */
export function imageFsInfoFromWire(r: WireImageFsInfoResponse, statfs: (mountpoint: string) => FsStats): ImageFsInfo {
  const fs = r.imageFilesystems?.[0];
  const mountpoint = fs?.fsId?.mountpoint;
  if (!mountpoint) throw new Error('ImageFsInfo: the runtime reported no image filesystem');
  const st = statfs(mountpoint);
  return {
    mountpoint,
    usedBytes: Number(fs.usedBytes?.value ?? 0),
    capacityBytes: st.blocks * st.bsize,
    availableBytes: st.bavail * st.bsize,
  };
}
