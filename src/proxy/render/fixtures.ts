/** Representative proxy inputs shared by the golden tests, the netns apply test and the bench. */
import type { Service } from '../../api/kinds/core/service.js';
import type { Endpoint, EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import type { ProxyInput } from './model.js';

export function svc(name: string, spec: NonNullable<Service['spec']>, status?: Service['status'], namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec, status };
}

export function ep(ip: string, node: string, cond: Endpoint['conditions'] = { ready: true, serving: true, terminating: false }): Endpoint {
  return { addresses: [ip], nodeName: node, conditions: cond };
}

export function slice(service: string, ports: EndpointSlice['ports'], endpoints: Endpoint[], namespace = 'default', name = `${service}-abc`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4', ports, endpoints,
  };
}

const node = { nodeName: 'node-a', nodeIPs: ['192.168.50.10'], clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16' };
const http = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];

/** Golden cases: name -> input. */
export const CASES: Record<string, ProxyInput> = {
  'clusterip-spread': {
    ...node,
    services: [svc('web', { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] })],
    endpointSlices: [slice('web', http, [
      ep('10.42.0.5', 'node-a'), ep('10.42.1.7', 'node-b'), ep('10.42.2.9', 'node-c'),
      ep('10.42.0.6', 'node-a', { ready: false, serving: false, terminating: false }),
    ])],
  },
  'no-endpoints-reject': {
    ...node,
    services: [
      svc('empty', { clusterIP: '10.43.0.20', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
      svc('empty-np', { type: 'NodePort', clusterIP: '10.43.0.21', ports: [{ port: 80, protocol: 'TCP', nodePort: 30021 }] }),
    ],
    endpointSlices: [slice('empty', [], [])],
  },
  'nodeport-cluster-policy': {
    ...node,
    services: [svc('np', { type: 'NodePort', clusterIP: '10.43.0.30', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] })],
    endpointSlices: [slice('np', [{ name: '', port: 8080, protocol: 'TCP' }], [ep('10.42.1.3', 'node-b'), ep('10.42.0.3', 'node-a')])],
  },
  'loadbalancer-local-affinity': {
    ...node,
    services: [svc('lb', {
      type: 'LoadBalancer', clusterIP: '10.43.0.40', externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30040 }],
    }, { loadBalancer: { ingress: [{ ip: '192.168.50.10' }] } })],
    endpointSlices: [slice('lb', http, [ep('10.42.0.8', 'node-a'), ep('10.42.1.8', 'node-b')])],
  },
  'loadbalancer-source-ranges': {
    ...node,
    services: [
      svc('fw', {
        type: 'LoadBalancer', clusterIP: '10.43.0.70', externalIPs: ['192.168.60.9'],
        loadBalancerSourceRanges: ['203.0.113.0/24', ' 192.168.50.0/24', '2001:db8::/32'],
        ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30070 }],
      }, { loadBalancer: { ingress: [{ ip: '192.168.60.10' }, { ip: '192.168.60.11', ipMode: 'Proxy' }] } }),
      svc('fw-empty', {
        type: 'LoadBalancer', clusterIP: '10.43.0.71', loadBalancerSourceRanges: ['203.0.113.0/24'],
        ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30071 }],
      }, { loadBalancer: { ingress: [{ ip: '192.168.60.12' }] } }),
    ],
    endpointSlices: [slice('fw', http, [ep('10.42.0.8', 'node-a')])],
  },
  'local-policy-no-local-endpoints': {
    ...node,
    services: [svc('far', { type: 'NodePort', clusterIP: '10.43.0.50', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', ports: [{ port: 80, protocol: 'TCP', nodePort: 30050 }] })],
    endpointSlices: [slice('far', [{ name: '', port: 80, protocol: 'TCP' }], [ep('10.42.1.9', 'node-b')])],
  },
  'terminating-fallback-and-skipped-kinds': {
    ...node,
    services: [
      svc('draining', { clusterIP: '10.43.0.60', ports: [{ port: 80, protocol: 'TCP' }] }),
      svc('headless', { clusterIP: 'None', ports: [{ port: 80, protocol: 'TCP' }] }),
      svc('alias', { type: 'ExternalName', externalName: 'example.com' }),
    ],
    endpointSlices: [
      slice('draining', [{ name: '', port: 80, protocol: 'TCP' }], [
        ep('10.42.0.11', 'node-a', { ready: false, serving: true, terminating: true }),
        ep('10.42.0.12', 'node-a', { ready: false, serving: false, terminating: true }),
      ]),
      slice('headless', [{ name: '', port: 80, protocol: 'TCP' }], [ep('10.42.0.13', 'node-a')]),
    ],
  },
};
