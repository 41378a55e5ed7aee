/**
 * A node's DNS server announces itself as an endpoint of the `kube-dns` Service (kube-system,
 * 10.43.0.10, created by the API server): one EndpointSlice per node, named `kube-dns-<node>`, so
 * the proxy sends pods' queries to a running server and stops when it is withdrawn.
 */
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';

export const DNS_NAMESPACE = 'kube-system';
export const DNS_SERVICE_NAME = 'kube-dns';
export const DNS_MANAGER = 'bosun-dns';

export interface DnsEndpoint {
  nodeName: string;
  /** Address the server answers on, reachable from pods. */
  address: string;
  /** Port it answers on (default 53; the Service's port stays 53 and the proxy maps to this). */
  port?: number;
}

function sliceName(nodeName: string): string {
  return `${DNS_SERVICE_NAME}-${nodeName}`.slice(0, 253);
}

/** Create or refresh this node's slice. */
export async function publishDnsEndpoint(client: KubeClient, ep: DnsEndpoint): Promise<void> {
  const api = client.resource<EndpointSlice>(resources.endpointslices, DNS_NAMESPACE);
  const want: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: sliceName(ep.nodeName), namespace: DNS_NAMESPACE,
      labels: { 'kubernetes.io/service-name': DNS_SERVICE_NAME, 'endpointslice.kubernetes.io/managed-by': DNS_MANAGER },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ep.address], nodeName: ep.nodeName, conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: 'dns', port: ep.port ?? 53, protocol: 'UDP' }, { name: 'dns-tcp', port: ep.port ?? 53, protocol: 'TCP' }],
  };
  try {
    const cur = await api.get(want.metadata.name!);
    await api.update({ ...want, metadata: { ...want.metadata, resourceVersion: cur.metadata.resourceVersion } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await api.create(want);
  }
}

/** Remove this node's slice (a stopped server receives no more queries). */
export async function withdrawDnsEndpoint(client: KubeClient, nodeName: string): Promise<void> {
  try {
    await client.resource(resources.endpointslices, DNS_NAMESPACE).delete(sliceName(nodeName));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
