/**
 * Baseline checks on what a pod shares with its node, as upstream's check_hostNamespaces.go,
 * check_hostPathVolumes.go, check_hostPorts.go, check_hostProbesAndhostLifecycle.go and
 * check_privileged.go.
 */
import type { Container, LifecycleHandler, Probe } from '../../../api/kinds/index.js';
import { ALLOWED, badContainers, containersPhrase, forbid, joinQuote, pluralize, sortedSet, visitContainers, type Check } from './check-types.js';

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
    const { names, values } = badContainers(spec, (c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort)));
    if (!names.length) return ALLOWED;
    return forbid('hostPort', `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', values.length)} ${values.join(', ')}`);
  },
};

function probeHosts(p: Probe | LifecycleHandler | undefined): string[] {
  const h = p as { httpGet?: { host?: string }; tcpSocket?: { host?: string } } | undefined;
  return [h?.httpGet?.host, h?.tcpSocket?.host].filter((x): x is string => !!x);
}

export const hostProbesAndHostLifecycle: Check = {
  id: 'hostProbesAndHostLifecycle', level: 'baseline', minVersion: 34,
  check(_meta, spec) {
    const found = badContainers(spec, (c: Container) => [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop].flatMap(probeHosts));
    if (!found.names.length) return ALLOWED;
    // Upstream keeps these containers in a set: sorted, once each.
    const names = sortedSet(found.names);
    return forbid('probe or lifecycle host', `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', found.values.length)} ${joinQuote(found.values)}`);
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
