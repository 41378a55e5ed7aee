/**
 * Golden-file tests of the pure render: each case in fixtures.ts must render exactly
 * testdata/<case>.nft (regenerate with UPDATE_GOLDEN=1 after checking the diff), plus the
 * properties the goldens are meant to show, asserted directly.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CASES, ep, slice, svc } from './fixtures.js';
import { renderRuleset } from './ruleset.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

describe('render golden files', () => {
  for (const [name, input] of Object.entries(CASES)) {
    it(name, () => {
      const { text } = renderRuleset(input);
      const file = join(dir, `${name}.nft`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, 'utf8'));
    });
  }
});

describe('render properties', () => {
  it('spreads evenly over ready endpoints only', () => {
    const { text } = renderRuleset(CASES['clusterip-spread']!);
    const spread = text.split('\n').find((l) => l.includes('numgen random'))!;
    assert.match(spread, /dnat ip to numgen random mod 3 map \{ 0 : 10\.42\.0\.5 \. 8080, 1 : 10\.42\.1\.7 \. 8080, 2 : 10\.42\.2\.9 \. 8080 \}/);
    assert.doesNotMatch(text, /10\.42\.0\.6/);
  });

  it('rejects Services without endpoints and drops Local traffic with no local endpoint', () => {
    const empty = renderRuleset(CASES['no-endpoints-reject']!).text;
    assert.match(empty, /10\.43\.0\.20 \. udp \. 53 : goto reject-chain/);
    assert.match(empty, /tcp \. 30021 : goto reject-chain/);
    const far = renderRuleset(CASES['local-policy-no-local-endpoints']!).text;
    assert.match(far, /10\.43\.0\.50 \. tcp \. 80 : drop/);
    assert.match(far, /tcp \. 30050 : drop/);
  });

  it('falls back to serving terminating endpoints and skips headless and ExternalName', () => {
    const { text } = renderRuleset(CASES['terminating-fallback-and-skipped-kinds']!);
    assert.match(text, /numgen random mod 1 map \{ 0 : 10\.42\.0\.11 \. 80 \}/);
    assert.doesNotMatch(text, /10\.42\.0\.12|10\.42\.0\.13|headless|alias/);
  });

  it('Local policy keeps the client address and uses local endpoints; affinity sets carry the timeout', () => {
    const r = renderRuleset(CASES['loadbalancer-local-affinity']!);
    const local = r.text.split('\tchain local-')[1]!.split('}\n')[0]!;
    assert.match(local, /mod 1 vmap/);
    assert.match(local, /10\.42\.0\.8/);
    assert.equal(r.affinitySets.size, 2);
    assert.match(r.text, /timeout 600s/);
  });

  it('loadBalancerSourceRanges guard LoadBalancer VIPs only, while the Service has endpoints', () => {
    const r = renderRuleset(CASES['loadbalancer-source-ranges']!);
    const fw = [...r.chains].filter(([name]) => name.startsWith('firewall-'));
    assert.equal(fw.length, 1);
    // IPv4 ranges only; a node address (192.168.50.10) in a range lets the VIP itself in.
    assert.deepEqual(fw[0]![1], ['ip saddr != { 192.168.50.0/24, 203.0.113.0/24, 192.168.60.10 } drop']);
    assert.deepEqual([...r.elements.get('firewall-ips')!], [`192.168.60.10 . tcp . 80 : goto ${fw[0]![0]}`]);
    // An ipMode Proxy ingress IP is not captured at all; externalIPs are not firewalled.
    assert.doesNotMatch(r.text, /192\.168\.60\.11|192\.168\.60\.12 \. tcp \. 80 : goto firewall/);
    assert.match(r.text, /192\.168\.60\.9 \. tcp \. 80 : goto external-/);
    assert.match(r.text, /192\.168\.60\.12 \. tcp \. 80 : goto reject-chain/);
  });

  it('internalTrafficPolicy Local: the ClusterIP takes the local chain, external traffic the cluster chain of every endpoint', () => {
    const base = CASES['nodeport-cluster-policy']!;
    const r = renderRuleset({ ...base, services: base.services.map((s) => ({ ...s, spec: { ...s.spec, internalTrafficPolicy: 'Local' as const } })) });
    assert.match(r.text, /10\.43\.0\.30 \. tcp \. 80 : goto local-/);
    const local = [...r.chains].find(([n]) => n.startsWith('local-'))![1];
    assert.deepEqual(local, ['ip daddr 10.43.0.30 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade', 'meta l4proto tcp dnat ip to numgen random mod 1 map { 0 : 10.42.0.3 . 8080 }']);
    const cluster = [...r.chains].find(([n]) => n.startsWith('service-'))![1];
    assert.deepEqual(cluster, ['meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.42.0.3 . 8080, 1 : 10.42.1.3 . 8080 }']);
  });

  it('Local policy falls back to serving terminating local endpoints; they do not count as healthy', () => {
    const r = renderRuleset({
      nodeName: 'node-a', nodeIPs: ['192.168.50.10'], clusterCidr: '10.42.0.0/16',
      services: [svc('drain', { type: 'LoadBalancer', clusterIP: '10.43.0.80', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] })],
      endpointSlices: [slice('drain', [{ name: '', port: 80, protocol: 'TCP' }], [
        ep('10.42.0.21', 'node-a', { ready: false, serving: true, terminating: true }), ep('10.42.1.21', 'node-b'),
      ])],
    });
    const chain = (prefix: string): string[] => [...r.chains].find(([n]) => n.startsWith(prefix))![1];
    assert.match(chain('local-').join('\n'), /mod 1 map \{ 0 : 10\.42\.0\.21 \. 80 \}/);
    assert.match(chain('service-').join('\n'), /mod 1 map \{ 0 : 10\.42\.1\.21 \. 80 \}/);
    assert.deepEqual(r.healthChecks.get('default/drain'), { port: 32000, localEndpoints: 0 });
  });

  it('hairpin: every endpoint may masquerade traffic it sends to itself', () => {
    const r = renderRuleset(CASES['clusterip-spread']!);
    assert.deepEqual([...r.elements.get('hairpin')!].sort(), ['10.42.0.5 . 10.42.0.5', '10.42.1.7 . 10.42.1.7', '10.42.2.9 . 10.42.2.9']);
    assert.match(r.text, /ct status dnat ip saddr \. ip daddr @hairpin masquerade/);
  });

  it('is deterministic whatever the input order', () => {
    const input = CASES['clusterip-spread']!;
    const reversed = { ...input, endpointSlices: input.endpointSlices.map((s) => ({ ...s, endpoints: [...s.endpoints].reverse() })) };
    assert.equal(renderRuleset(input).text, renderRuleset(reversed).text);
  });
});
