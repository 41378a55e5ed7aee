/**
 * Upstream's protobuf schema of what the agent speaks, as compiled into the containerd binary the
 * tests run (Debian 12's containerd 1.6.20, scripts/setup.sh): the CRI runtime.v1 api.proto
 * (k8s.io/cri-api, vendored), containerd's events service and task events (with the mount type they
 * use) and gRPC's health service, each registered
 * as a gzipped FileDescriptorProto and kept verbatim by the Go linker. Read as kubectl's are
 * (src/api/protobuf/testdata/upstream/kubectl-descriptors.ts) and pinned by sha256: another
 * containerd fails until the pins are looked at again.
 */
import { spawnSync } from 'node:child_process';
import protobuf from 'protobufjs';
import type * as Descriptor from 'protobufjs/ext/descriptor.js';
import { decodeFile, descriptorsIn } from '../../../api/protobuf/testdata/upstream/kubectl-descriptors.js';

/** The descriptors compared (by file name and package: containerd also has CRI's v1alpha2 api.proto), with their sha256. */
export const CONTAINERD_DESCRIPTOR_SHA256: Record<string, string> = {
  'api.proto runtime.v1': '599907587b0ddf691dfedfad39dfea704b49c1ab591546aff6e50b88bb183bb1',
  'github.com/containerd/containerd/api/services/events/v1/events.proto containerd.services.events.v1': '885675766d6bc4679ae908b28e41dfd30affb8c9a911865f9d9f437f5b60e0d7',
  'github.com/containerd/containerd/api/events/task.proto containerd.events': 'e38cfc302c4c4fdf5c1f4befd69beb8c506c89421c3545c16edf5c7301326a6c',
  'github.com/containerd/containerd/api/types/mount.proto containerd.types': 'd0fb9b019dac5b34ed828cbae8406f67bcfcf21feff5e62c1f6a84ea059ff330',
  'grpc/health/v1/health.proto grpc.health.v1': 'a49be345c935d4b3077a57cf6936d7777e9d793b343c545bded44f478439135c',
  'google/protobuf/any.proto google.protobuf': '9b24d9b7025d53dbdef56fa78878266308184d009d26059a7b664a10ace6fbdc',
  'google/protobuf/empty.proto google.protobuf': '3b131cd598930cfb91b40ea173a31c9739e9fe6fec0795b5ae974ddd8210884f',
  'google/protobuf/timestamp.proto google.protobuf': '68200ef7a9809b7f60ca86688f869c191e6fea38773e3d0f64f2cd332a97d390',
};

const keyOf = (f: Descriptor.IFileDescriptorProto) => `${f.name} ${f.package}`;

/** The containerd on PATH, or undefined. */
export function containerdBinary(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v containerd'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The pinned files' descriptors in `binary`, inflated, by `name package`. */
export function containerdDescriptors(binary: string): Map<string, Buffer> {
  const byName = descriptorsIn(binary, (f) => keyOf(f) in CONTAINERD_DESCRIPTOR_SHA256);
  const out = new Map<string, Buffer>();
  // descriptorsIn keys by file name alone; the pins name the package too (containerd also has CRI v1alpha2's api.proto).
  for (const raw of byName.values()) out.set(keyOf(decodeFile(raw)), raw);
  return out;
}

/** The descriptors as one resolved Root, field names camelCased as protobufjs does (as the agent's tables have them). */
export function containerdRoot(files: Map<string, Buffer>): protobuf.Root {
  const file = [...files.values()].map(decodeFile);
  const root = protobuf.Root.fromDescriptor({ file }, { keepCase: false });
  root.resolveAll();
  return root;
}
