/**
 * Node IPAM: the CIDR set's arithmetic as a table, and the controller against an in-process API
 * server: new Nodes get distinct /24s from 10.42.0.0/16 in order, CIDRs already set are respected,
 * and a deleted Node's CIDR is reused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { CidrSet, parseCidr } from './cidr-set.js';
import { addNodeIpamController } from './node-ipam-controller.js';

test('parseCidr', () => {
  const rows: [string, { base: number; bits: number } | undefined][] = [
    ['10.42.0.0/16', { base: 0x0a2a0000, bits: 16 }],
    ['10.42.3.0/24', { base: 0x0a2a0300, bits: 24 }],
    ['10.42.3.1/24', undefined],
    ['10.42.0.0/33', undefined],
    ['10.256.0.0/16', undefined],
    ['fd00::/64', undefined],
    ['10.42.0.0', undefined],
  ];
  for (const [s, want] of rows) assert.deepEqual(parseCidr(s), want, s);
});

test('CidrSet allocates the lowest free subnet and reuses released ones', () => {
  const s = new CidrSet('10.42.0.0/16', 24);
  assert.equal(s.capacity, 256);
  assert.equal(s.occupy('10.42.0.0/24'), true);
  assert.equal(s.occupy('10.43.0.0/24'), false, 'outside the cluster CIDR');
  assert.equal(s.occupy('10.42.0.0/23'), false, 'a block larger than a subnet is not honoured');
  assert.equal(s.occupy('0.0.0.0/0'), false, 'nor is the whole address space (it would exhaust the set)');
  assert.equal(s.allocateNext(), '10.42.1.0/24');
  assert.equal(s.occupy('10.42.2.0/24'), true);
  assert.equal(s.allocateNext(), '10.42.3.0/24');
  s.release('10.42.1.0/24');
  assert.equal(s.allocateNext(), '10.42.1.0/24');
  const tiny = new CidrSet('10.0.0.0/23', 24);
  assert.equal(tiny.allocateNext(), '10.0.0.0/24');
  assert.equal(tiny.allocateNext(), '10.0.1.0/24');
  assert.equal(tiny.allocateNext(), undefined, 'full');
  // A node's hand-set smaller block takes its whole subnet: that subnet never goes to another node.
  const claimed = new CidrSet('10.42.0.0/16', 24);
  assert.equal(claimed.occupy('10.42.0.128/25'), true);
  assert.equal(claimed.allocateNext(), '10.42.1.0/24');
  assert.throws(() => new CidrSet('10.42.0.0/16', 8), /does not fit/);
  assert.throws(() => new CidrSet('10.42.1.0/15', 24), /invalid cluster CIDR/);
});

const P = `ipam-${process.pid}-${Date.now().toString(36)}`;
let env: ControllerEnv;
let client: KubeClient;
let mgr: Manager;

before(async () => {
  env = await startControllerEnv({
    // A node that registered with its own CIDR before the controller ran (the server's embedded node).
    prepare: async (c) => {
      await c.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-0` }, spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'] } } as KubeObject);
    },
    add: addNodeIpamController,
  });
  ({ client, mgr } = env);
});
after(() => env?.stop());

const podCidrOf = (name: string, timeoutMs = 10_000): Promise<string> =>
  eventually(async () => (await client.nodes<Node>().get(name)).spec?.podCIDR, `a podCIDR for node ${name}`, { timeoutMs, intervalMs: 20 });

test('nodes get distinct CIDRs from the cluster CIDR; set ones are kept; deleted ones are reused', async () => {
  // Created together: the informer lags behind the controller's own patches.
  await Promise.all([1, 2, 3].map((i) => client.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-${i}` } } as KubeObject)));
  const got = await Promise.all([1, 2, 3].map((i) => podCidrOf(`${P}-${i}`)));
  assert.deepEqual([...got].sort(), ['10.42.1.0/24', '10.42.2.0/24', '10.42.3.0/24']);
  const n1 = await client.nodes<Node>().get(`${P}-1`);
  assert.deepEqual(n1.spec?.podCIDRs, [n1.spec?.podCIDR]);
  assert.equal(await podCidrOf(`${P}-0`), '10.42.0.0/24', 'a CIDR set before is left alone');

  const freed = (await client.nodes<Node>().get(`${P}-2`)).spec!.podCIDR!;
  await client.nodes().delete(`${P}-2`);
  // Once the manager's cache has dropped the node, its delete is queued (FIFO, one worker) ahead of the next add.
  const cache = mgr.informers.informerFor<Node>({ group: '', version: 'v1', resource: 'nodes', namespaced: false, kind: 'Node' });
  for (let i = 0; cache.indexer.get(`${P}-2`); i++) {
    if (i > 500) throw new Error('the cache never saw the delete');
    await new Promise((r) => setTimeout(r, 20));
  }
  await client.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-4` } } as KubeObject);
  assert.equal(await podCidrOf(`${P}-4`), freed);
  await client.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-5` } } as KubeObject);
  assert.equal(await podCidrOf(`${P}-5`), '10.42.4.0/24');
});
