import { decodeMessage, encodeMessage } from '../grpc/proto-codec.js';
import { DEVICE_PLUGIN_SCHEMA } from './deviceplugin-schema.js';

/**
 * The device plugin API's messages (deviceplugin-v1beta1.proto, as the table deviceplugin-schema.ts
 * generated from it), as plain objects: camelCase fields, defaults for absent ones.
 */

export const API_VERSION = 'v1beta1';
export const HEALTHY = 'Healthy';

export interface DevicePluginOptions { preStartRequired?: boolean; getPreferredAllocationAvailable?: boolean }
export interface RegisterRequest { version: string; endpoint: string; resourceName: string; options?: DevicePluginOptions }
export interface Device { ID: string; health: string }
export interface ContainerAllocateResponse {
  envs?: Record<string, string>;
  mounts?: { containerPath: string; hostPath: string; readOnly?: boolean }[];
  devices?: { containerPath: string; hostPath: string; permissions: string }[];
  annotations?: Record<string, string>;
}

export function encode(name: string, value: object): Uint8Array {
  return encodeMessage(DEVICE_PLUGIN_SCHEMA, name, value);
}

export function decode<T>(name: string, bytes: Uint8Array): T {
  return decodeMessage<T>(DEVICE_PLUGIN_SCHEMA, name, bytes);
}
