/**
 * ValidateIngressSpec and ValidateIngressLoadBalancerStatus as upstream v1.32
 * (pkg/apis/networking/validation/validation.go), with its messages and field paths: rules or a
 * default backend, hosts (DNS-1123 subdomains, a leading `*.` wildcard allowed, no IPs), paths by
 * pathType, backends (exactly one of service and resource; a service port by name xor number), TLS
 * hosts and secret names, ingressClassName. The create-only check of the legacy class annotation
 * against spec.ingressClassName is the ingress strategy's.
 */
import { parseIP } from '../../net/ip.js';
import { INVALID_IP, isValidPort, PORT_RANGE } from '../../net/validation.js';
import { child, fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortName } from '../meta/names.js';
import { pathSegmentNameErrors } from '../rbac/policy-rule.js';
import type { Ingress, IngressSpec } from './ingress.js';

type Backend = NonNullable<IngressSpec['defaultBackend']>;
type Rule = NonNullable<IngressSpec['rules']>[number];
type Path = NonNullable<Rule['http']>['paths'][number];

const DNS1123_SUBDOMAIN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const WILDCARD_FMT = `\\*\\.${DNS1123_SUBDOMAIN}`;
const wildcardRe = new RegExp(`^${WILDCARD_FMT}$`);
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** validation.IsWildcardDNS1123Subdomain. */
export function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!wildcardRe.test(v)) {
    errs.push(`a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${WILDCARD_FMT}')`);
  }
  return errs;
}

/** A host of a rule or a TLS entry: wildcard or plain DNS subdomain. */
function hostErrors(host: string, path: string): FieldError[] {
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => fe.invalid(path, host, m));
}

/** validateIngressBackend. */
export function validateIngressBackend(backend: Backend, path: string): FieldError[] {
  if (backend.resource && backend.service) return [fe.invalid(path, '', 'cannot set both resource and service backends')];
  const errs: FieldError[] = [];
  if (backend.resource) {
    const r = backend.resource;
    const rp = child(path, 'resource');
    if (r.apiGroup !== undefined) for (const m of isDNS1123Subdomain(r.apiGroup)) errs.push(fe.invalid(child(rp, 'apiGroup'), r.apiGroup, m));
    for (const m of pathSegmentNameErrors(r.kind)) errs.push(fe.invalid(child(rp, 'kind'), r.kind, m));
    for (const m of pathSegmentNameErrors(r.name)) errs.push(fe.invalid(child(rp, 'name'), r.name, m));
    return errs;
  }
  if (!backend.service) return [fe.invalid(path, '', 'resource or service backend is required')];
  const svc = backend.service;
  // ValidateServiceName is NameIsDNS1035Label in v1.32.
  for (const m of isDNS1035Label(svc.name)) errs.push(fe.invalid(`${path}.service.name`, svc.name, m));
  const name = svc.port?.name ?? '';
  const num = svc.port?.number ?? 0;
  if (name && num) errs.push(fe.invalid(path, '', 'cannot set both port name & port number'));
  else if (name) for (const m of isValidPortName(name)) errs.push(fe.invalid(`${path}.service.port.name`, name, m));
  else if (num) { if (!isValidPort(num)) errs.push(fe.invalid(`${path}.service.port.number`, num, PORT_RANGE)); }
  else errs.push(fe.required(path, 'port name or number is required'));
  return errs;
}

/** validateHTTPIngressPath. */
function validatePath(p: Path, path: string): FieldError[] {
  if (p.pathType === undefined) return [fe.required(child(path, 'pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  const pp = child(path, 'path');
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(fe.invalid(pp, value, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(fe.invalid(pp, value, `must not contain '${seq}'`));
    for (const suf of INVALID_PATH_SUFFIXES) if (value.endsWith(suf)) errs.push(fe.invalid(pp, value, `cannot end with '${suf}'`));
  } else if (value.length > 0 && !value.startsWith('/')) {
    errs.push(fe.invalid(pp, value, 'must be an absolute path'));
  }
  errs.push(...validateIngressBackend(p.backend, child(path, 'backend')));
  return errs;
}

/** validateIngressRules: hosts (no IPs), then each rule's http paths. */
function validateRule(rule: Rule, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const host = rule.host ?? '';
  if (host) {
    if (parseIP(host)) errs.push(fe.invalid(child(path, 'host'), host, 'must be a DNS name, not an IP address'));
    errs.push(...hostErrors(host, child(path, 'host')));
  }
  if (rule.http) {
    const hp = child(path, 'http');
    if (rule.http.paths.length === 0) errs.push(fe.required(child(hp, 'paths')));
    rule.http.paths.forEach((p, i) => errs.push(...validatePath(p, index(child(hp, 'paths'), i))));
  }
  return errs;
}

/** ValidateIngressSpec plus the status's load-balancer points (ValidateIngressLoadBalancerStatus). */
export function validateIngress(ing: Ingress): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) errs.push(fe.invalid('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => errs.push(...validateRule(r, index('spec.rules', i))));
  (spec.tls ?? []).forEach((tls, i) => {
    const tp = index('spec.tls', i);
    (tls.hosts ?? []).forEach((h, j) => errs.push(...hostErrors(h, index(child(tp, 'hosts'), j))));
    if (tls.secretName) for (const m of isDNS1123Subdomain(tls.secretName)) errs.push(fe.invalid(child(tp, 'secretName'), tls.secretName, m));
  });
  if (spec.ingressClassName !== undefined) for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(fe.invalid('spec.ingressClassName', spec.ingressClassName, m));
  (ing.status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const lp = index('status.loadBalancer.ingress', i);
    if (lb.ip && !parseIP(lb.ip)) errs.push(fe.invalid(child(lp, 'ip'), lb.ip, INVALID_IP));
    if (lb.hostname) {
      for (const m of isDNS1123Subdomain(lb.hostname)) errs.push(fe.invalid(child(lp, 'hostname'), lb.hostname, m));
      if (parseIP(lb.hostname)) errs.push(fe.invalid(child(lp, 'hostname'), lb.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
