import * as grpc from '@grpc/grpc-js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * A device plugin for tests, written against @grpc/grpc-js as real plugins are (grpc-go there): it
 * serves v1beta1.DevicePlugin on its own socket in the agent's device-plugins dir and registers
 * with the agent's Registration service over kubelet.sock, as upstream's plugins do. Its devices
 * are named; Allocate answers env FAKE_DEVICES=<ids>, one read-only mount of `hostFile`, and
 * optionally one device node.
 */

type Obj = Record<string, unknown>;

/** The plugin reads the .proto with protobufjs, as a foreign implementation: not with the agent's own codec. */
const PROTO = protobuf.loadSync(fileURLToPath(new URL('../device-plugins/deviceplugin-v1beta1.proto', import.meta.url)));
const messageType = (name: string) => PROTO.lookupType(`v1beta1.${name}`);

function method(path: string, req: string, res: string, responseStream = false): grpc.MethodDefinition<Obj, Obj> {
  const rq = messageType(req);
  const rs = messageType(res);
  const conv = { defaults: true, arrays: true, objects: true };
  return {
    path, requestStream: false, responseStream,
    requestSerialize: (o) => Buffer.from(rq.encode(rq.fromObject(o)).finish()),
    requestDeserialize: (b) => rq.toObject(rq.decode(b), conv),
    responseSerialize: (o) => Buffer.from(rs.encode(rs.fromObject(o)).finish()),
    responseDeserialize: (b) => rs.toObject(rs.decode(b), conv),
  };
}

const PLUGIN_SERVICE = {
  GetDevicePluginOptions: method('/v1beta1.DevicePlugin/GetDevicePluginOptions', 'Empty', 'DevicePluginOptions'),
  ListAndWatch: method('/v1beta1.DevicePlugin/ListAndWatch', 'Empty', 'ListAndWatchResponse', true),
  GetPreferredAllocation: method('/v1beta1.DevicePlugin/GetPreferredAllocation', 'PreferredAllocationRequest', 'PreferredAllocationResponse'),
  Allocate: method('/v1beta1.DevicePlugin/Allocate', 'AllocateRequest', 'AllocateResponse'),
  PreStartContainer: method('/v1beta1.DevicePlugin/PreStartContainer', 'PreStartContainerRequest', 'PreStartContainerResponse'),
};
const REGISTRATION_SERVICE = { Register: method('/v1beta1.Registration/Register', 'RegisterRequest', 'Empty') };

export interface FakeDevicePluginOptions {
  /** The agent's device-plugins directory (holds kubelet.sock). */
  dir: string;
  resourceName: string;
  /** Socket file name in `dir`. */
  endpoint: string;
  deviceIDs: string[];
  /** Host file mounted read-only at `containerPath` by Allocate. */
  hostFile: string;
  containerPath: string;
  /** A host device node Allocate also hands out (DeviceSpec, permissions "rw"). */
  device?: { hostPath: string; containerPath: string };
  /** Registration fields to send (tests of refusals). */
  version?: string;
}

export interface FakeDevicePlugin {
  /** Every Allocate request's device ids, in order. */
  allocated: string[][];
  /** Registers with the agent; rejects with the agent's error. */
  register(overrides?: { version?: string; resourceName?: string }): Promise<void>;
  /** Stops serving: ListAndWatch ends, as when a plugin exits. */
  stop(): void;
}

export async function startFakeDevicePlugin(o: FakeDevicePluginOptions): Promise<FakeDevicePlugin> {
  const server = new grpc.Server();
  const allocated: string[][] = [];
  const impl: grpc.UntypedServiceImplementation = {
    GetDevicePluginOptions: (_call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => cb(null, { getPreferredAllocationAvailable: false }),
    ListAndWatch: (call: grpc.ServerWritableStream<Obj, Obj>) => {
      call.write({ devices: o.deviceIDs.map((ID) => ({ ID, health: 'Healthy' })) });
    },
    GetPreferredAllocation: (_call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => cb({ code: grpc.status.UNIMPLEMENTED }),
    Allocate: (call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => {
      const reqs = call.request.containerRequests as { devicesIds: string[] }[];
      cb(null, {
        containerResponses: reqs.map((r) => {
          allocated.push(r.devicesIds);
          return {
            envs: { FAKE_DEVICES: r.devicesIds.join(',') },
            mounts: [{ containerPath: o.containerPath, hostPath: o.hostFile, readOnly: true }],
            devices: o.device ? [{ ...o.device, permissions: 'rw' }] : [],
          };
        }),
      });
    },
    PreStartContainer: (_call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => cb(null, {}),
  };
  server.addService(PLUGIN_SERVICE, impl);
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${join(o.dir, o.endpoint)}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));

  const Registration = grpc.makeGenericClientConstructor(REGISTRATION_SERVICE, 'Registration');
  return {
    allocated,
    async register(overrides = {}) {
      const sock = join(o.dir, 'kubelet.sock');
      if (!existsSync(sock)) throw new Error(`${sock} does not exist`);
      const client = new Registration(`unix://${sock}`, grpc.credentials.createInsecure());
      const req = { version: overrides.version ?? o.version ?? 'v1beta1', endpoint: o.endpoint, resourceName: overrides.resourceName ?? o.resourceName, options: {} };
      try {
        await new Promise<void>((resolve, reject) => {
          (client as unknown as { Register(r: Obj, cb: (e: grpc.ServiceError | null) => void): void }).Register(req, (e) => (e ? reject(e) : resolve()));
        });
      } finally {
        client.close();
      }
    },
    stop() {
      server.forceShutdown();
    },
  };
}
