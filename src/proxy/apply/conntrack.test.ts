/**
 * Stale UDP flows and unanswered TCP attempts: which ones a change leaves (pure), and their removal
 * from a real conntrack table in a throwaway network namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { ProxyInput } from '../render/model.js';
import { ep, slice, svc } from '../render/fixtures.js';
import { renderRuleset } from '../render/ruleset.js';
import { netnsUnavailable, withNetns } from '../testing/netns.js';
import { eventually } from '../../testing/eventually.js';
import { NftApplier } from './applier.js';
import { clearStaleTcp, clearStaleUdp, flowPairs, staleTcp, staleUdp } from './conntrack.js';

/** A UDP NodePort Service: ClusterIP 10.43.0.53:53, NodePort 30053 on the node address 10.42.0.7. */
function dns(endpoints: string[]): ProxyInput {
  return {
    nodeName: 'n', nodeIPs: ['10.42.0.7'], clusterCidr: '10.42.0.0/16',
    services: [svc('dns', { type: 'NodePort', clusterIP: '10.43.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }] })],
    endpointSlices: [slice('dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }], endpoints.map((ip) => ep(ip, 'n')))],
  };
}

/** Two TCP Services: `live` (10.43.0.80) and `dead` (10.43.0.90), each with the endpoints given. */
function web(live: string[], dead: string[]): ProxyInput {
  const port = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
  return {
    nodeName: 'n', nodeIPs: [], clusterCidr: '10.42.0.0/16',
    services: [svc('live', { clusterIP: '10.43.0.80', ports: [{ name: 'http', port: 80 }] }), svc('dead', { clusterIP: '10.43.0.90', ports: [{ name: 'http', port: 80 }] })],
    endpointSlices: [slice('live', port, live.map((ip) => ep(ip, 'n'))), slice('dead', port, dead.map((ip) => ep(ip, 'n')))],
  };
}

/** In the netns: a server on 10.42.0.6:8080, one connection to it through 10.43.0.80 held open, one attempt at 10.43.0.90 from port 40124. */
const CONNECTIONS = `
const net = require('node:net');
net.createServer(() => undefined).listen(8080, '10.42.0.6', () => {
  const held = net.connect({ host: '10.43.0.80', port: 80 }, () => {
    net.connect({ host: '10.43.0.90', port: 80, localPort: 40124 }).on('error', () => undefined);
    console.log('connected');
  });
});
`;

describe('unanswered TCP attempts', () => {
  it('an endpoint removed leaves its frontend pairs, whatever happened to others', () => {
    assert.deepEqual(staleTcp(renderRuleset(web(['10.42.0.6'], ['10.42.9.9'])), renderRuleset(web(['10.42.0.6'], []))), [['10.43.0.90', '10.42.9.9']]);
    assert.deepEqual(staleTcp(undefined, renderRuleset(web([], []))), []);
    // UDP and TCP are told apart: a UDP endpoint's removal leaves no TCP pair.
    assert.deepEqual(staleTcp(renderRuleset(dns(['10.42.0.5'])), renderRuleset(dns([]))), []);
  });

  it('reads each listed flow as (original destination, reply source)', () => {
    const listing = [
      'tcp      6 117 SYN_SENT src=10.0.0.1 dst=10.43.0.90 sport=40124 dport=80 [UNREPLIED] src=10.42.9.9 dst=10.0.0.1 sport=8080 dport=40124 mark=0 use=1',
      'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.43.0.80 sport=5000 dport=80 src=10.42.0.6 dst=10.42.0.99 sport=8080 dport=5000 [ASSURED] mark=0 use=1',
      '',
    ].join('\n');
    assert.deepEqual([...flowPairs(listing)], ['10.43.0.90 10.42.9.9', '10.43.0.80 10.42.0.6']);
    assert.deepEqual([...flowPairs('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n')], []);
  });

  it('clears the never-answered attempt to a removed endpoint, not the answered connection', { skip: netnsUnavailable() }, async () => {
    await withNetns(async (ns) => {
      for (const ip of ['10.42.0.6/32', '10.42.0.99/32']) ns.exec('ip', ['addr', 'add', ip, 'dev', 'lo']);
      ns.exec('ip', ['route', 'add', '10.43.0.0/16', 'dev', 'lo', 'src', '10.42.0.99']);
      // The dead endpoint: frames leave by a veth whose other end takes no one's.
      ns.exec('ip', ['link', 'add', 'dead0', 'type', 'veth', 'peer', 'name', 'dead1']);
      for (const dev of ['dead0', 'dead1']) ns.exec('ip', ['link', 'set', dev, 'up']);
      ns.exec('ip', ['route', 'add', '10.42.9.9/32', 'dev', 'dead0']);
      ns.exec('ip', ['neigh', 'add', '10.42.9.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'dead0', 'nud', 'permanent']);
      const nft = new NftApplier({ netns: ns.name });
      const before = renderRuleset(web(['10.42.0.6'], ['10.42.9.9']));
      await nft.apply(before);
      const conns = ns.spawn(process.execPath, ['-e', CONNECTIONS]);
      try {
        await new Promise<void>((resolve, reject) => {
          conns.stdout!.on('data', (d: Buffer) => d.toString().includes('connected') && resolve());
          conns.once('exit', () => reject(new Error('the connections script exited')));
        });
        const flows = (): string => execFileSync('ip', ['netns', 'exec', ns.name, 'conntrack', '-L', '-p', 'tcp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        assert.match(flows(), /ESTABLISHED .*dst=10\.43\.0\.80 .*src=10\.42\.0\.6 /);
        // The attempt's SYN leaves as the script goes on: wait for its entry rather than race it.
        await eventually(() => /SYN_SENT .*dst=10\.43\.0\.90 .*sport=40124 .*src=10\.42\.9\.9 /.test(flows()), 'the attempt to the dead endpoint tracked');
        const after = renderRuleset(web([], []));
        await nft.apply(after);
        await clearStaleTcp(staleTcp(before, after), ns.name);
        assert.doesNotMatch(flows(), /dst=10\.43\.0\.90/);
        assert.match(flows(), /ESTABLISHED .*dst=10\.43\.0\.80 .*src=10\.42\.0\.6 /, 'the answered connection keeps its entry (graceful termination)');
      } finally {
        conns.kill('SIGKILL');
        await nft.remove();
      }
    });
  });
});

describe('stale UDP flows', () => {
  it('a removed endpoint and a Service that gained endpoints leave stale flows', () => {
    // Every frontend: the ClusterIP and port, and the NodePort on whichever node address.
    assert.deepEqual(staleUdp(renderRuleset(dns(['10.42.0.5', '10.42.0.6'])), renderRuleset(dns(['10.42.0.6']))), { frontends: [], pairs: [['10.43.0.53:53', '10.42.0.5'], [':30053', '10.42.0.5']] });
    assert.deepEqual(staleUdp(renderRuleset(dns([])), renderRuleset(dns(['10.42.0.6']))), { frontends: ['10.43.0.53:53', ':30053'], pairs: [] });
    assert.deepEqual(staleUdp(undefined, renderRuleset(dns(['10.42.0.6']))), { frontends: [], pairs: [] });
  });

  it('clears the conntrack entries of flows to a removed endpoint, through the ClusterIP and the NodePort', { skip: netnsUnavailable() }, async () => {
    await withNetns(async (ns) => {
      ns.exec('ip', ['addr', 'add', '10.42.0.5/32', 'dev', 'lo']);
      ns.exec('ip', ['addr', 'add', '10.42.0.7/32', 'dev', 'lo']);
      ns.exec('ip', ['route', 'add', '10.43.0.0/16', 'dev', 'lo']);
      const nft = new NftApplier({ netns: ns.name });
      const before = renderRuleset(dns(['10.42.0.5']));
      await nft.apply(before);
      // One datagram through the ClusterIP and one through the NodePort create NATed flows (nobody needs to answer).
      const send = (port: number, ip: string) => ns.exec(process.execPath, ['-e', `const s=require('node:dgram').createSocket('udp4');s.bind(0,'10.42.0.5',()=>s.send('x',${port},'${ip}',()=>s.close()))`]);
      send(53, '10.43.0.53');
      send(30053, '10.42.0.7');
      const flows = (): string => execFileSync('ip', ['netns', 'exec', ns.name, 'conntrack', '-L', '-p', 'udp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      assert.match(flows(), /dst=10\.43\.0\.53 .*src=10\.42\.0\.5 /);
      assert.match(flows(), /dst=10\.42\.0\.7 sport=\d+ dport=30053 .*src=10\.42\.0\.5 /);
      const after = renderRuleset(dns([]));
      await nft.apply(after);
      await clearStaleUdp(staleUdp(before, after), ns.name);
      assert.doesNotMatch(flows(), /dst=10\.43\.0\.53/);
      assert.doesNotMatch(flows(), /dport=30053/);
      await nft.remove();
    });
  });
});
