/**
 * Upstream v1.32's protobuf schema as compiled into the kubectl binary the tests use (KUBECTL,
 * v1.32.x): k8s.io/api's generated.pb.go files register each generated.proto as a gzipped
 * FileDescriptorProto (`proto.RegisterFile("k8s.io/api/core/v1/generated.proto", fileDescriptor_...)`),
 * and the Go linker keeps those bytes verbatim. They are found by the gzip header Go's compress/gzip
 * writes, inflated, and read with protobufjs's descriptor extension. Pinned: the sha256 of each
 * inflated descriptor the comparison reads (patch releases do not change the API, so every v1.32.x
 * kubectl gives the same bytes; another minor version fails until the pins are looked at again).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { inflateRawSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import type * as Descriptor from 'protobufjs/ext/descriptor.js';

/** protobufjs's descriptor extension (CommonJS; it also adds Root.fromDescriptor to protobufjs). */
const descriptor = createRequire(import.meta.url)('protobufjs/ext/descriptor.js') as typeof Descriptor;

/** Every descriptor the comparison reads (the packages Bosun has .proto for, and their imports), with its sha256. */
export const KUBECTL_DESCRIPTOR_SHA256: Record<string, string> = {
  'k8s.io/api/apps/v1/generated.proto': '52ebbb870875562ebe4eb2d3386916986aa7965b4b2a9bf58aa78416ad62d36e',
  'k8s.io/api/authentication/v1/generated.proto': '7788275da255b67d901eda2d438a00d10a21996dd2e5e298d9e15a78d7df3040',
  'k8s.io/api/authorization/v1/generated.proto': '91a1f781e448a5711a82c4f1f28bf7b089c51ad8b98d84b503a85b72a6798221',
  'k8s.io/api/autoscaling/v1/generated.proto': '96c8a23975852e1c1dc22f856be55c0e5c1bb3f2edfce151279e11059eb1d756',
  'k8s.io/api/batch/v1/generated.proto': 'fef9471c0f53c9e2a5c0130d69ae3801b96b2c01818fe64c5e54067a4131fe25',
  'k8s.io/api/certificates/v1/generated.proto': '77ad61be1b942071e16b1b0165eb72dcee17d5246db0ff61f60a5b0c241dafe8',
  'k8s.io/api/core/v1/generated.proto': '32de44b0d0c9ea73cd794d210a8c5a7660ce9f6410d987860a5795c579806c21',
  'k8s.io/api/networking/v1/generated.proto': 'ce2cd9861460d640c7eef0fa0e0f9c309220ae5606aa94c91632b85c2677d208',
  'k8s.io/api/policy/v1/generated.proto': '75edd0c2fd205e95389ea4db951d60123238f0d0968b05275de1c37169cd245a',
  'k8s.io/api/rbac/v1/generated.proto': 'ae6c6bf3c675f5c606697466cc2c1792712b3d88caada4425dc8aafcb5ed353d',
  'k8s.io/api/scheduling/v1/generated.proto': 'c5d8650b6c748d2d1c7e5a78273c5ba3322bcd49caa91dddfb3b61ed35c89acf',
  'k8s.io/apimachinery/pkg/api/resource/generated.proto': '3df4724c77207243d905e67ffef583b225b97b020a5721bf8d6fbd66d2fdc22a',
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto': 'c50b2298c113c38ff56c0a354a9194c4c0470dea6cde1f929329b4a2e0e3db43',
  'k8s.io/apimachinery/pkg/runtime/generated.proto': '8684b70a21148e1ac2c5bf508f40b5a5f7e6d9040b5a9b56da4a5519b5f4578b',
  'k8s.io/apimachinery/pkg/runtime/schema/generated.proto': 'd9babc4aaae295ea7afe9bd76cef006714929b6ce1bbecbf4b6dc5dcca477640',
  'k8s.io/apimachinery/pkg/util/intstr/generated.proto': '6a5f83c12b120de589d4e2cde810551a33c47dd9835b4c12895bac6f8ef57710',
};

/** The header Go's gzip.Writer puts before each descriptor (no name, no mtime, OS unknown). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff]);
/** The largest descriptor (core/v1, about 75 KB inflated) is far smaller compressed. */
const MAX_COMPRESSED = 256 * 1024;

export function decodeFile(raw: Uint8Array): Descriptor.IFileDescriptorProto {
  return descriptor.FileDescriptorProto.decode(raw) as unknown as Descriptor.IFileDescriptorProto;
}

/** Why `binary` cannot be read here, or undefined when it can. */
export function kubectlUnavailable(binary: string): string | undefined {
  return existsSync(binary) ? undefined : `${binary} is not installed (the kubectl v1.32 every kubectl test uses)`;
}

const isKubernetesApi = (file: Descriptor.IFileDescriptorProto) => !!file.name?.startsWith('k8s.io/') && file.name.endsWith('/generated.proto');

/**
 * Every `k8s.io/...generated.proto` descriptor in `binary` (or those `accept` picks, from any Go
 * binary: containerd's CRI api.proto for the agent's test), inflated, by file name.
 */
export function descriptorsIn(binary: string, accept: (file: Descriptor.IFileDescriptorProto) => boolean = isKubernetesApi): Map<string, Buffer> {
  const bin = readFileSync(binary);
  const out = new Map<string, Buffer>();
  for (let at = bin.indexOf(GZIP_HEADER); at >= 0; at = bin.indexOf(GZIP_HEADER, at + 1)) {
    let raw: Buffer;
    try {
      // The deflate stream after the 10-byte header, alone: it ends by itself, and whatever follows
      // in the binary (gzip's trailer, the next variable) is not read as another gzip member.
      raw = inflateRawSync(bin.subarray(at + GZIP_HEADER.length, at + MAX_COMPRESSED), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      continue; // the header bytes by chance, not a gzip stream
    }
    let file: Descriptor.IFileDescriptorProto;
    try {
      file = decodeFile(raw);
    } catch {
      continue; // some other gzipped data
    }
    if (file.name && accept(file)) out.set(file.name, raw);
  }
  return out;
}

/** sha256 of each inflated descriptor. */
export function checksums(files: Map<string, Buffer>): Record<string, string> {
  return Object.fromEntries([...files].map(([name, raw]) => [name, createHash('sha256').update(raw).digest('hex')]));
}

/** The pinned descriptors as one resolved Root (field names as upstream wrote them). */
export function descriptorRoot(files: Map<string, Buffer>): protobuf.Root {
  const set = { file: Object.keys(KUBECTL_DESCRIPTOR_SHA256).map((name) => {
    const raw = files.get(name);
    if (!raw) throw new Error(`kubectl has no descriptor ${name}`);
    return decodeFile(raw);
  }) };
  const root = protobuf.Root.fromDescriptor(set, { keepCase: true });
  root.resolveAll();
  return root;
}
