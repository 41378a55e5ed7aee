/** ValidateService and ValidateServiceUpdate (pkg/apis/core/validation), the commonly hit rules. */
import { isIP } from 'node:net';
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
  if (spec.clusterIP && spec.clusterIP !== 'None' && !isIP(spec.clusterIP)) {
    errs.push(fe.invalid('spec.clusterIP', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(fe.invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (!isIP(ip)) errs.push(fe.invalid(index('spec.externalIPs', i), ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
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
