/**
 * Baseline checks on what a pod shares with its node, as upstream's check_hostNamespaces.go,
 * check_hostPathVolumes.go, check_hostPorts.go, check_hostProbesAndhostLifecycle.go and
 * check_privileged.go.
 */
import type { Container, LifecycleHandler, Probe } from '../../../api/kinds/index.js';
import { ALLOWED, containersPhrase, forbid, joinQuote, pluralize, sortedSet, visitContainers, type Check } from './check-types.js';

export const hostNamespaces: Check = {
  id: 'hostNamespaces', level: 'baseline', minVersion: 0,
  check(_meta, spec) {
    const shared: string[] = [];
    if (spec.hostNetwork) shared.push('hostNetwork=true');
    if (spec.hostPID) shared.push('hostPID=true');
    if (spec.hostIPC) shared.push('hostIPC=true');
    return shared.length ? forbid('host namespaces', shared.join(', ')) : ALLOWED;
  },
};

export const hostPathVolumes: Check = {
  id: 'hostPathVolumes', level: 'baseline', overlap: true, minVersion: 0,
  check(_meta, spec) {
    const names = (spec.volumes ?? []).filter((v) => v.hostPath != null).map((v) => v.name);
    return names.length ? forbid('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`) : ALLOWED;
  },
};

export const hostPorts: Check = {
  id: 'hostPorts', level: 'baseline', minVersion: 0,
  check(_meta, spec) {
    const bad: string[] = [];
    const ports = new Set<string>();
    visitContainers(spec, (c) => {
      const used = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
      for (const p of used) ports.add(p);
      if (used.length) bad.push(c.name);
    });
    if (!bad.length) return ALLOWED;
    const list = sortedSet(ports);
    return forbid('hostPort', `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`);
  },
};

function probeHosts(p: Probe | LifecycleHandler | undefined): string[] {
  const h = p as { httpGet?: { host?: string }; tcpSocket?: { host?: string } } | undefined;
  return [h?.httpGet?.host, h?.tcpSocket?.host].filter((x): x is string => !!x);
}

export const hostProbesAndHostLifecycle: Check = {
  id: 'hostProbesAndHostLifecycle', level: 'baseline', minVersion: 34,
  check(_meta, spec) {
    const bad = new Set<string>();
    const hosts = new Set<string>();
    visitContainers(spec, (c: Container) => {
      const found = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop].flatMap(probeHosts);
      if (found.length) bad.add(c.name);
      for (const h of found) hosts.add(h);
    });
    if (!bad.size) return ALLOWED;
    const names = sortedSet(bad);
    const list = sortedSet(hosts);
    return forbid('probe or lifecycle host', `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', list.length)} ${joinQuote(list)}`);
  },
};

export const privileged: Check = {
  id: 'privileged', level: 'baseline', minVersion: 0,
  check(_meta, spec) {
    const bad: string[] = [];
    visitContainers(spec, (c) => { if (c.securityContext?.privileged) bad.push(c.name); });
    return bad.length ? forbid('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`) : ALLOWED;
  },
};
