/**
 * Upstream's dropTypeDependentFields (pkg/registry/core/service/strategy.go), run on every Service
 * update: when the type changes so that a field no longer applies, and the update left that field
 * as it was (so the server or an earlier type set it, not this request), the field is cleared.
 * Without it `kubectl edit`/`patch` from LoadBalancer or NodePort to ClusterIP is refused, since
 * validation rejects externalTrafficPolicy and node ports on a ClusterIP Service.
 */
import type { Service } from '../../../api/kinds/core/service.js';

type Spec = NonNullable<Service['spec']>;

const typeOf = (s: Spec): string => s.type ?? 'ClusterIP';
const needsClusterIP = (s: Spec): boolean => typeOf(s) !== 'ExternalName';
const needsNodePort = (s: Spec): boolean => typeOf(s) === 'NodePort' || typeOf(s) === 'LoadBalancer';
const needsHealthCheckPort = (s: Spec): boolean => typeOf(s) === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
const externallyAccessible = (s: Spec): boolean => needsNodePort(s) || (typeOf(s) === 'ClusterIP' && (s.externalIPs?.length ?? 0) > 0);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Clears, in `next`, the type-dependent fields that no longer apply and that the update did not change. */
export function dropTypeDependentFields(next: Service, old: Service): void {
  const n = next.spec;
  const o = old.spec;
  if (!n || !o) return;
  if (needsClusterIP(o) && !needsClusterIP(n)) {
    if (same(n.clusterIP, o.clusterIP) && same(n.clusterIPs, o.clusterIPs)) {
      delete n.clusterIP;
      delete n.clusterIPs;
    }
    if (same(n.ipFamilies, o.ipFamilies)) delete n.ipFamilies;
    if (same(n.ipFamilyPolicy, o.ipFamilyPolicy)) delete n.ipFamilyPolicy;
  }
  const nodePorts = (s: Spec) => (s.ports ?? []).map((p) => p.nodePort ?? 0);
  if (needsNodePort(o) && !needsNodePort(n) && same(nodePorts(n), nodePorts(o))) {
    for (const p of n.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheckPort(o) && !needsHealthCheckPort(n) && n.healthCheckNodePort === o.healthCheckNodePort) delete n.healthCheckNodePort;
  if (typeOf(o) === 'LoadBalancer' && typeOf(n) !== 'LoadBalancer') {
    if (n.allocateLoadBalancerNodePorts !== undefined && n.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) delete n.allocateLoadBalancerNodePorts;
    if (n.loadBalancerClass !== undefined && n.loadBalancerClass === o.loadBalancerClass) delete n.loadBalancerClass;
  }
  if (externallyAccessible(o) && !externallyAccessible(n) && n.externalTrafficPolicy === o.externalTrafficPolicy) delete n.externalTrafficPolicy;
}
