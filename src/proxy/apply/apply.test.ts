/**
 * The applier against a real kernel, inside throwaway network namespaces: every golden ruleset
 * passes `nft -c` and applies; an incremental apply removes what is gone and keeps ClientIP
 * affinity entries; stop removes the table; and real connections through a ClusterIP reach the
 * endpoint, while a Service without endpoints refuses them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { CASES, ep, slice, svc } from '../render/fixtures.js';
import { renderRuleset } from '../render/ruleset.js';
import { netnsUnavailable, withNetns, type Netns } from '../testing/netns.js';
import { NftApplier } from './applier.js';

const skip = netnsUnavailable();

describe('nft applier in a network namespace', { skip }, () => {
  it('every golden ruleset passes nft -c and applies; remove deletes the table', async () => {
    await withNetns(async (ns) => {
      const nft = new NftApplier({ netns: ns.name });
      for (const [name, input] of Object.entries(CASES)) {
        const r = renderRuleset(input);
        await nft.check(r);
        const how = await nft.apply(r);
        assert.ok(how === 'full' || how === 'incremental', name);
        assert.match(await nft.list(), /table ip bosun/);
      }
      await nft.remove();
      assert.equal(await nft.list(), '');
      assert.doesNotMatch(ns.exec('nft', ['list', 'tables']), /bosun/);
    });
  });

  it('incremental applies drop stale chains and keep affinity entries', async () => {
    await withNetns(async (ns) => {
      const nft = new NftApplier({ netns: ns.name });
      const lb = CASES['loadbalancer-local-affinity']!;
      const first = renderRuleset({ ...lb, services: [...lb.services, ...CASES['clusterip-spread']!.services], endpointSlices: [...lb.endpointSlices, ...CASES['clusterip-spread']!.endpointSlices] });
      assert.equal(await nft.apply(first), 'full');
      const affinity = [...first.affinitySets.keys()][0]!;
      ns.exec('nft', ['add', 'element', 'ip', 'bosun', affinity, '{ 192.0.2.7 }']);
      const second = renderRuleset(lb);
      assert.equal(await nft.apply(second), 'incremental');
      assert.equal(await nft.apply(second), 'unchanged');
      const listed = await nft.list();
      assert.doesNotMatch(listed, /default\/web\//, 'the removed Service leaves no chain behind');
      assert.match(listed, /default\/lb\//);
      assert.match(ns.exec('nft', ['list', 'set', 'ip', 'bosun', affinity]), /192\.0\.2\.7/);
      // Someone deletes the table behind our back: the next apply falls back to a full one.
      ns.exec('nft', ['delete', 'table', 'ip', 'bosun']);
      assert.equal(await nft.apply(renderRuleset(CASES['clusterip-spread']!)), 'full');
      await nft.remove();
      assert.equal(await nft.list(), '');
    });
  });

  it('routes a connection to a ClusterIP to the endpoint and refuses one with no endpoints', async () => {
    await withNetns(async (ns) => {
      ns.exec('ip', ['addr', 'add', '10.42.0.5/32', 'dev', 'lo']);
      ns.exec('ip', ['route', 'add', '10.43.0.0/16', 'dev', 'lo']);
      const server = startEchoServer(ns, '10.42.0.5', 8080);
      try {
        await waitForLine(server, 'listening');
        const nft = new NftApplier({ netns: ns.name });
        await nft.apply(renderRuleset({
          nodeName: 'n', nodeIPs: ['10.42.0.5'], clusterCidr: '10.42.0.0/16',
          services: [
            svc('web', { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
            svc('empty', { clusterIP: '10.43.0.11', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
          ],
          endpointSlices: [slice('web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.42.0.5', 'n')])],
        }));
        assert.equal(clientInNetns(ns, '10.43.0.10', 80), 'hello');
        assert.match(clientInNetns(ns, '10.43.0.11', 80), /ECONNREFUSED/);
        await nft.remove();
      } finally {
        server.kill('SIGKILL');
      }
    });
  });
});

const ECHO = `require('node:net').createServer((s) => s.end('hello')).listen(Number(process.argv[2]), process.argv[1], () => console.log('listening'))`;

function startEchoServer(ns: Netns, host: string, port: number): ChildProcess {
  return ns.spawn(process.execPath, ['-e', ECHO, host, String(port)]);
}

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" from child: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`child exited: ${out}`)));
  });
}

const CLIENT = `const s = require('node:net').connect(Number(process.argv[2]), process.argv[1]); let d = ''; s.on('data', (c) => d += c); s.on('end', () => console.log(d)); s.on('error', (e) => console.log(e.code)); setTimeout(() => { console.log('TIMEOUT'); process.exit(0); }, 3000).unref();`;

function clientInNetns(ns: Netns, host: string, port: number): string {
  return ns.exec(process.execPath, ['-e', CLIENT, host, String(port)]).trim();
}

