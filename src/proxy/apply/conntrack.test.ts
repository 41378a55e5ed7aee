/**
 * Stale UDP flows: which ones a change leaves (pure), and their removal from a real conntrack table
 * in a throwaway network namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ProxyInput } from '../render/model.js';
import { ep, slice, svc } from '../render/fixtures.js';
import { renderRuleset } from '../render/ruleset.js';
import { netnsUnavailable, withNetns } from '../testing/netns.js';
import { NftApplier } from './applier.js';
import { clearStaleUdp, staleUdp } from './conntrack.js';

function dns(endpoints: string[]): ProxyInput {
  return {
    nodeName: 'n', nodeIPs: [], clusterCidr: '10.42.0.0/16',
    services: [svc('dns', { clusterIP: '10.43.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] })],
    endpointSlices: [slice('dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }], endpoints.map((ip) => ep(ip, 'n')))],
  };
}

describe('stale UDP flows', () => {
  it('a removed endpoint and a Service that gained endpoints leave stale flows', () => {
    assert.deepEqual(staleUdp(renderRuleset(dns(['10.42.0.5', '10.42.0.6'])), renderRuleset(dns(['10.42.0.6']))), { frontends: [], pairs: [['10.43.0.53', '10.42.0.5']] });
    assert.deepEqual(staleUdp(renderRuleset(dns([])), renderRuleset(dns(['10.42.0.6']))), { frontends: ['10.43.0.53'], pairs: [] });
    assert.deepEqual(staleUdp(undefined, renderRuleset(dns(['10.42.0.6']))), { frontends: [], pairs: [] });
  });

  it('clears the conntrack entry of a flow to a removed endpoint', { skip: netnsUnavailable() }, async () => {
    await withNetns(async (ns) => {
      ns.exec('ip', ['addr', 'add', '10.42.0.5/32', 'dev', 'lo']);
      ns.exec('ip', ['route', 'add', '10.43.0.0/16', 'dev', 'lo']);
      const nft = new NftApplier({ netns: ns.name });
      const before = renderRuleset(dns(['10.42.0.5']));
      await nft.apply(before);
      // One datagram through the ClusterIP creates a NATed flow (nobody needs to answer).
      ns.exec(process.execPath, ['-e', "const s=require('node:dgram').createSocket('udp4');s.bind(40000,'10.42.0.5',()=>s.send('x',53,'10.43.0.53',()=>s.close()))"]);
      const flows = (): string => execFileSync('ip', ['netns', 'exec', ns.name, 'conntrack', '-L', '-p', 'udp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      assert.match(flows(), /dst=10\.43\.0\.53 .*src=10\.42\.0\.5 /);
      const after = renderRuleset(dns([]));
      await nft.apply(after);
      await clearStaleUdp(staleUdp(before, after), ns.name);
      assert.doesNotMatch(flows(), /dst=10\.43\.0\.53/);
      await nft.remove();
    });
  });
});
