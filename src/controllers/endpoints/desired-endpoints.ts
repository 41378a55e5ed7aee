/**
 * The core/v1 Endpoints a Service should have (pure; upstream pkg/controller/endpoint): ready pods in
 * `addresses`, the others in `notReadyAddresses`, grouped into subsets by resolved ports, terminating
 * pods left out unless publishNotReadyAddresses.
 */
import type { Endpoints, EndpointAddress, EndpointSubset } from '../../api/kinds/core/endpoints.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { Service } from '../../api/kinds/core/service.js';
import { endpointHostname, endpointPorts, HEADLESS_LABEL, isPodReady, podIP, shouldPodBeInEndpoints } from '../../api/endpoints/pod-endpoints.js';

/** Marks Endpoints this controller writes (upstream adds it from 1.33). */
export const ENDPOINTS_MANAGED_BY_LABEL = 'endpoints.kubernetes.io/managed-by';
export const ENDPOINTS_CONTROLLER_NAME = 'endpoint-controller';

function address(svc: Readonly<Service>, pod: Readonly<Pod>): EndpointAddress {
  const a: EndpointAddress = { ip: podIP(pod)!, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
  const hostname = endpointHostname(svc, pod);
  if (hostname) a.hostname = hostname;
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  return a;
}

const byIP = (a: EndpointAddress, b: EndpointAddress): number => a.ip.localeCompare(b.ip, undefined, { numeric: true });

export function desiredEndpoints(svc: Readonly<Service>, pods: readonly Readonly<Pod>[]): Endpoints {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, EndpointSubset>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publish)) continue;
    const ports = endpointPorts(svc, pod).map((p) => ({ name: p.name || undefined, port: p.port!, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    for (const p of ports) if (p.name === undefined) delete p.name;
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports }));
    const list = publish || isPodReady(pod) ? (g.addresses ??= []) : (g.notReadyAddresses ??= []);
    list.push(address(svc, pod));
  }
  const subsets = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => {
    g.addresses?.sort(byIP);
    g.notReadyAddresses?.sort(byIP);
    if (g.ports?.length === 0) delete g.ports;
    return g;
  });
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [ENDPOINTS_MANAGED_BY_LABEL]: ENDPOINTS_CONTROLLER_NAME };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels }, subsets };
}
