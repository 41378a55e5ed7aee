import type { Logger } from '../../controller-runtime/log.js';
import type { Clock } from '../../controller-runtime/clock/clock.js';
import type { ProbeManager } from '../probes/probe-manager.js';
import type { ContainerRuntime } from '../runtime/types.js';
import type { WaitingReason } from '../status/container-statuses.js';
import type { PodStatusWriter } from '../status/pod-status-writer.js';
import type { VolumeManager } from '../volumes/volume-manager.js';
import type { Backoff } from './backoff.js';
import type { ObjectLookup } from '../downward-api/object-lookup.js';
import type { EventSink } from './events.js';
import type { ServiceEnvSource } from './service-env.js';
import type { ImagePuller } from './image-puller.js';
import type { SandboxEnv } from './sandbox-config.js';
import type { Container, Pod } from '../../api/kinds/index.js';
import type { ContainerAllocateResponse } from '../device-plugins/proto.js';

/** What the node knows about itself, as pods see it. */
export interface NodeFacts {
  name: string;
  hostIP: string;
  allocatable: { cpu: string; memory: string };
  memoryCapacity: number;
}

/** Everything a pod worker needs; one instance shared by all workers of the agent. */
export interface AgentDeps {
  runtime: ContainerRuntime;
  /** Runtime name used in container ids ("containerd://<id>"). */
  runtimeName: string;
  volumes: VolumeManager;
  images: ImagePuller;
  probes: ProbeManager;
  crashBackoff: Backoff;
  /**
   * When pod workers wake up and back-offs expire (default: wall time). Back-offs compare it with
   * the runtime's container timestamps, so a test's FakeClock starts at the wall time.
   */
  clock?: Clock;
  events: EventSink;
  lookup: ObjectLookup;
  /** The Services container env is made from (service-cache.ts); absent: no service variables. */
  services?: () => ServiceEnvSource[] | undefined;
  /** Watches of the objects pods reference (ready before a sync renders env and volumes; released when a pod is gone). */
  references?: { ready(pod: Pod): Promise<void>; release(uid: string): void };
  sandboxEnv: SandboxEnv;
  /** Device plugins' devices for containers that request their resources (absent: none). */
  devices?: { allocate(pod: Pod, c: Container): Promise<ContainerAllocateResponse | undefined>; release(uid: string): void };
  node: NodeFacts;
  status: PodStatusWriter;
  log: Logger;
  /**
   * The CRI runtime handler of the pod's RuntimeClass (kubelet's runtimeClassManager.LookupRuntimeHandler):
   * '' without spec.runtimeClassName; rejects when the class does not exist. Absent: always ''.
   */
  runtimeHandler?(pod: Pod): Promise<string>;
}

/** Per-sync scratch state of one pod worker. */
export interface SyncScratch {
  /** Waiting reasons by container name, shown in the status instead of the runtime state. */
  waiting: Record<string, WaitingReason>;
  /** Asks for another sync in this many ms (the smallest request wins). */
  wakeIn(ms: number): void;
}
