import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredRoutes, type NodeLike } from './desired-routes.js';

const node = (name: string, podCIDR?: string, ip?: string, extra: Partial<NodeLike> = {}): NodeLike => ({
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: { addresses: ip ? [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] : [] },
  ...extra,
});

test('desiredRoutes: every other node\'s pod CIDR via its InternalIP', () => {
  const rows: [string, NodeLike[], string, [string, string][]][] = [
    ['single node: nothing', [node('a', '10.42.0.0/24', '192.168.1.10')], 'a', []],
    ['two nodes', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.1.0/24', '192.168.1.11')], 'a', [['10.42.1.0/24', '192.168.1.11']]],
    ['sorted, self skipped', [node('c', '10.42.2.0/24', '192.168.1.12'), node('b', '10.42.1.0/24', '192.168.1.11'), node('a', '10.42.0.0/24', '192.168.1.10')], 'b',
      [['10.42.0.0/24', '192.168.1.10'], ['10.42.2.0/24', '192.168.1.12']]],
    ['self not registered yet: route to all', [node('b', '10.42.1.0/24', '192.168.1.11')], 'a', [['10.42.1.0/24', '192.168.1.11']]],
    ['no pod CIDR yet', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', undefined, '192.168.1.11')], 'a', []],
    ['no InternalIP yet', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.1.0/24')], 'a', []],
    ['IPv6 ignored', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', 'fd00:42:1::/64', 'fd00::11'), node('c', '10.42.2.0/24', 'fd00::12')], 'a', []],
    ['a node claiming my CIDR is ignored', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.0.0/24', '192.168.1.11')], 'a', []],
    ['a node claiming my address is ignored', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.1.0/24', '192.168.1.10')], 'a', []],
    ['two nodes claiming one CIDR: the first by name', [node('a', '10.42.0.0/24', '192.168.1.10'), node('c', '10.42.5.0/24', '192.168.1.12'), node('b', '10.42.5.0/24', '192.168.1.11')], 'a',
      [['10.42.5.0/24', '192.168.1.11']]],
    ['podCIDRs wins over podCIDR', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.1.0/24', '192.168.1.11', { spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24', 'fd00::/64'] } })], 'a',
      [['10.42.1.0/24', '192.168.1.11']]],
    ['garbage CIDR ignored', [node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.1.0', '192.168.1.11'), node('c', '10.42.300.0/24', '192.168.1.12')], 'a', []],
  ];
  for (const [what, nodes, self, want] of rows) {
    assert.deepEqual(desiredRoutes(nodes, self).map((r) => [r.cidr, r.via]), want, what);
  }
  assert.equal(desiredRoutes([node('a', '10.42.0.0/24', '192.168.1.10'), node('b', '10.42.1.0/24', '192.168.1.11')], 'a')[0]!.node, 'b');
});
