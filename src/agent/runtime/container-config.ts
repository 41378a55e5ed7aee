/**
 * What createContainer is given: a container's config (CRI ContainerConfig) and its parts (mounts,
 * devices, resources, security context), in the plain-TypeScript style of types.ts, which re-exports
 * them as part of the runtime contract.
 */

export interface KeyValue {
  key: string;
  value: string;
}

export type MountPropagation =
  | 'PROPAGATION_PRIVATE'
  | 'PROPAGATION_HOST_TO_CONTAINER'
  | 'PROPAGATION_BIDIRECTIONAL';

/** A host path mounted into a container. */
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  propagation?: MountPropagation;
}

export interface DeviceMapping {
  containerPath: string;
  hostPath: string;
  permissions: string;
}

/** Linux resource limits of a container, in the units cgroups use. */
export interface LinuxResources {
  /** CFS period in microseconds (100000 is the usual one). */
  cpuPeriod?: number;
  /** CFS quota in microseconds per period; cpu limit "500m" with period 100000 gives 50000. */
  cpuQuota?: number;
  /** Relative weight; cpu request "1" gives 1024. */
  cpuShares?: number;
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
}

/**
 * A seccomp profile as CRI's SecurityProfile: the runtime's default, none, or a file on the node
 * (`localhostRef`, absolute).
 */
export interface SeccompProfile {
  type: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  localhostRef?: string;
}

/** The subset of a container's securityContext that the runtime applies. */
export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  privileged?: boolean;
  supplementalGroups?: number[];
  capabilities?: { add?: string[]; drop?: string[] };
  noNewPrivs?: boolean;
  /** Absent: Unconfined, as the kubelet without --seccomp-default. */
  seccomp?: SeccompProfile;
  /**
   * Join this container's PID namespace (CRI NamespaceOption pid TARGET with target_id): an
   * ephemeral container's targetContainerName, as the kubelet's getTargetID.
   */
  pidTargetId?: string;
}

/** Identity of a container within its sandbox; (name, attempt) is unique per sandbox. */
export interface ContainerMetadata {
  name: string;
  attempt: number;
}

/** Everything needed to create a container (CRI ContainerConfig). */
export interface ContainerConfig {
  metadata: ContainerMetadata;
  /** Image reference or id; must be present locally (pull first). */
  image: string;
  /** Replaces the image's entrypoint when set (Kubernetes `command`). */
  command?: string[];
  /** Replaces the image's cmd when set (Kubernetes `args`). */
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  /** Host devices (CRI Device; `permissions` is the cgroup's "rwm" subset). */
  devices?: DeviceMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Relative to the sandbox's logDirectory, e.g. `app/0.log`. */
  logPath?: string;
  resources?: LinuxResources;
  securityContext?: SecurityContext;
  stdin?: boolean;
  /**
   * The runtime closes the container's stdin when the first attach's stdin ends (kubectl run -i),
   * and that attach keeps its stdout and stderr until the container exits (as kubelet passes it).
   */
  stdinOnce?: boolean;
  tty?: boolean;
}
