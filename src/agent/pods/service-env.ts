/**
 * Service environment variables (upstream's pkg/kubelet/envvars/envvars.go FromServices and
 * kubelet_pods.go getServiceEnvVarMap): for the master service `kubernetes` in `default` always,
 * and, with spec.enableServiceLinks (default true), for every Service of the pod's namespace that
 * has a ClusterIP, `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORTNAME>]` and the Docker-link
 * `<NAME>_PORT*` variables. They are the base of a container's env; its env and envFrom win.
 */
import { isIPv6 } from 'node:net';

/** The fields of a Service the env needs (all the agent's service cache keeps). */
export interface ServiceEnvSource {
  namespace: string;
  name: string;
  clusterIP: string;
  ports: { name?: string; port: number; protocol?: string }[];
}

/** Master services, always exposed from the default namespace (kubelet's masterServices). */
const MASTER_SERVICES = new Set(['kubernetes']);
const MASTER_NAMESPACE = 'default';

/** v1helper.IsServiceIPSet: not headless (None) and not ExternalName (no ClusterIP). */
const hasServiceIP = (s: ServiceEnvSource): boolean => s.clusterIP !== '' && s.clusterIP !== 'None';

const envName = (s: string): string => s.replaceAll('-', '_').toUpperCase();

const joinHostPort = (host: string, port: number): string => (isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);

/** envvars.FromServices, in upstream's order. */
export function fromServices(services: ServiceEnvSource[]): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const s of services) {
    // Validation requires a port on a ClusterIP Service; one without (stored before that) gets no vars.
    if (!hasServiceIP(s) || s.ports.length === 0) continue;
    const prefix = envName(s.name);
    out.push({ name: `${prefix}_SERVICE_HOST`, value: s.clusterIP });
    out.push({ name: `${prefix}_SERVICE_PORT`, value: String(s.ports[0]!.port) });
    for (const p of s.ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    s.ports.forEach((p, i) => {
      const proto = (p.protocol || 'TCP').toLowerCase();
      const url = `${proto}://${joinHostPort(s.clusterIP, p.port)}`;
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
      const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push(
        { name: portPrefix, value: url },
        { name: `${portPrefix}_PROTO`, value: proto },
        { name: `${portPrefix}_PORT`, value: String(p.port) },
        { name: `${portPrefix}_ADDR`, value: s.clusterIP },
      );
    });
  }
  return out;
}

/** getServiceEnvVarMap: which Services a pod in `namespace` sees, then their variables. */
export function serviceEnvVars(namespace: string, enableServiceLinks: boolean, services: ServiceEnvSource[]): { name: string; value: string }[] {
  const chosen = new Map<string, ServiceEnvSource>();
  for (const s of services) {
    if (!hasServiceIP(s)) continue;
    if (s.namespace === MASTER_NAMESPACE && MASTER_SERVICES.has(s.name)) {
      if (!chosen.has(s.name)) chosen.set(s.name, s);
    } else if (s.namespace === namespace && enableServiceLinks) chosen.set(s.name, s);
  }
  return fromServices([...chosen.values()]);
}
