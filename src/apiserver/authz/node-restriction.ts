/**
 * The object half of upstream's NodeRestriction admission plugin, for what the request path cannot
 * show: a node creating a Node or a Lease names it in the body, so the storage is wrapped to check
 * that name against the node's own (messages are upstream's); its Node's labels and taints and its
 * pods' labels are checked on every write (node-restriction-update.ts). The same holds for the DNS
 * EndpointSlice a node publishes (Bosun-specific): its own name, the kube-dns Service, and only
 * endpoints on the node itself.
 */
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';
import type { PatchRequest, RequestContext, ResourceStorage, StorageSubresource } from '../storage/types.js';
import { DNS_SLICE_NAMESPACE, dnsSliceName, nodeNameOf } from './node-authorizer.js';
import { admitNodeCreate, admitNodeUpdate, admitPodStatusUpdate } from './node-restriction-update.js';

interface SliceLike {
  metadata?: { labels?: Record<string, string> };
  endpoints?: { nodeName?: string }[];
}

function check(storage: ResourceStorage, ctx: RequestContext, obj: KubeObject, namespace?: string): void {
  const node = nodeNameOf({ name: ctx.user, groups: ctx.groups });
  if (node === undefined) return;
  const { group, plural } = storage.def;
  const name = obj.metadata?.name ?? '';
  const qualified = group ? `${plural}.${group}` : plural;
  const refuse = (why: string) => failure(403, 'Forbidden', `${qualified} "${name}" is forbidden: ${why}`, { name, group, kind: plural });
  if (group === '' && plural === 'nodes' && name !== node) throw refuse(`node "${node}" is not allowed to modify node "${name}"`);
  if (group === '' && plural === 'nodes') admitNodeCreate(node, obj);
  if (group === 'coordination.k8s.io' && plural === 'leases' && name !== node) {
    throw refuse('can only access node lease with the same name as the requesting node');
  }
  if (group === 'storage.k8s.io' && plural === 'csinodes' && name !== node) throw refuse(`node "${node}" is not allowed to modify CSINode "${name}"`);
  if (group === 'discovery.k8s.io' && plural === 'endpointslices') {
    const slice = obj as SliceLike;
    if (namespace !== DNS_SLICE_NAMESPACE || name !== dnsSliceName(node)) {
      throw refuse(`node "${node}" can only write its own DNS EndpointSlice ${DNS_SLICE_NAMESPACE}/${dnsSliceName(node)}`);
    }
    if (slice.metadata?.labels?.['kubernetes.io/service-name'] !== 'kube-dns' || (slice.endpoints ?? []).some((e) => e.nodeName !== node)) {
      throw refuse(`node "${node}" can only publish endpoints on itself for the kube-dns Service`);
    }
  }
}

/** Whether creates on this storage need the object-level node check. */
export function needsNodeRestriction(storage: ResourceStorage): boolean {
  const { group, plural } = storage.def;
  return (group === '' && plural === 'nodes') || (group === 'coordination.k8s.io' && plural === 'leases')
    || (group === 'discovery.k8s.io' && plural === 'endpointslices') || (group === '' && plural === 'pods')
    || (group === 'storage.k8s.io' && plural === 'csinodes');
}

/**
 * `ctx` with the update admission of node-restriction-update.ts when the caller is a node and the
 * storage is nodes (any write) or pods (status writes); otherwise `ctx` itself.
 */
function withUpdateAdmission(storage: ResourceStorage, ctx: RequestContext): RequestContext {
  const node = nodeNameOf({ name: ctx.user, groups: ctx.groups });
  if (node === undefined || storage.def.group !== '') return ctx;
  const outer = ctx.admitUpdate;
  if (storage.def.plural === 'nodes') {
    return { ...ctx, admitUpdate: (obj, old, sub) => { outer?.(obj, old, sub); admitNodeUpdate(node, obj, old); } };
  }
  if (storage.def.plural === 'pods') {
    return { ...ctx, admitUpdate: (obj, old, sub) => { outer?.(obj, old, sub); if (sub === 'status') admitPodStatusUpdate(node, obj, old); } };
  }
  return ctx;
}

/** `storage` with node-created Nodes and Leases limited to the node's own name; other storages unchanged. */
export function withNodeRestriction(storage: ResourceStorage): ResourceStorage {
  if (!needsNodeRestriction(storage)) return storage;
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'create' && target.def.plural !== 'pods') {
        return (ctx: RequestContext, ns: string | undefined, obj: KubeObject) => {
          check(target, ctx, obj, ns);
          return target.create(ctx, ns, obj);
        };
      }
      if (prop === 'patch' && target.def.plural !== 'endpointslices') {
        return (ctx: RequestContext, ns: string | undefined, name: string, p: PatchRequest, sub?: StorageSubresource) =>
          target.patch(withUpdateAdmission(target, ctx), ns, name, p, sub);
      }
      if (prop === 'update' && target.def.plural !== 'endpointslices') {
        return (ctx: RequestContext, ns: string | undefined, name: string, obj: KubeObject, sub?: StorageSubresource) =>
          target.update(withUpdateAdmission(target, ctx), ns, name, obj, sub);
      }
      // A node's update of its DNS slice is checked like its create (the authorizer checked the name).
      if (prop === 'update' && target.def.plural === 'endpointslices') {
        return (ctx: RequestContext, ns: string | undefined, name: string, obj: KubeObject, sub?: StorageSubresource) => {
          check(target, ctx, obj, ns);
          return target.update(ctx, ns, name, obj, sub);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  });
}
