import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { idleHostportRestore, splitRuleArgs } from './hostport-cleanup.js';

// Listings as `iptables -t nat -S` prints them after the CNI portmap plugin ran (iptables 1.8.9).
const IDLE = `-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-N CNI-HOSTPORT-DNAT
-N CNI-HOSTPORT-MASQ
-N CNI-HOSTPORT-SETMARK
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
`;
const IN_USE = `${IDLE}-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"n\\" id: \\"abc\\"" -m multiport --dports 38123 -j CNI-DN-7d78
`;

describe('hostport chain cleanup', () => {
  it('splits rule lines with quoted, escaped comments', () => {
    assert.deepEqual(splitRuleArgs('-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j X'), [
      '-A', 'POSTROUTING', '-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', 'X',
    ]);
    assert.deepEqual(splitRuleArgs('--comment "dnat name: \\"n\\"" -j Y'), ['--comment', 'dnat name: "n"', '-j', 'Y']);
    assert.deepEqual(splitRuleArgs('--comment "" -j Z'), ['--comment', '', '-j', 'Z']);
  });

  it('removes jumps, flushes the static chains and deletes all three in one transaction when idle; the DNAT chain is not flushed', () => {
    assert.equal(idleHostportRestore(IDLE), [
      '*nat',
      '-D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      '-D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      '-D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
      '-F CNI-HOSTPORT-MASQ',
      '-F CNI-HOSTPORT-SETMARK',
      '-X CNI-HOSTPORT-DNAT',
      '-X CNI-HOSTPORT-MASQ',
      '-X CNI-HOSTPORT-SETMARK',
      'COMMIT',
      '',
    ].join('\n'));
  });

  it('does nothing while a hostPort is mapped or when the chains are absent', () => {
    assert.equal(idleHostportRestore(IN_USE), undefined);
    assert.equal(idleHostportRestore('-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n'), undefined);
  });
});

describe('hostport chain cleanup on real iptables (a network namespace of its own)', () => {
  const ns = `bzhp${process.pid}`;
  const ipt = (args: string[], input?: string) => execFileSync('ip', ['netns', 'exec', ns, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  const setUp = () => ipt(['iptables-restore', '--noflush'], `*nat\n${IDLE.split('\n').filter((l) => l.startsWith('-N') || l.startsWith('-A')).join('\n')}\nCOMMIT\n`);
  before(() => execFileSync('ip', ['netns', 'add', ns]));
  after(() => execFileSync('ip', ['netns', 'delete', ns]));

  it('a mapping added after the listing survives: the stale transaction fails whole; once idle, the chains go', () => {
    setUp();
    const stale = idleHostportRestore(ipt(['iptables', '-t', 'nat', '-S']))!;
    ipt(['iptables', '-t', 'nat', '-N', 'CNI-DN-test']);
    ipt(['iptables', '-t', 'nat', '-A', 'CNI-HOSTPORT-DNAT', '-p', 'tcp', '--dport', '38123', '-j', 'CNI-DN-test']);
    assert.throws(() => ipt(['iptables-restore', '--noflush'], stale));
    const after1 = ipt(['iptables', '-t', 'nat', '-S']);
    assert.match(after1, /-A CNI-HOSTPORT-DNAT -p tcp .*-j CNI-DN-test/);
    assert.match(after1, /-A PREROUTING .*-j CNI-HOSTPORT-DNAT/, 'the jumps were kept too');
    ipt(['iptables', '-t', 'nat', '-F', 'CNI-HOSTPORT-DNAT']);
    ipt(['iptables', '-t', 'nat', '-X', 'CNI-DN-test']);
    ipt(['iptables-restore', '--noflush'], idleHostportRestore(ipt(['iptables', '-t', 'nat', '-S']))!);
    assert.doesNotMatch(ipt(['iptables', '-t', 'nat', '-S']), /CNI-HOSTPORT/);
  });
});
