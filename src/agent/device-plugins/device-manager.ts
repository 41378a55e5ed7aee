import { mkdirSync } from 'node:fs';
import type { Http2Server } from 'node:http2';
import { join } from 'node:path';
import type { Container, Pod } from '../../api/kinds/index.js';
import { isExtendedResourceName } from '../../api/kinds/core/resources-validation.js';
import type { Logger } from '../../controller-runtime/log.js';
import { DeviceAllocations, chooseDevices } from './allocations.js';
import { closeServer, listenUnary } from './grpc-server.js';
import { PluginEndpoint } from './plugin-endpoint.js';
import { API_VERSION, decode, encode, type ContainerAllocateResponse, type RegisterRequest } from './proto.js';

/**
 * The agent's device manager (upstream's pkg/kubelet/cm/devicemanager): serves the v1beta1
 * Registration service on DATA_DIR/device-plugins/kubelet.sock, keeps one PluginEndpoint per
 * resource (a new registration replaces the old one, as upstream), reports capacity (all devices)
 * and allocatable (healthy ones) per resource, and hands devices to containers at start.
 * A plugin whose ListAndWatch ends is removed: its resource stays in the node status at 0, so the
 * scheduler stops placing pods that need it.
 */

export const KUBELET_SOCKET = 'kubelet.sock';
const CHECKPOINT = 'kubelet_internal_checkpoint';

export interface DeviceManagerOptions {
  dataDir: string;
  /** Whether the pod still runs here (not finished, not gone): allocations of others are freed. */
  isActive: (podUID: string) => boolean;
  /** The device counts changed (post the node status). */
  onChange: () => void;
  log: Logger;
}

export class DeviceManager {
  readonly dir: string;
  private server: Http2Server | undefined;
  private readonly endpoints = new Map<string, PluginEndpoint>();
  /** Resources whose plugin went away: reported at 0. */
  private readonly removed = new Set<string>();
  private readonly allocations: DeviceAllocations;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: DeviceManagerOptions) {
    this.dir = join(o.dataDir, 'device-plugins');
    this.allocations = new DeviceAllocations(join(this.dir, CHECKPOINT));
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    this.server = await listenUnary(join(this.dir, KUBELET_SOCKET), new Map([['/v1beta1.Registration/Register', (req: Buffer) => this.register(req)]]));
  }

  async stop(): Promise<void> {
    for (const e of this.endpoints.values()) e.stop();
    this.endpoints.clear();
    if (this.server) await closeServer(this.server, join(this.dir, KUBELET_SOCKET));
  }

  /** Capacity and allocatable of every plugin resource, as quantity strings. */
  resources(): { capacity: Record<string, string>; allocatable: Record<string, string> } {
    const capacity: Record<string, string> = {};
    const allocatable: Record<string, string> = {};
    for (const r of this.removed) capacity[r] = allocatable[r] = '0';
    for (const [r, e] of this.endpoints) {
      capacity[r] = String(e.devices.length);
      allocatable[r] = String(e.healthyIDs().length);
    }
    return { capacity, allocatable };
  }

  /** Upstream's Register validation, then the plugin is dialled after the answer (as upstream's goroutine). */
  private async register(raw: Buffer): Promise<Uint8Array> {
    const r = decode<RegisterRequest>('RegisterRequest', raw);
    if (r.version !== API_VERSION) throw new Error(`requested API version "${r.version}" is not supported by kubelet. Supported versions are ["${API_VERSION}"]`);
    if (!isExtendedResourceName(r.resourceName) || !r.resourceName.includes('/')) throw new Error(`the ResourceName "${r.resourceName}" is invalid`);
    if (!r.endpoint || r.endpoint.includes('/') || r.endpoint === '..' || r.endpoint === KUBELET_SOCKET) throw new Error(`the endpoint "${r.endpoint}" is not a socket name in ${this.dir}`);
    setImmediate(() => void this.connect(r));
    return encode('Empty', {});
  }

  private async connect(r: RegisterRequest): Promise<void> {
    this.endpoints.get(r.resourceName)?.stop();
    const e: PluginEndpoint = new PluginEndpoint(r.resourceName, this.dir, r.endpoint, () => this.o.onChange(), (err) => {
      if (this.endpoints.get(r.resourceName) !== e) return;
      this.endpoints.delete(r.resourceName);
      this.removed.add(r.resourceName);
      this.o.log.info({ resource: r.resourceName, err: err ? String(err) : undefined }, 'device plugin stream ended; resource removed');
      this.o.onChange();
    });
    this.endpoints.set(r.resourceName, e);
    this.removed.delete(r.resourceName);
    this.o.log.info({ resource: r.resourceName, endpoint: r.endpoint }, 'device plugin registered');
    await e.start(r.options);
  }

  /**
   * What the container gets from its device plugins (envs, mounts, devices, annotations), merged
   * over its plugin resources; undefined when it asks for none. A container that already holds
   * devices (a restart, also after an agent restart) gets its recorded answer again. Serialized,
   * so two containers never pick the same device.
   */
  allocate(pod: Pod, c: Container): Promise<ContainerAllocateResponse | undefined> {
    const run = this.queue.then(() => this.allocateNow(pod, c));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async allocateNow(pod: Pod, c: Container): Promise<ContainerAllocateResponse | undefined> {
    const uid = pod.metadata.uid!;
    // Plugin resources: a registered or removed plugin's, or one the checkpoint holds for this container.
    const wanted = Object.entries(c.resources?.limits ?? {}).filter(([name]) => isExtendedResourceName(name) &&
      (this.endpoints.has(name) || this.removed.has(name) || this.allocations.get(uid, c.name, name)));
    if (!wanted.length) return undefined;
    this.allocations.retain((u) => u === uid || this.o.isActive(u));
    const parts: ContainerAllocateResponse[] = [];
    for (const [resource, q] of wanted) {
      const n = Number(q);
      const have = this.allocations.get(uid, c.name, resource);
      if (have && have.deviceIDs.length === n) {
        parts.push(have.response);
        continue;
      }
      const e = this.endpoints.get(resource);
      if (!e) throw new Error(`no device plugin is registered for ${resource}`);
      const inUse = this.allocations.inUse(resource);
      const available = e.healthyIDs().filter((id) => !inUse.has(id));
      const preferred = available.length > n ? await e.preferred(available, n) : [];
      const ids = chooseDevices(resource, n, e.healthyIDs(), inUse, preferred);
      await e.preStart(ids);
      const response = await e.allocate(ids);
      this.allocations.add({ podUID: uid, container: c.name, resource, deviceIDs: ids, response });
      parts.push(response);
    }
    return mergeResponses(parts);
  }

  /** Frees the devices of a pod that finished or is gone. */
  release(podUID: string): void {
    this.allocations.retain((u) => u !== podUID);
  }
}

function mergeResponses(parts: ContainerAllocateResponse[]): ContainerAllocateResponse {
  return {
    envs: Object.assign({}, ...parts.map((p) => p.envs ?? {})) as Record<string, string>,
    mounts: parts.flatMap((p) => p.mounts ?? []),
    devices: parts.flatMap((p) => p.devices ?? []),
    annotations: Object.assign({}, ...parts.map((p) => p.annotations ?? {})) as Record<string, string>,
  };
}
