import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '../../../api/kinds/core/service.js';
import { dropTypeDependentFields } from './service-type-fields.js';

type Spec = NonNullable<Service['spec']>;
const svc = (spec: Spec): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec });
const lb: Spec = {
  type: 'LoadBalancer', clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'], externalTrafficPolicy: 'Local', healthCheckNodePort: 31000,
  allocateLoadBalancerNodePorts: true, loadBalancerClass: 'x/y', ports: [{ port: 80, nodePort: 30080 }],
};

// As upstream's TestDropTypeDependentFields: only fields the update left unchanged are cleared.
test('dropTypeDependentFields', () => {
  const cases: [string, Spec, Spec, Spec][] = [
    ['LoadBalancer -> ClusterIP clears node ports, policies, class', lb, { ...lb, type: 'ClusterIP', ports: [{ port: 80, nodePort: 30080 }] },
      { type: 'ClusterIP', clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'], ports: [{ port: 80 }] }],
    ['changed fields are kept (validation then judges them)', lb, { ...lb, type: 'ClusterIP', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30081 }] },
      { type: 'ClusterIP', clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'], externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30081 }] }],
    ['LoadBalancer -> NodePort keeps node ports and policy', lb, { ...lb, type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
      { type: 'NodePort', clusterIP: '10.43.0.5', clusterIPs: ['10.43.0.5'], externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] }],
    ['ClusterIP -> ExternalName clears the ClusterIP', { type: 'ClusterIP', clusterIP: '10.43.0.7', clusterIPs: ['10.43.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
      { type: 'ExternalName', externalName: 'example.com', clusterIP: '10.43.0.7', clusterIPs: ['10.43.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
      { type: 'ExternalName', externalName: 'example.com' }],
    ['no type change: untouched', lb, { ...lb }, { ...lb }],
  ];
  for (const [name, old, next, want] of cases) {
    const n = svc(structuredClone(next));
    dropTypeDependentFields(n, svc(structuredClone(old)));
    assert.deepEqual(n.spec, want, name);
  }
});
