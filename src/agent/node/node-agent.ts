import { readFileSync, statfsSync } from 'node:fs';
import type { Lease, Node } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import { microTime } from '../../controller-runtime/leader-election.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { ContainerRuntime } from '../runtime/types.js';
import type { MachineInfo } from './machine-info.js';
import { extendedAllocatablePatch } from './extended-resources.js';
import { publishCsiNode } from './csi-node.js';
import { nodeObject, nodeStatus, type EvictionReserve, type NodeHealth } from './node-status.js';
import { conditionEvents } from './condition-events.js';
import { nodeImages, sameImages } from './node-images.js';
import { ANN_LOCAL_PATH_DIR } from '../../api/storage/annotations.js';
import { localPathDir } from '../volumes/persistent-volumes.js';

/**
 * The node's presence in the API (kubelet's node status manager + node lease controller): registers
 * the Node (or adopts an existing one), renews kube-node-lease/<node> every `leaseRenewMs`, and posts
 * the node status every `statusUpdateMs`. The node-lifecycle controller marks the node Unknown when
 * both stop moving for its grace period (~20 s).
 */

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeAgentOptions {
  client: KubeClient;
  nodeName: string;
  runtime: ContainerRuntime;
  machine: MachineInfo;
  dataDir: string;
  podCIDR?: string;
  labels?: Record<string, string>;
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  agentPort?: number;
  /** Device plugin resources (capacity: all devices, allocatable: healthy ones), merged into the status. */
  deviceResources?: () => { capacity: Record<string, string>; allocatable: Record<string, string> };
  /** The eviction manager's pressure conditions (src/agent/eviction); without it, MemAvailable and statfs against the defaults. */
  pressure?: () => { MemoryPressure: boolean; DiskPressure: boolean };
  /** What allocatable keeps back for the eviction thresholds. */
  reserve?: EvictionReserve;
  /** Records a Normal event about this node (kubelet's nodeRef); condition changes are reported through it. */
  nodeEvent?: (reason: string, message: string) => void;
  log: Logger;
}

/** MemAvailable from /proc/meminfo in bytes. */
function memAvailable(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) * 1024 : Infinity;
}

export class NodeAgent {
  node: Node | undefined;
  private lease: Lease | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private runtimeVersion = '';
  private inflight = new Set<Promise<unknown>>();

  constructor(private readonly o: NodeAgentOptions) {}

  /** Creates the Node, or reconciles labels and podCIDR of an existing one; posts a first status. */
  async register(): Promise<Node> {
    const v = await this.o.runtime.version();
    this.runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
    // Where this node keeps local-path volumes: the PV controller provisions them there (src/controllers/persistentvolume/local-path.ts).
    const want = nodeObject(this.o.nodeName, this.o.machine, this.o.podCIDR, this.o.labels, { [ANN_LOCAL_PATH_DIR]: localPathDir(this.o.dataDir) });
    const nodes = this.o.client.nodes<Node>();
    let node: Node;
    try {
      node = await nodes.create(want);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = await nodes.get(this.o.nodeName);
      const patch: Record<string, unknown> = {};
      const missing = Object.entries(want.metadata.labels ?? {}).filter(([k, val]) => node.metadata.labels?.[k] !== val);
      if (missing.length) patch.metadata = { labels: Object.fromEntries(missing) };
      const dir = localPathDir(this.o.dataDir);
      if (node.metadata.annotations?.[ANN_LOCAL_PATH_DIR] !== dir) patch.metadata = { ...(patch.metadata as object), annotations: { [ANN_LOCAL_PATH_DIR]: dir } };
      if (this.o.podCIDR && !node.spec?.podCIDR) patch.spec = { podCIDR: this.o.podCIDR, podCIDRs: [this.o.podCIDR] };
      if (Object.keys(patch).length) node = await nodes.patch(this.o.nodeName, 'merge', patch);
    }
    this.node = node;
    // As a kubelet that keeps running while its CSINode cannot be written, a failure is only logged.
    await publishCsiNode(this.o.client, node).catch((err: unknown) => this.o.log.warn({ err: String(err) }, 'publishing the CSINode failed'));
    await this.updateStatus();
    await this.renewLease();
    return this.node!;
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<void>, what: string) => {
      const tick = () => {
        if (this.stopped) return;
        const p = fn().catch((err) => this.o.log.warn({ err: String(err) }, `${what} failed`));
        this.inflight.add(p);
        void p.finally(() => {
          this.inflight.delete(p);
          if (!this.stopped) this.timers.push(setTimeout(tick, ms));
        });
      };
      this.timers.push(setTimeout(tick, ms));
    };
    every(this.o.leaseRenewMs ?? 5000, () => this.renewLease(), 'lease renewal');
    every(this.o.statusUpdateMs ?? 10_000, () => this.updateStatus(), 'node status update');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(this.inflight);
  }

  async health(): Promise<NodeHealth> {
    let runtimeReady = true;
    let runtimeMessage: string | undefined;
    try {
      const v = await this.o.runtime.version();
      this.runtimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
    } catch (err) {
      runtimeReady = false;
      runtimeMessage = (err as Error).message;
    }
    const p = this.o.pressure?.();
    if (p) return { runtimeReady, runtimeMessage, memoryPressure: p.MemoryPressure, diskPressure: p.DiskPressure, pidPressure: false };
    let diskPressure = false;
    try {
      const s = statfsSync(this.o.dataDir);
      diskPressure = s.bavail / s.blocks < 0.1;
    } catch {
      /* unknown: no pressure reported */
    }
    return { runtimeReady, runtimeMessage, memoryPressure: memAvailable() < 100 * 1024 * 1024, diskPressure, pidPressure: false };
  }

  async updateStatus(): Promise<void> {
    // The node as the API server has it now (tryUpdateNodeStatus gets it first): the patch is the
    // difference from it, so a field someone else overwrote since our last write (status.images) is
    // put back, which a diff against our own last answer would miss.
    this.node = await this.o.client.nodes<Node>().get(this.o.nodeName);
    const status = nodeStatus(this.o.machine, this.runtimeVersion, this.node.status?.conditions, await this.health(), new Date(), this.o.agentPort, this.o.reserve);
    const devices = this.o.deviceResources?.();
    if (devices) {
      status.capacity = { ...status.capacity, ...devices.capacity };
      status.allocatable = { ...status.allocatable, ...devices.allocatable };
    }
    const before = this.node.status?.conditions;
    // The images (the Images setter): an image list error clears them, as upstream; the list is
    // atomic, so it goes into the patch only when it changed (as the kubelet's two-way diff).
    const images = await this.o.runtime.listImages().then((l) => nodeImages(l), (err: unknown) => {
      this.o.log.warn({ err: String(err) }, 'error getting image list');
      return [];
    });
    const imagesPatch = sameImages(images, this.node.status?.images) ? {} : { images: images.length ? images : null };
    // A strategic merge patch, as the kubelet's PatchNodeStatus of what its setters changed: the
    // conditions merge by type, so those other components own (NetworkUnavailable, a node problem
    // detector's) stay; the addresses are the agent's whole list.
    const body = { status: { ...status, ...imagesPatch, addresses: [{ $patch: 'replace' }, ...(status.addresses ?? [])] } };
    this.node = await this.o.client.nodes<Node>().patchStatus(this.o.nodeName, 'strategic', body);
    for (const reason of conditionEvents(before, this.node.status?.conditions)) this.o.nodeEvent?.(reason, `Node ${this.o.nodeName} status is now: ${reason}`);
    // Plugin resources have their own allocatable (healthy devices); the rest mirror capacity.
    const extended = extendedAllocatablePatch(this.node.status?.capacity, this.node.status?.allocatable, new Set(Object.keys(devices?.capacity ?? {})));
    if (extended) this.node = await this.o.client.nodes<Node>().patchStatus(this.o.nodeName, 'merge', { status: { allocatable: extended } });
  }

  async renewLease(): Promise<void> {
    const leases = this.o.client.leases<Lease>(NODE_LEASE_NAMESPACE);
    const now = microTime(Date.now());
    if (this.lease) {
      try {
        this.lease = await leases.update({ ...this.lease, spec: { ...this.lease.spec, renewTime: now } });
        return;
      } catch (err) {
        this.lease = undefined; // conflict or gone: read it again
        if (!isNotFound(err)) this.o.log.debug({ err: String(err) }, 'lease update failed, re-reading');
      }
    }
    try {
      const cur = await leases.get(this.o.nodeName);
      this.lease = await leases.update({ ...cur, spec: { ...cur.spec, holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: now } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.lease = await leases.create({
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: {
          name: this.o.nodeName, namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: this.node?.metadata.uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: this.node.metadata.uid }] : undefined,
        },
        spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: now },
      });
    }
  }
}
