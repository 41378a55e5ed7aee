/**
 * Shapes of the CRI runtime.v1 messages as the CRI client (client.ts, through proto-codec.ts) hands them
 * over, as protobufjs's toObject with `{longs: String, enums: String, defaults: true}` did: camelCase, int64 as strings,
 * enums as names, maps as objects, absent messages as null. Only the fields Bosun reads are listed.
 */

export type WireMap = Record<string, string>;

export interface WireSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface WirePodSandbox {
  id: string;
  metadata: WireSandboxMetadata | null;
  state: string;
  createdAt: string;
  labels: WireMap;
  annotations: WireMap;
}

export interface WirePodSandboxStatus extends WirePodSandbox {
  network: { ip: string; additionalIps: { ip: string }[] } | null;
}

export interface WirePodSandboxStatusResponse {
  status: WirePodSandboxStatus | null;
  info: WireMap;
}

export interface WireImageSpec {
  image: string;
}

export interface WireMount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  propagation: string;
}

export interface WireContainer {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number } | null;
  image: WireImageSpec | null;
  imageRef: string;
  state: string;
  createdAt: string;
  labels: WireMap;
  annotations: WireMap;
}

export interface WireContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: string;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: WireImageSpec | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: WireMap;
  annotations: WireMap;
  mounts: WireMount[];
  logPath: string;
}

export interface WireImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
  uid: { value: string } | null;
  username: string;
  pinned: boolean;
}

export interface WireFilesystemUsage {
  timestamp: string;
  fsId: { mountpoint: string } | null;
  usedBytes: { value: string } | null;
  inodesUsed: { value: string } | null;
}

export interface WireImageFsInfoResponse {
  imageFilesystems: WireFilesystemUsage[];
  containerFilesystems: WireFilesystemUsage[];
}

export interface WireVersion {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface WireExecSync {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}
