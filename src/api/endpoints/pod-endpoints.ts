/**
 * From a Service and its pods to endpoint facts (pure; upstream pkg/controller/util/endpoint and
 * endpointslice/utils): which pods count, their conditions, and the pod port each Service port
 * targets. Shared by the EndpointSlice and Endpoints controllers.
 */
import type { Pod } from '../kinds/core/pod.js';
import type { Service, ServicePort } from '../kinds/core/service.js';
import type { Endpoint, EndpointSlicePort } from '../kinds/discovery/endpoint-slice.js';
import { canonicalIPv4 } from '../net/ip.js';

/** The label both endpoint controllers put on the objects of a headless Service (clusterIP None). */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** The pod's Ready condition is True. */
export function isPodReady(pod: Readonly<Pod>): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The pod's IPv4 address in canonical form, if it has one (anything not an address is skipped). */
export function podIP(pod: Readonly<Pod>): string | undefined {
  for (const ip of [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)]) {
    const v4 = canonicalIPv4(ip);
    if (v4) return v4;
  }
  return undefined;
}

/**
 * ShouldPodBeInEndpoints: the pod has an IP, will not run again (phase by restart policy), and is not
 * terminating unless `includeTerminating`.
 */
export function shouldPodBeInEndpoints(pod: Readonly<Pod>, includeTerminating: boolean): boolean {
  if (!podIP(pod)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  switch (pod.spec?.restartPolicy) {
    case 'Never': return phase !== 'Failed' && phase !== 'Succeeded';
    case 'OnFailure': return phase !== 'Succeeded';
    default: return true;
  }
}

/** Services whose endpoints controllers manage: a selector, and not ExternalName. */
export function hasManagedEndpoints(svc: Readonly<Service>): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec.type !== 'ExternalName';
}

/** The Service's selector matches the pod's labels. */
export function selects(svc: Readonly<Service>, pod: Readonly<Pod>): boolean {
  if (!hasManagedEndpoints(svc)) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(svc.spec!.selector!).every(([k, v]) => labels[k] === v);
}

/** podutil.FindPort: a number as is, a name looked up among the containers' ports of that protocol. */
export function findPort(pod: Readonly<Pod>, port: Readonly<ServicePort>): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const asNumber = Number(target);
  if (target !== '' && Number.isInteger(asNumber)) return asNumber;
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === target && (cp.protocol ?? 'TCP') === protocol) return cp.containerPort;
  }
  return undefined;
}

/** The endpoint ports of `pod` for `svc` (a port whose name cannot be resolved in this pod is left out). */
export function endpointPorts(svc: Readonly<Service>, pod: Readonly<Pod>): EndpointSlicePort[] {
  const out: EndpointSlicePort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointSlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/**
 * The serving / ready / terminating triple of podToEndpoint: serving is the pod's readiness alone,
 * publishNotReadyAddresses makes only `ready` true.
 */
export function endpointConditions(svc: Readonly<Service>, pod: Readonly<Pod>): { ready: boolean; serving: boolean; terminating: boolean } {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // "ready" is never true for a terminating pod unless publishNotReadyAddresses asks for it.
  return { ready: publish || (serving && !terminating), serving, terminating };
}

/** The hostname a pod publishes through a Service: spec.hostname when spec.subdomain is the Service's name. */
export function endpointHostname(svc: Readonly<Service>, pod: Readonly<Pod>): string | undefined {
  return pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name ? pod.spec.hostname : undefined;
}

/** One EndpointSlice endpoint for the pod. */
export function podToEndpoint(svc: Readonly<Service>, pod: Readonly<Pod>): Endpoint {
  const ep: Endpoint = {
    addresses: [podIP(pod)!],
    conditions: endpointConditions(svc, pod),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  const hostname = endpointHostname(svc, pod);
  if (hostname) ep.hostname = hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}
