import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The device plugin API's messages (deviceplugin-v1beta1.proto), loaded once. */

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

const FILE = 'deviceplugin-v1beta1.proto';

/** The proto ships next to this module (src/, dist/, or the agent bundle); a dist/ build without it falls back to src/. */
function protoPath(): string {
  const here = fileURLToPath(new URL(`./${FILE}`, import.meta.url));
  if (existsSync(here)) return here;
  const fromSrc = here.replace(/\/dist\/agent\//, '/src/agent/');
  if (existsSync(fromSrc)) return fromSrc;
  throw new Error(`${FILE} not found at ${here} or ${fromSrc}`);
}

let root: protobuf.Root | undefined;
export function messageType(name: string): protobuf.Type {
  if (!root) {
    root = protobuf.loadSync(protoPath());
    root.resolveAll();
  }
  return root.lookupType(`v1beta1.${name}`);
}

export function encode(name: string, value: object): Uint8Array {
  const t = messageType(name);
  return t.encode(t.fromObject(value)).finish();
}

export function decode<T>(name: string, bytes: Uint8Array): T {
  const t = messageType(name);
  return t.toObject(t.decode(bytes), { defaults: true, arrays: true, objects: true }) as T;
}
