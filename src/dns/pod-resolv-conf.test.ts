/** podResolvConf by dnsPolicy and dnsConfig (table-driven; expectations follow kubelet's dns.go). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../api/kinds/core/pod.js';
import { podResolvConf } from './pod-resolv-conf.js';

const host = { nameservers: ['192.168.1.1'], search: ['corp.example'], options: ['timeout:2'] };
const pod = (spec: Record<string, unknown>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [], ...spec } } as unknown as Pod);

describe('pod resolv.conf', () => {
  const cases: { name: string; spec: Record<string, unknown>; want: string }[] = [
    { name: 'ClusterFirst (default)', spec: {}, want: 'nameserver 10.43.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n' },
    { name: 'ClusterFirst with hostNetwork falls back to Default', spec: { hostNetwork: true }, want: 'nameserver 192.168.1.1\nsearch corp.example\noptions timeout:2\n' },
    { name: 'ClusterFirstWithHostNet', spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, want: 'nameserver 10.43.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n' },
    { name: 'Default', spec: { dnsPolicy: 'Default' }, want: 'nameserver 192.168.1.1\nsearch corp.example\noptions timeout:2\n' },
    {
      name: 'None with dnsConfig', spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
      want: 'nameserver 1.1.1.1\nsearch a.example\noptions ndots:2 edns0\n',
    },
    {
      name: 'ClusterFirst with dnsConfig merged', spec: { dnsConfig: { nameservers: ['10.43.0.10', '9.9.9.9'], options: [{ name: 'ndots', value: '1' }] } },
      want: 'nameserver 10.43.0.10\nnameserver 9.9.9.9\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:1\n',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(podResolvConf(pod(c.spec), { clusterDns: '10.43.0.10', host }), c.want));
});
