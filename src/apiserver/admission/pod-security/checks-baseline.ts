/**
 * Baseline checks on security settings, as upstream's check_appArmorProfile.go,
 * check_capabilities_baseline.go, check_procMount.go, check_seLinuxOptions.go,
 * check_seccompProfile_baseline.go, check_sysctls.go and check_windowsHostProcess.go (latest
 * versions; details worded as upstream's).
 */
import { ALLOWED, badContainers, containersPhrase, forbid, joinQuote, pluralize, scanProfiles, setters, sortedSet, visitContainers, type Check } from './check-types.js';

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const goQuote = (s: string) => JSON.stringify(s);

export const appArmorProfile: Check = {
  id: 'appArmorProfile', level: 'baseline', minVersion: 0,
  check(meta, spec) {
    const { podBad, bad, values: badValues } = scanProfiles(spec, 'appArmorProfile');
    const annotations = Object.entries(meta.annotations ?? {})
      .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION_PREFIX) && v !== '' && v !== 'runtime/default' && !v.startsWith('localhost/'))
      .map(([k, v]) => `${k}=${goQuote(v)}`).sort();
    const who = setters(podBad, bad, annotations.length ? [pluralize('annotation', 'annotations', annotations.length)] : []);
    if (!who.length) return ALLOWED;
    const values = [...sortedSet(badValues), ...annotations];
    return forbid(pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
      `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`);
  },
};

const DEFAULT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

export const capabilitiesBaseline: Check = {
  id: 'capabilities_baseline', level: 'baseline', overlap: true, minVersion: 0,
  check(_meta, spec) {
    const { names, values } = badContainers(spec, (c) => (c.securityContext?.capabilities?.add ?? []).filter((x) => !DEFAULT_CAPABILITIES.has(x)));
    if (!names.length) return ALLOWED;
    return forbid('non-default capabilities', `${containersPhrase(names)} must not include ${joinQuote(values)} in securityContext.capabilities.add`);
  },
};

export const procMount: Check = {
  id: 'procMount', level: 'baseline', minVersion: 0,
  check(_meta, spec) {
    const { names, values } = badContainers(spec, (c) => {
      const pm = c.securityContext?.procMount;
      return pm !== undefined && pm !== 'Default' ? [pm] : [];
    });
    if (!names.length) return ALLOWED;
    return forbid('procMount', `${containersPhrase(names)} must not set securityContext.procMount to ${joinQuote(values)}`);
  },
};

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

export const seLinuxOptions: Check = {
  id: 'seLinuxOptions', level: 'baseline', minVersion: 0,
  check(_meta, spec) {
    const badTypes = new Set<string>();
    let setUser = false;
    let setRole = false;
    const valid = (o: { type?: string; user?: string; role?: string }) => {
      let ok = true;
      if (!SELINUX_TYPES.has(o.type ?? '')) { ok = false; badTypes.add(o.type ?? ''); }
      if (o.user) { ok = false; setUser = true; }
      if (o.role) { ok = false; setRole = true; }
      return ok;
    };
    const podOpts = spec.securityContext?.seLinuxOptions;
    const podBad = !!podOpts && !valid(podOpts);
    const bad: string[] = [];
    visitContainers(spec, (c) => {
      const o = c.securityContext?.seLinuxOptions;
      if (o && !valid(o)) bad.push(c.name);
    });
    const who = setters(podBad, bad);
    if (!who.length) return ALLOWED;
    // As upstream, user and role are only named next to a bad type.
    const data: string[] = [];
    if (badTypes.size) {
      const types = sortedSet(badTypes);
      data.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
      if (setUser) data.push('user may not be set');
      if (setRole) data.push('role may not be set');
    }
    return forbid('seLinuxOptions', `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
  },
};

export const seccompProfileBaseline: Check = {
  id: 'seccompProfile_baseline', level: 'baseline', overlap: true, minVersion: 19,
  check(_meta, spec) {
    const { podBad, bad, values } = scanProfiles(spec, 'seccompProfile');
    const who = setters(podBad, bad);
    if (!who.length) return ALLOWED;
    return forbid('seccompProfile', `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`);
  },
};

const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);

export const sysctls: Check = {
  id: 'sysctls', level: 'baseline', minVersion: 0,
  check(_meta, spec) {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
    return bad.length ? forbid('forbidden sysctls', bad.join(', ')) : ALLOWED;
  },
};

export const windowsHostProcess: Check = {
  id: 'windowsHostProcess', level: 'baseline', minVersion: 0,
  check(_meta, spec) {
    const bad: string[] = [];
    visitContainers(spec, (c) => { if (c.securityContext?.windowsOptions?.hostProcess) bad.push(c.name); });
    const who = setters(!!spec.securityContext?.windowsOptions?.hostProcess, bad);
    return who.length ? forbid('hostProcess', `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`) : ALLOWED;
  },
};
