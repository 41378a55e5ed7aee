import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../api/kinds/index.js';
import { podCgroupParent } from '../runtime/cgroups.js';
import type { DnsConfig, PodSandboxConfig, PortMapping, Protocol } from '../runtime/types.js';
import { sandboxLabels } from '../runtime/labels.js';
import { seccompProfile } from './security-profile.js';

/**
 * The CRI sandbox config of a pod: hostname, DNS per dnsPolicy (kubelet's dns.Configurer), host
 * ports, cgroup parent `<cgroupRoot>/pod<uid>`, log directory, sysctls.
 */

export interface SandboxEnv {
  /** Cluster DNS server IPs; empty means "use the host's resolv.conf" for ClusterFirst too. */
  clusterDNS: string[];
  clusterDomain: string;
  cgroupRoot: string;
  /** DATA_DIR/logs: pods log to `<logsDir>/<ns>_<name>_<uid>/<container>/<restart>.log`. */
  logsDir: string;
  /** Host resolv.conf, for dnsPolicy Default and as the fallback. */
  resolvConf?: string;
  /** DATA_DIR/seccomp: Localhost seccomp profiles are relative to it (the kubelet's <root-dir>/seccomp). */
  seccompDir?: string;
}

export function hostDns(path = '/etc/resolv.conf'): DnsConfig {
  const out: DnsConfig = { servers: [], searches: [], options: [] };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [k, ...rest] = line.trim().split(/\s+/);
    if (k === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (k === 'search') out.searches = rest;
    else if (k === 'options') out.options.push(...rest);
  }
  return out;
}

/** resolv.conf contents for the pod (dns.Configurer.GetPodDNS). */
export function podDns(pod: Pod, env: SandboxEnv): DnsConfig | undefined {
  const spec = pod.spec!;
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  let cfg: DnsConfig;
  if (policy === 'None') cfg = { servers: [], searches: [], options: [] };
  else if (policy === 'ClusterFirst' && env.clusterDNS.length) {
    const ns = pod.metadata.namespace ?? 'default';
    const d = env.clusterDomain;
    cfg = { servers: [...env.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...hostDns(env.resolvConf).searches], options: ['ndots:5'] };
  } else cfg = hostDns(env.resolvConf);
  const extra = spec.dnsConfig;
  if (extra) {
    cfg.servers = [...new Set([...cfg.servers, ...(extra.nameservers ?? [])])];
    cfg.searches = [...new Set([...cfg.searches, ...(extra.searches ?? [])])];
    const opts = new Map(cfg.options.map((o) => [o.split(':')[0]!, o]));
    for (const o of extra.options ?? []) opts.set(o.name ?? '', o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '');
    cfg.options = [...opts.values()];
  }
  cfg.searches = cfg.searches.slice(0, 32);
  return cfg;
}

export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname || pod.metadata.name || '').slice(0, 63).replace(/[-.]+$/, '');
}

export function podLogDir(pod: Pod, logsDir: string): string {
  return join(logsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
}


const ETH0_IPV6_OFF: Readonly<Record<string, string>> = { 'net.ipv6.conf.eth0.disable_ipv6': '1' };

export function sandboxConfig(pod: Pod, attempt: number, env: SandboxEnv): PodSandboxConfig {
  const spec = pod.spec!;
  const ports: PortMapping[] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      ports.push({ protocol: (p.protocol ?? 'TCP') as Protocol, containerPort: p.containerPort, hostPort: p.hostPort, ...(p.hostIP ? { hostIp: p.hostIP } : {}) });
    }
  }
  const id = { uid: pod.metadata.uid!, name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default' };
  // A bad pod-level Localhost profile fails each container's config (CreateContainerConfigError), not the sandbox.
  let seccomp;
  try {
    seccomp = seccompProfile(pod, undefined, env.seccompDir ?? '');
  } catch {
    seccomp = undefined;
  }
  // The pod network and NetworkPolicy enforcement are IPv4 only, so IPv6 is off on the pod's eth0:
  // otherwise it gets an fe80:: address that a neighbour on the same bridge reaches past every
  // policy. Loopback keeps ::1 (localhost resolves to it first). containerd runs CNI, which makes
  // eth0, before it starts the sandbox that applies these. A pod's own sysctl of that name wins.
  const sysctls = {
    ...(spec.hostNetwork ? {} : ETH0_IPV6_OFF),
    ...Object.fromEntries((spec.securityContext?.sysctls ?? []).map((s) => [s.name, s.value])),
  };
  return {
    metadata: { ...id, attempt },
    hostname: spec.hostNetwork ? undefined : podHostname(pod),
    logDirectory: podLogDir(pod, env.logsDir),
    dnsConfig: podDns(pod, env),
    portMappings: ports,
    labels: { ...(pod.metadata.labels ?? {}), ...sandboxLabels(id) },
    annotations: { ...(pod.metadata.annotations ?? {}) },
    cgroupParent: podCgroupParent(id.uid, env.cgroupRoot),
    hostNetwork: !!spec.hostNetwork,
    privileged: [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].some((c) => c.securityContext?.privileged),
    hostPID: !!spec.hostPID,
    hostIPC: !!spec.hostIPC,
    ...(Object.keys(sysctls).length ? { sysctls } : {}),
    ...(seccomp ? { seccomp } : {}),
  };
}
