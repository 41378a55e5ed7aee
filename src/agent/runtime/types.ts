/**
 * The container runtime contract of the node agent, shaped after what a kubelet needs from CRI
 * (kubernetes/cri-api runtime.v1): pod sandboxes, containers, images. Names keep the CRI vocabulary,
 * the types are plain TypeScript (times are Date, sizes are numbers, absent means "not set").
 *
 * Lifecycle, as in CRI:
 *   runPodSandbox -> createContainer -> startContainer -> (exits | stopContainer) -> removeContainer
 *   -> stopPodSandbox (kills what still runs, frees the IP) -> removePodSandbox.
 * stop* and remove* are idempotent: calling them on something already gone is not an error.
 * Two implementations: `cri/` (containerd over gRPC) and `fake/` (in memory, for unit tests).
 */

import type { ContainerConfig, ContainerMetadata, Mount, SeccompProfile } from './container-config.js';

export type * from './container-config.js';

/** Identity of a pod sandbox (CRI PodSandboxMetadata). `attempt` grows each time the sandbox is recreated. */
export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

/** resolv.conf contents for the pod; when absent the runtime copies the host's. */
export interface DnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A hostPort mapping, applied by the CNI portmap plugin. */
export interface PortMapping {
  protocol: Protocol;
  containerPort: number;
  hostPort: number;
  hostIp?: string;
}

/** Everything needed to create a pod sandbox (CRI PodSandboxConfig, Linux parts flattened). */
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  /** Directory on the host where container logs of this pod go; container logPath is relative to it. */
  logDirectory?: string;
  dnsConfig?: DnsConfig;
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Absolute cgroupfs path, e.g. `/bosun/pod<uid>`; the caller creates and removes it. */
  cgroupParent?: string;
  /** Share the node's network namespace (hostNetwork: true): no CNI, no pod IP of its own. */
  hostNetwork?: boolean;
  /** Some container of the pod is privileged (containerd refuses privileged containers in other sandboxes). */
  privileged?: boolean;
  /** Share the node's pid / ipc namespace (hostPID, hostIPC). */
  hostPID?: boolean;
  hostIPC?: boolean;
  sysctls?: Record<string, string>;
  /** Pod-level seccomp profile (the sandbox's own process). */
  seccomp?: SeccompProfile;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

/** Short form of a sandbox, as listPodSandboxes returns it. */
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Full status of a sandbox. `ip` is empty for host-network sandboxes. */
export interface PodSandboxStatus extends PodSandbox {
  ip: string;
  additionalIps: string[];
  /** Network namespace path on the host, when the runtime tells it (verbose status). */
  netnsPath?: string;
}

/** Filter for listPodSandboxes; all given fields must match. */
export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  labelSelector?: Record<string, string>;
}

/** Credentials for a registry (CRI AuthConfig). */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 of `user:password`, as in a docker config.json. */
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

/** An image known to the runtime. `id` is what container statuses report as imageId. */
export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** User the image runs as by default, as a number when it is one... */
  uid?: number;
  /** ...or as a name. */
  username?: string;
  pinned: boolean;
}

/**
 * The filesystem holding the runtime's images (CRI ImageFsInfo's first image filesystem), with the
 * filesystem's size and free space as statfs reports them for `mountpoint` (what the kubelet reads
 * from cAdvisor for the same mountpoint).
 */
export interface ImageFsInfo {
  mountpoint: string;
  /** Bytes the runtime's images take on it (CRI used_bytes). */
  usedBytes: number;
  capacityBytes: number;
  /** Bytes available to unprivileged users (statfs f_bavail * f_bsize). */
  availableBytes: number;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

/** Short form of a container, as listContainers returns it. */
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: string;
  imageRef: string;
  state: ContainerState;
  createdAt: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Full status of a container. `reason` is CRI's: "Completed" (exit 0), "Error" (non-zero),
 * "OOMKilled" (killed by the cgroup OOM killer), empty while running. Restart metadata lives in
 * `metadata.attempt` and in the labels/annotations the caller put there.
 */
export interface ContainerStatus extends Container {
  startedAt?: Date;
  finishedAt?: Date;
  exitCode: number;
  reason: string;
  message: string;
  mounts: Mount[];
  logPath: string;
}

/** Filter for listContainers; all given fields must match. */
export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

/** Result of a synchronous exec. `exitCode` is the command's; a timeout is reported as an error. */
export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** What an interactive exec asks for (CRI ExecRequest); at least one of stdin/stdout/stderr is set. */
export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** What an attach to a container's own stdio asks for (CRI AttachRequest). */
export type AttachRequest = Omit<ExecRequest, 'cmd'>;

export interface VersionInfo {
  /** The CRI API version, e.g. "v1". */
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

/** Error kinds callers branch on (the CRI gRPC status code, when there is one, is in `code`). */
export type RuntimeErrorKind = 'NotFound' | 'ImagePull' | 'InvalidArgument' | 'Timeout' | 'Unavailable' | 'Unknown';

/** An error from a runtime call; `message` comes from the runtime and is meant for users (rpc-error.ts words it as the kubelet). */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly kind: RuntimeErrorKind,
    message: string,
    /** The runtime operation that failed, e.g. "PullImage". */
    readonly op: string,
    /** The gRPC status code the runtime answered (absent: the error did not come over gRPC). */
    readonly code?: number,
  ) {
    super(`${op}: ${message}`);
  }
}

/** What the node agent needs from a container runtime. */
export interface ContainerRuntime {
  version(): Promise<VersionInfo>;

  /**
   * Creates and starts the sandbox (network namespace, CNI, pause process); returns its id.
   * `runtimeHandler` is CRI's runtime_handler (a RuntimeClass's handler; '' the runtime's default).
   */
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  /** Kills every container of the sandbox and releases its network. Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes the sandbox and its containers. Idempotent. */
  removePodSandbox(id: string): Promise<void>;
  listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]>;
  /** Throws RuntimeError kind NotFound when there is no such sandbox. `verbose` also asks for netnsPath. */
  podSandboxStatus(id: string, opts?: { verbose?: boolean }): Promise<PodSandboxStatus>;

  /** Pulls the image; returns its id (the imageRef containers report). Fails with kind ImagePull. */
  pullImage(image: string, auth?: AuthConfig): Promise<string>;
  /** Returns null when the image is not present. */
  imageStatus(image: string): Promise<Image | null>;
  /** Removes the image by id: every tag of that id goes with it. Idempotent. */
  removeImage(image: string): Promise<void>;
  listImages(): Promise<Image[]>;
  /** Optional: usage of the image filesystem, for image garbage collection (none: the agent collects no images by disk usage). */
  imageFsInfo?(): Promise<ImageFsInfo>;

  /** `sandboxConfig` must be the one the sandbox was created with. */
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Sends the stop signal, waits up to `timeoutSeconds`, then kills. Idempotent. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes the container, killing it if it runs. Idempotent. */
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  /** Throws RuntimeError kind NotFound when there is no such container. */
  containerStatus(id: string): Promise<ContainerStatus>;
  /** Runs a command in the container and waits for it; `timeoutSeconds` 0 waits forever. */
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;

  /**
   * Optional: an event stream that calls `change` soon after a sandbox or container may have changed
   * state (started, exited, OOM-killed, removed), whoever caused it, so the PLEG can relist at once
   * instead of polling every second. `ended` is called once if the stream stops (or the runtime cannot
   * serve one); `stop` ends it without calling `ended`. `exited` names a container or sandbox whose
   * main process exited: the stream may say so before the runtime's list and status calls do.
   */
  watchChanges?(h: { change(exited?: string): void; ended(err: Error): void }): { stop(): void };

  /**
   * Prepares an interactive exec and returns the URL of the runtime's streaming server that serves it
   * (kubelet streaming protocols: SPDY/3.1 or WebSocket with channel.k8s.io subprotocols). The URL is
   * single-use and expires if not connected to soon. Optional: the fake runtime has no streaming server.
   */
  exec?(req: ExecRequest): Promise<string>;
  /** Like exec, for attaching to the container's main process (its stdin only if created with stdin). */
  attach?(req: AttachRequest): Promise<string>;
  /** Like exec, for port forwarding into the sandbox's network namespace (portforward.k8s.io over SPDY). */
  portForward?(podSandboxId: string, ports: number[]): Promise<string>;

  /**
   * Optional: makes the runtime close and reopen the container's log file (after the agent renamed
   * it for rotation), as CRI ReopenContainerLog. Fails when the container is not running.
   */
  reopenContainerLog?(id: string): Promise<void>;

  /** Releases the connection. The runtime itself keeps running. */
  close(): void;
}
