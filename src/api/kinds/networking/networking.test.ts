/**
 * networking.k8s.io/v1 validation and defaults beyond what kubectl-networking.test.ts drives, worded
 * as upstream v1.32 (pkg/apis/networking/validation/validation.go, pkg/apis/networking/v1/defaults.go,
 * apimachinery's IsWildcardDNS1123Subdomain and IsDomainPrefixedPath).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceDefinition } from '../../resource.js';
import { ingressClasses } from './ingress-class.js';
import { ingresses } from './ingress.js';
import { networkPolicies, type NetworkPolicy } from './network-policy.js';

function check(def: ResourceDefinition, kind: string, body: Record<string, unknown>, namespaced = true): string[] {
  const obj = { apiVersion: 'networking.k8s.io/v1', kind, metadata: { name: 'x', ...(namespaced ? { namespace: 'default' } : {}) }, ...body };
  def.applyDefaults(obj);
  return def.validate(obj).map((e) => `${e.field}: ${e.detail}`);
}
const ing = (spec: Record<string, unknown>) => check(ingresses, 'Ingress', { spec });
const svc = (port: Record<string, unknown>, name = 'web') => ({ service: { name, port } });
const np = (spec: Record<string, unknown>) => check(networkPolicies, 'NetworkPolicy', { spec });
const ic = (spec: Record<string, unknown>) => check(ingressClasses, 'IngressClass', { spec }, false);

test('Ingress backends, paths, hosts and TLS as validateIngressSpec', () => {
  assert.deepEqual(ing({ defaultBackend: svc({ number: 80 }) }), []);
  assert.deepEqual(ing({ defaultBackend: svc({ number: 80 }, '1web') }), ['spec.defaultBackend.service.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')']);
  assert.deepEqual(ing({ defaultBackend: svc({ number: 70000 }) }), ['spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive']);
  assert.deepEqual(ing({ defaultBackend: svc({ name: 'HTTP' }) }), ['spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain at least one letter (a-z)']);
  assert.deepEqual(ing({ defaultBackend: { resource: { kind: 'Bucket', name: 'a/b', apiGroup: 'storage.example.com' } } }), ['spec.defaultBackend.resource.name: Invalid value: "a/b": may not contain \'/\'']);
  assert.deepEqual(ing({ defaultBackend: {} }), ['spec.defaultBackend: Invalid value: "": resource or service backend is required']);
  const p = (path: string, pathType: string) => ing({ rules: [{ http: { paths: [{ path, pathType, backend: svc({ number: 80 }) }] } }] });
  assert.deepEqual(p('/a//b', 'Exact'), ['spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain \'//\'']);
  assert.deepEqual(p('/a/..', 'Prefix'), ['spec.rules[0].http.paths[0].path: Invalid value: "/a/..": cannot end with \'/..\'']);
  assert.deepEqual(p('', 'ImplementationSpecific'), []);
  assert.deepEqual(p('a', 'ImplementationSpecific'), ['spec.rules[0].http.paths[0].path: Invalid value: "a": must be an absolute path']);
  assert.deepEqual(ing({ rules: [{ host: 'x.example.com', http: { paths: [] } }] }), ['spec.rules[0].http.paths: Required value']);
  assert.deepEqual(ing({ rules: [{ host: '*' }] }), ['spec.rules[0].host: Invalid value: "*": a wildcard DNS-1123 subdomain must start with \'*.\', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, \'-\' or \'.\' and end with an alphanumeric character (e.g. \'*.example.com\', regex used for validation is \'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')']);
  assert.deepEqual(ing({ defaultBackend: svc({ number: 80 }), tls: [{ hosts: ['*.example.com', 'Bad.com'], secretName: 'tls_cert' }], ingressClassName: 'Nginx' }).map((e) => e.slice(0, e.indexOf(': a '))), [
    'spec.tls[0].hosts[1]: Invalid value: "Bad.com"', 'spec.tls[0].secretName: Invalid value: "tls_cert"', 'spec.ingressClassName: Invalid value: "Nginx"',
  ]);
});

test('NetworkPolicy defaults (policyTypes by egress rules, protocol TCP) and peer, port and ipBlock checks', () => {
  const obj: NetworkPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'd' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'dns' }] }] } };
  networkPolicies.applyDefaults(obj);
  assert.deepEqual(obj.spec, { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'dns', protocol: 'TCP' }] }] }, 'explicit policyTypes are kept');
  const bare: NetworkPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'd' } };
  networkPolicies.applyDefaults(bare);
  assert.deepEqual(bare.spec, { podSelector: {}, policyTypes: ['Ingress'] }, 'spec and podSelector are Go structs upstream: absent means empty');
  assert.deepEqual(np({ podSelector: {}, ingress: [{ from: [{}] }] }), ['spec.ingress[0].from[0]: Required value: must specify a peer']);
  assert.deepEqual(np({ podSelector: {}, egress: [{ to: [{ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] }), ['spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer']);
  assert.deepEqual(np({ podSelector: {}, egress: [{ to: [{ podSelector: {}, namespaceSelector: {} }] }] }), []);
  assert.deepEqual(np({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }), ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": not a valid CIDR']);
  assert.deepEqual(np({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }] }] }), ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`']);
  assert.deepEqual(np({ podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }, { endPort: 90 }, { port: 0 }] }] }), [
    'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
    'spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is not specified',
    'spec.ingress[0].ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(np({ podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] }), ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']);
  assert.deepEqual(np({ podSelector: {}, policyTypes: ['Both'] }), ['spec.policyTypes[0]: Unsupported value: "Both": supported values: "Ingress", "Egress"']);
});

test('IngressClass controller (domain-prefixed path) and parameters reference', () => {
  assert.deepEqual(ic({ controller: 'Example.com/x' }), ['spec.controller: Invalid value: "Example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')']);
  assert.deepEqual(ic({ controller: 'example.com/a b' }), ['spec.controller: Invalid value: "a b": Invalid path (regex used for validation is \'[A-Za-z0-9/\\-._~%!$&\'()*+,;=:]+\')']);
  assert.deepEqual(ic({ controller: `example.com/${'a'.repeat(250)}` })[0], 'spec.controller: Too long: may not be more than 250 bytes');
  const params = (p: Record<string, unknown>) => ic({ controller: 'example.com/c', parameters: { kind: 'P', name: 'p', ...p } });
  assert.deepEqual(params({}), []);
  assert.deepEqual(params({ scope: 'Namespace' }), ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]);
  assert.deepEqual(params({ namespace: 'ns' }), ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"]);
  assert.deepEqual(params({ scope: 'Global' }), ['spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"']);
});
