/**
 * Stale UDP flows and unanswered TCP attempts: which ones a change leaves (pure), and their removal
 * from a real conntrack table in a throwaway network namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ProxyInput } from '../render/model.js';
import { ep, slice, svc } from '../render/fixtures.js';
import { renderRuleset } from '../render/ruleset.js';
import { netnsUnavailable, withNetns } from '../testing/netns.js';
import { eventually } from '../../testing/eventually.js';
import { jsonLogger } from '../../controller-runtime/log.js';
import { NftApplier } from './applier.js';
import { clearStaleTcp, clearStaleUdp, conntrackCleaner, flowPairs, staleTcp, staleUdp } from './conntrack.js';

/** A UDP NodePort Service: ClusterIP 10.43.0.53:53, NodePort 30053 on the node address 10.42.0.7. */
function dns(endpoints: string[]): ProxyInput {
  return {
    nodeName: 'n', nodeIPs: ['10.42.0.7'], clusterCidr: '10.42.0.0/16',
    services: [svc('dns', { type: 'NodePort', clusterIP: '10.43.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }] })],
    endpointSlices: [slice('dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }], endpoints.map((ip) => ep(ip, 'n')))],
  };
}

/**
 * Two TCP Services: `live` (10.43.0.80) and `dead`, each with the endpoints given; `dead` is a
 * LoadBalancer: ClusterIP 10.43.0.90, externalIP 10.44.0.90, ingress 10.44.0.91, NodePort 30090 on
 * the node address 10.42.0.99.
 */
function web(live: string[], dead: string[]): ProxyInput {
  const port = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
  return {
    nodeName: 'n', nodeIPs: ['10.42.0.99'], clusterCidr: '10.42.0.0/16',
    services: [
      svc('live', { clusterIP: '10.43.0.80', ports: [{ name: 'http', port: 80 }] }),
      svc('dead', { type: 'LoadBalancer', clusterIP: '10.43.0.90', externalIPs: ['10.44.0.90'], ports: [{ name: 'http', port: 80, nodePort: 30090 }] }, { loadBalancer: { ingress: [{ ip: '10.44.0.91' }] } }),
    ],
    endpointSlices: [slice('live', port, live.map((ip) => ep(ip, 'n'))), slice('dead', port, dead.map((ip) => ep(ip, 'n')))],
  };
}

/**
 * In the netns: a server on 10.42.0.6:8080, one connection to it through 10.43.0.80 held open, and
 * an attempt at each frontend of `dead`: ClusterIP from port 40124, externalIP 40125, LoadBalancer
 * IP 40126, NodePort 40127.
 */
const CONNECTIONS = `
const net = require('node:net');
net.createServer(() => undefined).listen(8080, '10.42.0.6', () => {
  const held = net.connect({ host: '10.43.0.80', port: 80 }, () => {
    const attempts = [['10.43.0.90', 80, 40124], ['10.44.0.90', 80, 40125], ['10.44.0.91', 80, 40126], ['10.42.0.99', 30090, 40127]];
    for (const [host, port, localPort] of attempts) net.connect({ host, port, localPort }).on('error', () => undefined);
    console.log('connected');
  });
});
`;

describe('unanswered TCP attempts', () => {
  it('an endpoint removed leaves its frontend pairs, whatever happened to others', () => {
    // Every frontend: the ClusterIP, externalIP and LoadBalancer IP, and the NodePort on whichever node address.
    assert.deepEqual(staleTcp(renderRuleset(web(['10.42.0.6'], ['10.42.9.9'])), renderRuleset(web(['10.42.0.6'], []))),
      [['10.43.0.90', '10.42.9.9'], ['10.44.0.90', '10.42.9.9'], ['10.44.0.91', '10.42.9.9'], [':30090', '10.42.9.9']]);
    assert.deepEqual(staleTcp(undefined, renderRuleset(web([], []))), []);
    assert.deepEqual(staleTcp(renderRuleset(web(['10.42.0.6'], ['10.42.9.9'])), renderRuleset(web([], ['10.42.9.9']))), [['10.43.0.80', '10.42.0.6']]);
    // UDP and TCP are told apart: a UDP endpoint's removal leaves no TCP pair.
    assert.deepEqual(staleTcp(renderRuleset(dns(['10.42.0.5'])), renderRuleset(dns([]))), []);
  });

  it('reads each listed flow as (original destination IP or :port, reply source)', () => {
    const listing = [
      'tcp      6 117 SYN_SENT src=10.0.0.1 dst=10.43.0.90 sport=40124 dport=80 [UNREPLIED] src=10.42.9.9 dst=10.0.0.1 sport=8080 dport=40124 mark=0 use=1',
      'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.43.0.80 sport=5000 dport=80 src=10.42.0.6 dst=10.42.0.99 sport=8080 dport=5000 [ASSURED] mark=0 use=1',
      'tcp      6 119 SYN_SENT src=10.0.0.1 dst=192.168.1.5 sport=40127 dport=30090 [UNREPLIED] src=10.42.9.9 dst=10.42.9.1 sport=8080 dport=61234 mark=0 use=1',
      '',
    ].join('\n');
    assert.deepEqual([...flowPairs(listing)], [
      '10.43.0.90 10.42.9.9', ':80 10.42.9.9', '10.43.0.80 10.42.0.6', ':80 10.42.0.6', '192.168.1.5 10.42.9.9', ':30090 10.42.9.9',
    ]);
    assert.deepEqual([...flowPairs('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n')], []);
  });

  it('clears the never-answered attempts to a removed endpoint through every frontend, not the answered connection', { skip: netnsUnavailable() }, async () => {
    await withNetns(async (ns) => {
      for (const ip of ['10.42.0.6/32', '10.42.0.99/32']) ns.exec('ip', ['addr', 'add', ip, 'dev', 'lo']);
      for (const net of ['10.43.0.0/16', '10.44.0.0/16']) ns.exec('ip', ['route', 'add', net, 'dev', 'lo', 'src', '10.42.0.99']);
      // The dead endpoint: frames leave by a veth whose other end takes no one's; external traffic is
      // masqueraded to the veth's address (without one it would be dropped untracked).
      ns.exec('ip', ['link', 'add', 'dead0', 'type', 'veth', 'peer', 'name', 'dead1']);
      for (const dev of ['dead0', 'dead1']) ns.exec('ip', ['link', 'set', dev, 'up']);
      ns.exec('ip', ['addr', 'add', '10.42.9.1/32', 'dev', 'dead0']);
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
        // The attempts' SYNs leave as the script goes on: wait for their entries rather than race them.
        const attempts = (): string[] => flows().split('\n').filter((l) => / SYN_SENT .*\[UNREPLIED\] src=10\.42\.9\.9 /.test(l));
        await eventually(() => attempts().length === 4, 'the four attempts to the dead endpoint tracked');
        for (const frontend of ['dst=10.43.0.90 sport=40124 dport=80', 'dst=10.44.0.90 sport=40125 dport=80', 'dst=10.44.0.91 sport=40126 dport=80', 'dst=10.42.0.99 sport=40127 dport=30090']) {
          assert.ok(attempts().some((l) => l.includes(frontend)), `an attempt ${frontend}`);
        }
        const after = renderRuleset(web([], []));
        await nft.apply(after);
        await clearStaleTcp(staleTcp(before, after), { netns: ns.name });
        assert.deepEqual(attempts(), []);
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
      await clearStaleUdp(staleUdp(before, after), { netns: ns.name });
      assert.doesNotMatch(flows(), /dst=10\.43\.0\.53/);
      assert.doesNotMatch(flows(), /dport=30053/);
      await nft.remove();
    });
  });
});

describe('without the conntrack tool', () => {
  it('skips the cleanup and logs an error once while the tool is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-conntrack-'));
    try {
      const bin = join(dir, 'conntrack');
      const lines: string[] = [];
      const clear = conntrackCleaner({ bin }, jsonLogger('info', (l) => lines.push(l)));
      const [was, now] = [renderRuleset(web(['10.42.0.6'], ['10.42.9.9'])), renderRuleset(web(['10.42.0.6'], []))];
      await clear(was, was);
      assert.deepEqual(lines, [], 'nothing stale: the tool is not needed');
      await clear(was, now);
      await clear(now, was);
      await clear(was, now);
      assert.equal(lines.length, 1);
      assert.deepEqual((({ level, tool }) => ({ level, tool }))(JSON.parse(lines[0]!) as { level: number; tool: string }), { level: 50, tool: bin });
      // Installed: it runs (a stand-in recording its arguments); missing again: said again.
      writeFileSync(bin, `#!/bin/sh\necho "$@" >> ${dir}/calls\nexit 1\n`, { mode: 0o755 });
      await clear(was, now);
      assert.match(readFileSync(join(dir, 'calls'), 'utf8'), /^-L -p tcp --state SYN_SENT$/m);
      rmSync(bin);
      await clear(was, now);
      assert.equal(lines.length, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
