/**
 * The Services every cluster has, ensured at every server start:
 *
 * - `kubernetes` in `default` (kube-apiserver's "master" endpoint reconciler): ClusterIP the first
 *   address of the service range (10.43.0.1), port 443 named https, and Endpoints plus an
 *   EndpointSlice pointing at the API server's address and port (rewritten at each start).
 * - `kube-dns` in `kube-system`: ClusterIP the tenth address (10.43.0.10, k3s's choice), ports 53/UDP
 *   and 53/TCP, no selector: the nodes' DNS servers publish their own EndpointSlices. Reserving it
 *   here keeps random allocation from taking the address pods' resolv.conf points at. Labelled
 *   `kubernetes.io/cluster-service: "true"` as k3s's and kubeadm's CoreDNS Service, so `kubectl
 *   cluster-info` lists it (by its `kubernetes.io/name`).
 */
import { networkInterfaces } from 'node:os';
import type { KubeObject } from '../../api/meta.js';
import type { Store } from '../../store/types.js';
import { isStatusError } from '../storage/errors.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { serviceAllocatorFor } from '../storage/strategies/service.js';
import { DNS_SERVICE_OFFSET, KUBERNETES_SERVICE_OFFSET } from '../../api/defaults.js';
import { addressAt } from './cidr.js';

export const KUBERNETES_SERVICE = 'kubernetes';
export const DNS_SERVICE = 'kube-dns';
/** managed-by value of the API server's own EndpointSlice (upstream leaves it to the mirroring controller). */
export const APISERVER_MANAGER = 'bosun-apiserver';

export interface KubernetesServiceOptions {
  /** Storage lookup by group, version, plural (the server's catalog). */
  storage: (group: string, version: string, plural: string) => ResourceStorage | undefined;
  store: Store;
  /** Address the server listens on; a wildcard means "the node's first non-loopback IPv4". */
  bindAddress: string;
  port: number;
  /** Address to publish instead of the derived one. */
  advertiseAddress?: string;
}

function ctx(): RequestContext {
  return { user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', fieldManager: 'bosun-apiserver', warnings: [] };
}

/** The address pods and nodes should use to reach this server. */
export function advertisedAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::' && bindAddress !== '') return bindAddress;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function upsert(storage: ResourceStorage | undefined, obj: KubeObject): Promise<void> {
  if (!storage) return;
  const name = obj.metadata.name!;
  try {
    const cur = await storage.get(ctx(), 'default', name);
    await storage.update(ctx(), 'default', name, { ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } });
  } catch (err) {
    if (!isStatusError(err, 404)) throw err;
    await storage.create(ctx(), 'default', obj);
  }
}

/** Create a Service unless it exists (a user may have changed it since; it is left alone). */
async function createIfMissing(storage: ResourceStorage, obj: KubeObject): Promise<void> {
  try {
    await storage.create(ctx(), obj.metadata.namespace, obj);
  } catch (err) {
    // 409: exists. 422: the address is taken by a user's Service; DNS then needs another address.
    if (!isStatusError(err, 409) && !isStatusError(err, 422)) throw err;
  }
}

export async function ensureKubernetesService(o: KubernetesServiceOptions): Promise<void> {
  const services = o.storage('', 'v1', 'services');
  if (!services) return;
  const clusterIP = addressAt(serviceAllocatorFor(o.store).cidr, KUBERNETES_SERVICE_OFFSET);
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  try {
    await services.create(ctx(), 'default', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels },
      spec: { type: 'ClusterIP', clusterIP, sessionAffinity: 'None', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.port }] },
    });
  } catch (err) {
    if (!isStatusError(err, 409)) throw err;
    const cur = await services.get(ctx(), 'default', KUBERNETES_SERVICE);
    const port = cur.spec?.ports?.[0];
    if (port && port.targetPort !== o.port) {
      port.targetPort = o.port;
      await services.update(ctx(), 'default', KUBERNETES_SERVICE, cur);
    }
  }
  await createIfMissing(services, {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: DNS_SERVICE, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'bosun-dns' } },
    spec: {
      type: 'ClusterIP', clusterIP: addressAt(serviceAllocatorFor(o.store).cidr, DNS_SERVICE_OFFSET),
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
    },
  });
  const ip = o.advertiseAddress ?? advertisedAddress(o.bindAddress);
  await upsert(o.storage('', 'v1', 'endpoints'), {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: KUBERNETES_SERVICE, namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port: o.port, protocol: 'TCP' }] }],
  });
  await upsert(o.storage('discovery.k8s.io', 'v1', 'endpointslices'), {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: KUBERNETES_SERVICE, namespace: 'default',
      labels: { 'kubernetes.io/service-name': KUBERNETES_SERVICE, 'endpointslice.kubernetes.io/managed-by': APISERVER_MANAGER },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: 'https', port: o.port, protocol: 'TCP' }],
  });
}
