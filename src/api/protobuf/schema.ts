/**
 * The protobuf schema of the kinds kubectl sends as `application/vnd.kubernetes.protobuf`: our own
 * .proto subset (./proto/) of k8s.io/api and apimachinery, loaded once with protobufjs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_FILES = [
  'runtime.proto', 'resource.proto', 'intstr.proto', 'meta-v1.proto',
  'core-v1.proto', 'apps-v1.proto', 'batch-v1.proto', 'policy-v1.proto', 'scheduling-v1.proto', 'networking-v1.proto', 'authorization-v1.proto', 'authentication-v1.proto', 'rbac-v1.proto', 'certificates-v1.proto', 'autoscaling-v1.proto',
];

let root: protobuf.Root | undefined;

/** The .proto folder next to this module; a build into dist/ without the .proto files falls back to src/. */
function protoDir(): string {
  const here = fileURLToPath(new URL('./proto/', import.meta.url));
  if (existsSync(here)) return here;
  const fromSrc = here.replace(/([\\/])dist([\\/])/, '$1src$2');
  if (existsSync(fromSrc)) return fromSrc;
  throw new Error(`protobuf schema folder not found at ${here}`);
}

/** The loaded and resolved schema (field names kept exactly as in Kubernetes' JSON). */
export function kubernetesProtoRoot(): protobuf.Root {
  if (!root) {
    const dir = protoDir();
    const r = new protobuf.Root();
    r.loadSync(PROTO_FILES.map((f) => dir + f), { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** runtime.Unknown, the envelope after the `k8s\0` magic. */
export function unknownType(): protobuf.Type {
  return kubernetesProtoRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
}

/** Groups whose Go package is not the group's first labels (k8s.io/api/rbac/v1). */
const GO_PACKAGES: Record<string, string> = { 'rbac.authorization.k8s.io': 'rbac' };

/**
 * The message type of `apiVersion`/`kind`, or undefined when we have no schema for it. Protobuf
 * packages follow Go packages: the core group is `k8s.io.api.core.<v>`, `apps/v1` is
 * `k8s.io.api.apps.v1`, `authorization.k8s.io/v1` is `k8s.io.api.authorization.v1`; meta.k8s.io
 * kinds (and DeleteOptions sent under any group) live in apimachinery's meta/v1.
 */
export function messageTypeFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkgs = [
    `k8s.io.api.${GO_PACKAGES[group] ?? (group || 'core').replace(/\.k8s\.io$/, '')}.${version}`,
    'k8s.io.apimachinery.pkg.apis.meta.v1',
  ];
  for (const pkg of pkgs) {
    const found = kubernetesProtoRoot().lookup(`${pkg}.${kind}`);
    if (found instanceof protobuf.Type) return found;
  }
  return undefined;
}
