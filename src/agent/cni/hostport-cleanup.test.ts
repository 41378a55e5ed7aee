import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idleHostportCleanup, isAlreadyGone, splitRuleArgs } from './hostport-cleanup.js';

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

  it('removes jumps first, then flushes and deletes the three chains when idle', () => {
    assert.deepEqual(idleHostportCleanup(IDLE), [
      ['-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT'],
      ['-t', 'nat', '-D', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT'],
      ['-t', 'nat', '-D', 'POSTROUTING', '-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', 'CNI-HOSTPORT-MASQ'],
      ['-t', 'nat', '-F', 'CNI-HOSTPORT-DNAT'],
      ['-t', 'nat', '-F', 'CNI-HOSTPORT-MASQ'],
      ['-t', 'nat', '-F', 'CNI-HOSTPORT-SETMARK'],
      ['-t', 'nat', '-X', 'CNI-HOSTPORT-DNAT'],
      ['-t', 'nat', '-X', 'CNI-HOSTPORT-MASQ'],
      ['-t', 'nat', '-X', 'CNI-HOSTPORT-SETMARK'],
    ]);
  });

  it('does nothing while a hostPort is mapped or when the chains are absent', () => {
    assert.deepEqual(idleHostportCleanup(IN_USE), []);
    assert.deepEqual(idleHostportCleanup('-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n'), []);
  });
});

it('a chain or rule already removed by another cleaner counts as gone; other failures do not', () => {
  const cases: Array<[string, boolean]> = [
    ['iptables: No chain/target/match by that name.\n', true],
    ['iptables: Bad rule (does a matching rule exist in that chain?).\n', true],
    ['iptables v1.8.9 (nf_tables): Permission denied (you must be root)\n', false],
    ['iptables: Resource busy.\n', false],
  ];
  for (const [stderr, gone] of cases) assert.equal(isAlreadyGone(Object.assign(new Error('Command failed'), { stderr })), gone, stderr);
});
