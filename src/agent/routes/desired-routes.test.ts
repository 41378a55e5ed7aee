import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredRoutes, planRoutes, type NodeLike } from './desired-routes.js';

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

test('planRoutes: hostile or conflicting pod CIDR claims are refused, not routed (issue 13 #1)', () => {
  const at = (n: NodeLike, t: string): NodeLike => ({ ...n, metadata: { ...n.metadata, creationTimestamp: t } });
  const a = at(node('a', '10.42.0.0/24', '192.168.1.10'), '2026-01-01T00:00:00Z');
  const b = at(node('b', '10.42.1.0/24', '192.168.1.11'), '2026-01-01T00:00:01Z');
  const rows: [string, NodeLike, string[], string][] = [
    ['the whole IPv4 space', at(node('z', '0.0.0.0/0', '192.168.1.99'), '2026-01-02T00:00:00Z'), ['10.42.1.0/24'], 'outside the cluster CIDR 10.42.0.0/16'],
    ['the whole cluster CIDR', at(node('z', '10.42.0.0/16', '192.168.1.99'), '2026-01-02T00:00:00Z'), ['10.42.1.0/24'], 'overlaps this node\'s own pod CIDR'],
    ['a block outside the cluster', at(node('z', '192.168.1.0/24', '192.168.1.99'), '2026-01-02T00:00:00Z'), ['10.42.1.0/24'], 'outside the cluster CIDR'],
    ['host bits set', at(node('z', '10.42.5.1/24', '192.168.1.99'), '2026-01-02T00:00:00Z'), ['10.42.1.0/24'], 'not a network address'],
    ['a supernet of my CIDR', at(node('z', '10.42.0.0/23', '192.168.1.99'), '2026-01-02T00:00:00Z'), ['10.42.1.0/24'], 'overlaps this node\'s own pod CIDR'],
    ['a later node taking b\'s CIDR', at(node('z', '10.42.1.0/24', '192.168.1.99'), '2026-01-02T00:00:00Z'), ['10.42.1.0/24'], 'claimed earlier by node b'],
    ['a later node taking a piece of b\'s', at(node('z', '10.42.1.128/25', '192.168.1.99'), '2026-01-02T00:00:00Z'), ['10.42.1.0/24'], 'not a node-sized block (/24)'],
    // Created before b and around b's block: still refused (one size; blocks of one size cannot nest).
    ['an earlier node claiming a block around b\'s', at(node('z', '10.42.0.0/20', '192.168.1.99'), '2025-01-01T00:00:00Z'), ['10.42.1.0/24'], 'overlaps this node'],
    ['an earlier node claiming a block around others', at(node('z', '10.42.16.0/20', '192.168.1.99'), '2025-01-01T00:00:00Z'), ['10.42.1.0/24'], 'not a node-sized block'],
  ];
  for (const [what, z, want, reason] of rows) {
    const plan = planRoutes([a, b, z], 'a', { clusterCidr: '10.42.0.0/16' });
    assert.deepEqual(plan.routes.map((r) => r.cidr), want, what);
    assert.equal(plan.refused.length, 1, what);
    assert.equal(plan.refused[0]!.node, 'z', what);
    assert.match(plan.refused[0]!.reason, new RegExp(reason.replace(/[()]/g, '\\$&')), what);
  }
  // An older claim keeps its route even when the newer node sorts first by name.
  const older = at(node('c', '10.42.3.0/24', '192.168.1.12'), '2025-12-31T00:00:00Z');
  const newer = at(node('b', '10.42.3.0/24', '192.168.1.11'), '2026-01-01T00:00:00Z');
  assert.deepEqual(planRoutes([a, newer, older], 'a', { clusterCidr: '10.42.0.0/16' }).routes.map((r) => r.node), ['c']);
  // Created in the same second (timestamps have one-second resolution): the node that already holds
  // the route keeps it, whatever the names; with no route held yet, age then name decide.
  const victim = at(node('x-victim', '10.42.6.0/24', '192.168.1.14'), '2026-01-03T00:00:00Z');
  const thief = at(node('a-thief', '10.42.6.0/24', '192.168.1.99'), '2026-01-03T00:00:00Z');
  assert.deepEqual(planRoutes([a, thief, victim], 'a', { clusterCidr: '10.42.0.0/16', held: new Map([['10.42.6.0/24', 'x-victim']]) }).routes.map((r) => r.node), ['x-victim']);
  assert.deepEqual(planRoutes([a, thief, victim], 'a', { clusterCidr: '10.42.0.0/16' }).routes.map((r) => r.node), ['a-thief']);
  // Sloppy-but-valid spellings are routed in canonical form.
  assert.deepEqual(planRoutes([a, node('d', '010.042.004.000/24', '192.168.001.013')], 'a', { clusterCidr: '10.42.0.0/16' }).routes, [{ cidr: '10.42.4.0/24', via: '192.168.1.13', node: 'd' }]);
});
