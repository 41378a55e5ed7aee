/**
 * Restricted checks, as upstream's check_allowPrivilegeEscalation.go,
 * check_capabilities_restricted.go, check_restrictedVolumes.go, check_runAsNonRoot.go,
 * check_runAsUser.go and check_seccompProfile_restricted.go (latest versions).
 */
import { ALLOWED, containersPhrase, forbid, joinQuote, scanProfiles, setters, sortedSet, visitContainers, type Check } from './check-types.js';

export const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation', level: 'restricted', minVersion: 8,
  check(_meta, spec) {
    const bad: string[] = [];
    visitContainers(spec, (c) => { if (c.securityContext?.allowPrivilegeEscalation !== false) bad.push(c.name); });
    return bad.length ? forbid('allowPrivilegeEscalation != false', `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`) : ALLOWED;
  },
};

export const capabilitiesRestricted: Check = {
  id: 'capabilities_restricted', level: 'restricted', minVersion: 22,
  check(_meta, spec) {
    const missingDrop: string[] = [];
    const adding: string[] = [];
    const caps = new Set<string>();
    visitContainers(spec, (c) => {
      const cap = c.securityContext?.capabilities;
      if (!cap) { missingDrop.push(c.name); return; }
      if (!(cap.drop ?? []).includes('ALL')) missingDrop.push(c.name);
      const extra = (cap.add ?? []).filter((x) => x !== 'NET_BIND_SERVICE');
      for (const x of extra) caps.add(x);
      if (extra.length) adding.push(c.name);
    });
    const details: string[] = [];
    if (missingDrop.length) details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (adding.length) details.push(`${containersPhrase(adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
    return details.length ? forbid('unrestricted capabilities', details.join('; ')) : ALLOWED;
  },
};

const ALLOWED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

export const restrictedVolumes: Check = {
  id: 'restrictedVolumes', level: 'restricted', minVersion: 0,
  check(_meta, spec) {
    const names = sortedSet((spec.volumes ?? [])
      .filter((v) => !ALLOWED_VOLUME_SOURCES.some((k) => (v as Record<string, unknown>)[k] != null))
      .map((v) => v.name));
    // Go's %q of a []string: ["a" "b"].
    return names.length ? forbid('restricted volume types', `volumes [${names.map((n) => JSON.stringify(n)).join(' ')}] have restricted types`) : ALLOWED;
  },
};

export const runAsNonRoot: Check = {
  id: 'runAsNonRoot', level: 'restricted', minVersion: 0,
  check(_meta, spec) {
    const podValue = spec.securityContext?.runAsNonRoot;
    const explicit: string[] = [];
    const implicit: string[] = [];
    visitContainers(spec, (c) => {
      const v = c.securityContext?.runAsNonRoot;
      if (v === false) explicit.push(c.name);
      else if (v === undefined && podValue !== true) implicit.push(c.name);
    });
    const who = setters(podValue === false, explicit);
    if (who.length) return forbid('runAsNonRoot != true', `${who.join(' and ')} must not set securityContext.runAsNonRoot=false`);
    if (implicit.length) return forbid('runAsNonRoot != true', `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
    return ALLOWED;
  },
};

export const runAsUser: Check = {
  id: 'runAsUser', level: 'restricted', minVersion: 23,
  check(_meta, spec) {
    const bad: string[] = [];
    visitContainers(spec, (c) => { if (c.securityContext?.runAsUser === 0) bad.push(c.name); });
    const who = setters(spec.securityContext?.runAsUser === 0, bad);
    return who.length ? forbid('runAsUser=0', `${who.join(' and ')} must not set runAsUser=0`) : ALLOWED;
  },
};

export const seccompProfileRestricted: Check = {
  id: 'seccompProfile_restricted', level: 'restricted', minVersion: 19,
  check(_meta, spec) {
    const { podBad, podSet, bad: explicit, unset, values } = scanProfiles(spec, 'seccompProfile');
    const implicit = podSet ? [] : unset;
    const who = setters(podBad, explicit);
    if (who.length) return forbid('seccompProfile', `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`);
    if (implicit.length) return forbid('seccompProfile', `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
    return ALLOWED;
  },
};
