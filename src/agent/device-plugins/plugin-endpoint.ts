import { connect } from 'node:net';
import { join } from 'node:path';
import { GrpcClient, type GrpcError, type GrpcStream } from '../grpc/grpc-client.js';
import { decode, encode, HEALTHY, type ContainerAllocateResponse, type Device, type DevicePluginOptions } from './proto.js';

/**
 * The agent's connection to one registered device plugin (upstream's devicemanager endpoint):
 * GetDevicePluginOptions, then ListAndWatch kept open for the device list; Allocate and
 * GetPreferredAllocation on demand. `onUpdate` runs after each device list, `onEnd` once when the
 * stream ends (the plugin stopped or broke), after which the endpoint is dead.
 */

const SERVICE = '/v1beta1.DevicePlugin';
const CALL_TIMEOUT_MS = 10_000;

export class PluginEndpoint {
  devices: Device[] = [];
  options: DevicePluginOptions = {};
  private stream: GrpcStream | undefined;
  private readonly client: GrpcClient;
  private stopped = false;

  constructor(readonly resource: string, dir: string, endpoint: string, private readonly onUpdate: () => void, private readonly onEnd: (err: GrpcError | undefined) => void) {
    const path = join(dir, endpoint);
    this.client = new GrpcClient({ connect: () => connect(path), maxReceiveBytes: 16 * 1024 * 1024, userAgent: 'bosun-agent' });
  }

  /** Reads the options, then opens ListAndWatch; rejects when the plugin cannot be reached. */
  async start(registered: DevicePluginOptions | undefined): Promise<void> {
    try {
      this.options = decode<DevicePluginOptions>('DevicePluginOptions', await this.client.call(`${SERVICE}/GetDevicePluginOptions`, encode('Empty', {}), CALL_TIMEOUT_MS));
    } catch {
      this.options = registered ?? {}; // an older plugin without the call: what it registered with
    }
    if (this.stopped) return;
    this.stream = this.client.serverStream(`${SERVICE}/ListAndWatch`, encode('Empty', {}), (m) => {
      this.devices = decode<{ devices: Device[] }>('ListAndWatchResponse', m).devices;
      this.onUpdate();
    }, (err) => {
      this.stopped = true;
      this.client.close();
      this.onEnd(err);
    });
  }

  healthyIDs(): string[] {
    return this.devices.filter((d) => d.health === HEALTHY).map((d) => d.ID);
  }

  /** The plugin's choice of `size` devices among `available`, or [] when it offers none. */
  async preferred(available: string[], size: number): Promise<string[]> {
    if (!this.options.getPreferredAllocationAvailable) return [];
    const req = { containerRequests: [{ availableDeviceIDs: available, mustIncludeDeviceIDs: [], allocationSize: size }] };
    const reply = await this.client.call(`${SERVICE}/GetPreferredAllocation`, encode('PreferredAllocationRequest', req), CALL_TIMEOUT_MS);
    return decode<{ containerResponses: { deviceIDs: string[] }[] }>('PreferredAllocationResponse', reply).containerResponses[0]?.deviceIDs ?? [];
  }

  async allocate(ids: string[]): Promise<ContainerAllocateResponse> {
    const reply = await this.client.call(`${SERVICE}/Allocate`, encode('AllocateRequest', { containerRequests: [{ devicesIds: ids }] }), CALL_TIMEOUT_MS);
    const r = decode<{ containerResponses: ContainerAllocateResponse[] }>('AllocateResponse', reply).containerResponses;
    if (r.length !== 1) throw new Error(`plugin for ${this.resource} answered ${r.length} container responses to one request`);
    return r[0]!;
  }

  async preStart(ids: string[]): Promise<void> {
    if (!this.options.preStartRequired) return;
    await this.client.call(`${SERVICE}/PreStartContainer`, encode('PreStartContainerRequest', { devicesIds: ids }), CALL_TIMEOUT_MS);
  }

  /** Ends the stream and the connection; `onEnd` is not called. */
  stop(): void {
    this.stopped = true;
    this.stream?.cancel();
    this.client.close();
  }
}
