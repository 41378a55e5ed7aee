// Generated from deviceplugin-v1beta1.proto by src/agent/grpc/testing/proto-schema-gen.ts: do not edit. After changing
// deviceplugin-v1beta1.proto, run `node --import tsx src/agent/grpc/testing/proto-schema-gen.ts` (proto-schema.test.ts
// fails while this file is stale). Fields: [name (as protobufjs camelCases it), number, type, label].
import type { ProtoSchema, ServiceMethods } from '../grpc/proto-codec.js';

export const DEVICE_PLUGIN_SCHEMA: ProtoSchema = {
  package: 'v1beta1',
  messages: {
    DevicePluginOptions: [['preStartRequired', 1, 'bool'], ['getPreferredAllocationAvailable', 2, 'bool']],
    RegisterRequest: [['version', 1, 'string'], ['endpoint', 2, 'string'], ['resourceName', 3, 'string'], ['options', 4, 'DevicePluginOptions']],
    Empty: [],
    ListAndWatchResponse: [['devices', 1, 'Device', 'repeated']],
    Device: [['ID', 1, 'string'], ['health', 2, 'string']],
    PreStartContainerRequest: [['devicesIds', 1, 'string', 'repeated']],
    PreStartContainerResponse: [],
    PreferredAllocationRequest: [['containerRequests', 1, 'ContainerPreferredAllocationRequest', 'repeated']],
    ContainerPreferredAllocationRequest: [['availableDeviceIDs', 1, 'string', 'repeated'], ['mustIncludeDeviceIDs', 2, 'string', 'repeated'], ['allocationSize', 3, 'int32']],
    PreferredAllocationResponse: [['containerResponses', 1, 'ContainerPreferredAllocationResponse', 'repeated']],
    ContainerPreferredAllocationResponse: [['deviceIDs', 1, 'string', 'repeated']],
    AllocateRequest: [['containerRequests', 1, 'ContainerAllocateRequest', 'repeated']],
    ContainerAllocateRequest: [['devicesIds', 1, 'string', 'repeated']],
    AllocateResponse: [['containerResponses', 1, 'ContainerAllocateResponse', 'repeated']],
    ContainerAllocateResponse: [['envs', 1, 'string', 'map'], ['mounts', 2, 'Mount', 'repeated'], ['devices', 3, 'DeviceSpec', 'repeated'], ['annotations', 4, 'string', 'map']],
    Mount: [['containerPath', 1, 'string'], ['hostPath', 2, 'string'], ['readOnly', 3, 'bool']],
    DeviceSpec: [['containerPath', 1, 'string'], ['hostPath', 2, 'string'], ['permissions', 3, 'string']],
  },
  enums: {},
};

/** Each service's methods: [request, response, 'server-stream' when the server streams]. */
export const DEVICE_PLUGIN_SERVICES: Record<string, ServiceMethods> = {
  Registration: {
    Register: ['RegisterRequest', 'Empty'],
  },
  DevicePlugin: {
    GetDevicePluginOptions: ['Empty', 'DevicePluginOptions'],
    ListAndWatch: ['Empty', 'ListAndWatchResponse', 'server-stream'],
    GetPreferredAllocation: ['PreferredAllocationRequest', 'PreferredAllocationResponse'],
    Allocate: ['AllocateRequest', 'AllocateResponse'],
    PreStartContainer: ['PreStartContainerRequest', 'PreStartContainerResponse'],
  },
};
