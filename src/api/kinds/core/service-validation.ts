/** ValidateService and ValidateServiceUpdate (pkg/apis/core/validation), the commonly hit rules. */
import { parseIP } from '../../net/ip.js';
import { INVALID_IP, validateCIDR, validateIP, validateNonSpecialIP } from '../../net/validation.js';
import { child, fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName } from '../meta/names.js';
import { validateLabels } from '../meta/validation.js';
import type { Service } from './service.js';

export function validateService(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const ports = spec.ports ?? [];
  if (type !== 'ExternalName' && ports.length === 0 && spec.clusterIP !== 'None') errs.push(fe.required('spec.ports'));
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(fe.required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(spec.externalName)) errs.push(fe.invalid('spec.externalName', spec.externalName, m));
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const path = index('spec.ports', i);
    if (ports.length > 1 && !p.name) errs.push(fe.required(child(path, 'name')));
    if (p.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(fe.invalid(child(path, 'name'), p.name, m));
      if (names.has(p.name)) errs.push(fe.duplicate(child(path, 'name'), p.name));
      names.add(p.name);
    }
    if (p.port < 1 || p.port > 65535) errs.push(fe.invalid(child(path, 'port'), p.port, 'must be between 1 and 65535, inclusive'));
    const key = `${p.port}/${p.protocol ?? 'TCP'}`;
    if (keys.has(key)) errs.push(fe.duplicate(index('spec.ports', i), { port: p.port, protocol: p.protocol ?? 'TCP' }));
    keys.add(key);
    if (typeof p.targetPort === 'number' && (p.targetPort < 1 || p.targetPort > 65535)) {
      errs.push(fe.invalid(child(path, 'targetPort'), p.targetPort, 'must be between 1 and 65535, inclusive'));
    } else if (typeof p.targetPort === 'string') {
      for (const m of isValidPortName(p.targetPort)) errs.push(fe.invalid(child(path, 'targetPort'), p.targetPort, m));
    }
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP') errs.push(fe.forbidden(child(path, 'nodePort'), 'may not be used when `type` is \'ClusterIP\''));
      else if (p.nodePort < 1 || p.nodePort > 65535) errs.push(fe.invalid(child(path, 'nodePort'), p.nodePort, 'must be between 1 and 65535, inclusive'));
    }
  });
  errs.push(...validateServiceAddresses(svc));
  if (type !== 'ExternalName') errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.externalTrafficPolicy && type !== 'NodePort' && type !== 'LoadBalancer') {
    errs.push(fe.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  }
  return errs;
}

/** clusterIP may not change (except to or from ExternalName), nor may it be cleared. */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const prev = old.spec ?? {};
  if (spec.type !== 'ExternalName' && prev.type !== 'ExternalName') {
    if (prev.clusterIP && spec.clusterIP !== prev.clusterIP) errs.push(fe.invalid('spec.clusterIPs[0]', spec.clusterIP ?? '', 'may not change once set'));
  }
  return errs;
}

/**
 * Every address and number of a Service that reaches a node's ruleset (ValidateService and
 * ValidateServiceStatusUpdate, 1.32): clusterIP(s), externalIPs, loadBalancerIP,
 * loadBalancerSourceRanges, ClientIP affinity timeout, status.loadBalancer.ingress.
 */
function validateServiceAddresses(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (spec.clusterIP && spec.clusterIP !== 'None') errs.push(...validateIP('spec.clusterIP', spec.clusterIP));
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(fe.invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  const ips = spec.clusterIPs ?? [];
  if (ips.length > 2) errs.push(fe.invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') return;
    if (!parseIP(ip)) errs.push(fe.invalid(index('spec.clusterIPs', i), ip, INVALID_IP));
  });
  if (ips.length === 2 && parseIP(ips[0]) && parseIP(ips[1]) && parseIP(ips[0])!.family === parseIP(ips[1])!.family) {
    errs.push(fe.invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const path = index('spec.externalIPs', i);
    const bad = validateIP(path, ip);
    errs.push(...(bad.length ? bad : validateNonSpecialIP(path, ip)));
  });
  if (spec.loadBalancerIP) {
    if (type !== 'LoadBalancer') errs.push(fe.forbidden('spec.loadBalancerIP', 'may only be used when `type` is \'LoadBalancer\''));
    else errs.push(...validateIP('spec.loadBalancerIP', spec.loadBalancerIP));
  }
  (spec.loadBalancerSourceRanges ?? []).forEach((r, i) => errs.push(...validateCIDR(index('spec.loadBalancerSourceRanges', i), r.trim())));
  // validateClientIPAffinityConfig (after SetDefaults_Service filled in the timeout).
  const timeout = (spec.sessionAffinityConfig as { clientIP?: { timeoutSeconds?: unknown } } | undefined)?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 && timeout <= 86400)) {
    errs.push(fe.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout ?? null, 'must be greater than 0 and less than 86400'));
  }
  if (spec.sessionAffinity !== 'ClientIP' && spec.sessionAffinityConfig !== undefined) {
    errs.push(fe.forbidden('spec.sessionAffinityConfig', `must not be set when session affinity is ${spec.sessionAffinity ?? 'None'}`));
  }
  (svc.status?.loadBalancer?.ingress ?? []).forEach((ing, i) => {
    const path = index('status.loadBalancer.ingress', i);
    if (ing.ip) errs.push(...validateIP(`${path}.ip`, ing.ip));
    if (ing.hostname) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(fe.invalid(`${path}.hostname`, ing.hostname, m));
      if (parseIP(ing.hostname)) errs.push(fe.invalid(`${path}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
