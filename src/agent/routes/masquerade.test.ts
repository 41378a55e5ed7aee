/**
 * Masquerade only traffic leaving the cluster, checked in test hosts: from a pod address on n1,
 * traffic to a pod CIDR on n2 arrives with the pod's address, traffic to n2's own address (outside
 * the cluster) arrives from n1's address. nftables counters on n2 tell which source arrived.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestHosts, type TestHosts } from '../../testing/test-hosts.js';
import { applyMasquerade, masqueradeScript, removeMasquerade, type NftRunner } from './masquerade.js';

let th: TestHosts;
before(async () => {
  th = await createTestHosts({ hosts: ['n1', 'n2'] });
});
after(async () => {
  await th?.teardown();
});

const nftIn = (host: string): NftRunner => async (args, stdin) => {
  const r = await th.runInHost(host, ['nft', ...args], { input: stdin });
  if (r.code !== 0) throw new Error(`nft ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

test('the script excludes the cluster and service CIDRs', () => {
  const s = masqueradeScript({ clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16' });
  assert.match(s, /ip saddr 10\.42\.0\.0\/16 ip daddr != \{ 10\.42\.0\.0\/16, 10\.43\.0\.0\/16 \} masquerade/);
  assert.throws(() => masqueradeScript({ clusterCidr: '10.42.0.0/16; flush ruleset' }), /not an IPv4 CIDR/);
});

// Not the default 10.42.0.0/16: a node another test runs at the same time masquerades that range in
// the root network namespace, which sees the test hosts' bridged traffic (br_netfilter), so a
// "pod" packet to n2 would leave with the bridge's address and reach neither counter.
const CIDRS = { clusterCidr: '10.213.0.0/16', serviceCidr: '10.214.0.0/16' };

test('pod-to-pod keeps the pod address; pod-to-outside is masqueraded', async () => {
  const [h1, h2] = [th.host('n1'), th.host('n2')];
  // n1 has a "pod" address; n2 a pod CIDR address; routes between the pod CIDRs.
  await th.runInHost('n1', `ip addr add 10.213.1.5/32 dev lo && ip route add 10.213.2.0/24 via ${h2.ip}`);
  await th.runInHost('n2', `ip addr add 10.213.2.5/32 dev lo && ip route add 10.213.1.0/24 via ${h1.ip}`);
  const counters = [
    'table ip bzhcount {',
    '  counter frompod { }',
    '  counter fromnode { }',
    '  chain input { type filter hook input priority 0; policy accept;',
    '    ip protocol icmp ip saddr 10.213.1.5 counter name frompod',
    `    ip protocol icmp ip saddr ${h1.ip} counter name fromnode`,
    '  }',
    '}',
  ].join('\n');
  await nftIn('n2')(['-f', '-'], counters);
  const count = async (name: string): Promise<number> => {
    const out = await nftIn('n2')(['-j', 'list', 'counter', 'ip', 'bzhcount', name]);
    const c = (JSON.parse(out) as { nftables: { counter?: { packets: number } }[] }).nftables.find((e) => e.counter)?.counter;
    return c?.packets ?? -1;
  };
  // One echo request; the reply may take a while on a loaded machine (CI), and a lost reply says nothing about the source address.
  let step = 0;
  const pingFromPod = async (dst: string) => {
    const r = await th.runInHost('n1', ['busybox', 'ping', '-c', '1', '-W', '5', '-I', '10.213.1.5', dst]);
    assert.equal(r.code, 0, `ping -I 10.213.1.5 ${dst} (step ${++step}): ${r.stdout} ${r.stderr}`);
  };

  await applyMasquerade(CIDRS, nftIn('n1'));
  await applyMasquerade(CIDRS, nftIn('n1')); // re-apply replaces, does not duplicate
  assert.equal((await th.runInHost('n1', 'nft list table ip bosun-masq | grep -c masquerade')).stdout.trim(), '1');

  await pingFromPod('10.213.2.5');
  assert.equal(await count('frompod'), 1, 'pod-to-pod arrives from the pod address');
  assert.equal(await count('fromnode'), 0);

  await pingFromPod(h2.ip);
  assert.equal(await count('fromnode'), 1, 'pod-to-outside arrives from the node address');
  assert.equal(await count('frompod'), 1);

  await removeMasquerade({}, nftIn('n1'));
  await removeMasquerade({}, nftIn('n1')); // idempotent
  await pingFromPod(h2.ip);
  assert.equal(await count('frompod'), 2, 'without the table, nothing is masqueraded');
  assert.equal(await count('fromnode'), 1);
});
