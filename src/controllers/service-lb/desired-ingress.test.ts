import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../../api/kinds/core/node.js';
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { expandPool, nodeIngress, poolIngress, servedByServiceLb } from './desired-ingress.js';

const node = (name: string, ready: boolean, addrs: [string, string][]): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], addresses: addrs.map(([type, address]) => ({ type, address })) },
});
const svc = (spec: Partial<NonNullable<Service['spec']>>, ingress?: string[]): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default', uid: 'u1' },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec },
  ...(ingress ? { status: { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } } } : {}),
});
const slice = (eps: [string, boolean][]): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's-x', namespace: 'default' }, addressType: 'IPv4',
  endpoints: eps.map(([nodeName, ready], i) => ({ addresses: [`10.1.0.${i + 1}`], nodeName, conditions: { ready } })),
});

const nodes = [
  node('a', true, [['InternalIP', '192.168.0.12'], ['Hostname', 'a']]),
  node('b', true, [['InternalIP', '192.168.0.11'], ['ExternalIP', '203.0.113.5']]),
  node('c', false, [['InternalIP', '192.168.0.13']]),
  node('d', true, [['InternalIP', 'fd00::4']]),
];

test('servedByServiceLb: type LoadBalancer without a class, or with ours', () => {
  const cases: [Partial<NonNullable<Service['spec']>>, boolean][] = [
    [{}, true],
    [{ loadBalancerClass: 'bosun.io/service-lb' }, true],
    [{ loadBalancerClass: 'example.com/other' }, false],
    [{ type: 'NodePort' }, false],
    [{ type: 'ClusterIP' }, false],
  ];
  for (const [spec, want] of cases) assert.equal(servedByServiceLb(svc(spec)), want, JSON.stringify(spec));
});

test('nodeIngress: Ready nodes, ExternalIP before InternalIP, IPv4 only, sorted', () => {
  assert.deepEqual(nodeIngress(svc({}), nodes, []), [{ ip: '192.168.0.12' }, { ip: '203.0.113.5' }]);
});

test('nodeIngress with externalTrafficPolicy Local: only Ready nodes with a ready endpoint', () => {
  const local = svc({ externalTrafficPolicy: 'Local' });
  assert.deepEqual(nodeIngress(local, nodes, [slice([['a', true], ['b', false], ['c', true]])]), [{ ip: '192.168.0.12' }]);
  assert.deepEqual(nodeIngress(local, nodes, []), []);
});

test('expandPool: addresses, ranges and CIDRs; malformed entries throw', () => {
  assert.deepEqual(expandPool(['10.0.0.1', '10.0.0.5-10.0.0.6, 10.0.1.0/31']), ['10.0.0.1', '10.0.0.5', '10.0.0.6', '10.0.1.0', '10.0.1.1']);
  assert.deepEqual(expandPool([]), []);
  for (const bad of ['10.0.0.256', '10.0.0.9-10.0.0.1', '10.0.0.0/8', 'x']) assert.throws(() => expandPool([bad]), bad);
});

test('poolIngress: keeps the current address, honours loadBalancerIP, skips taken ones, may run out', () => {
  const pool = ['10.9.0.1', '10.9.0.2', '10.9.0.3'];
  const cases: [string, Service, string[], string[]][] = [
    ['first free', svc({}), ['10.9.0.1'], ['10.9.0.2']],
    ['keeps its own', svc({}, ['10.9.0.3']), [], ['10.9.0.3']],
    ['loses a current address outside the pool', svc({}, ['10.8.0.1']), [], ['10.9.0.1']],
    ['requested and free', svc({ loadBalancerIP: '10.9.0.2' }), [], ['10.9.0.2']],
    ['requested but taken', svc({ loadBalancerIP: '10.9.0.2' }), ['10.9.0.2'], []],
    ['requested outside the pool', svc({ loadBalancerIP: '10.8.0.1' }), [], []],
    ['exhausted', svc({}), pool, []],
  ];
  for (const [name, s, taken, want] of cases) assert.deepEqual(poolIngress(s, pool, new Set(taken)).map((i) => i.ip), want, name);
});
