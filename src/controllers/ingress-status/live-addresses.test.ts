/** Which Ingress status entries name a node that can still serve (live-addresses.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from '../../api/kinds/core/node.js';
import { liveNodeAddresses, livenessChanged, prunedAddresses } from './live-addresses.js';

const node = (name: string, ready: string | undefined, addresses: [string, string][], deleting = false): Node => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { addresses: addresses.map(([type, address]) => ({ type, address })), conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
});

describe('live node addresses', () => {
  const nodes = [
    node('ready', 'True', [['InternalIP', '192.0.2.1'], ['ExternalIP', '198.51.100.1'], ['Hostname', 'ready']]),
    node('unknown', 'Unknown', [['InternalIP', '192.0.2.2']]),
    node('notready', 'False', [['InternalIP', '192.0.2.3']]),
    node('new', undefined, [['InternalIP', '192.0.2.4']]),
    node('deleting', 'True', [['InternalIP', '192.0.2.5']], true),
    node('v6', 'True', [['InternalIP', '2001:DB8::0:1']]),
  ];
  it('only Ready nodes not being deleted, their Internal and External IPs, canonical', () => {
    assert.deepEqual([...liveNodeAddresses(nodes)].sort(), ['192.0.2.1', '198.51.100.1', '2001:db8::1']);
  });

  const live = liveNodeAddresses(nodes);
  const cases: [string, { ip?: string; hostname?: string }[], { ip?: string; hostname?: string }[] | undefined][] = [
    ['all live: no write', [{ ip: '192.0.2.1' }, { ip: '198.51.100.1' }], undefined],
    ['an Unknown node\'s entry goes, order kept', [{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }, { ip: '198.51.100.1' }], [{ ip: '192.0.2.1' }, { ip: '198.51.100.1' }]],
    ['a gone node\'s, a NotReady node\'s and a deleting node\'s go', [{ ip: '203.0.113.9' }, { ip: '192.0.2.3' }, { ip: '192.0.2.5' }], []],
    ['hostname entries stay', [{ hostname: 'lb.example' }, { ip: '192.0.2.2' }], [{ hostname: 'lb.example' }]],
    ['IPs compared canonically', [{ ip: '2001:db8:0::1' }], undefined],
  ];
  for (const [what, current, want] of cases) it(what, () => assert.deepEqual(prunedAddresses(current, live), want));

  it('a Node change matters when readiness, deletion or addresses change, not a heartbeat', () => {
    const n = node('n', 'True', [['InternalIP', '192.0.2.1']]);
    assert.equal(livenessChanged(n, { ...n, metadata: { ...n.metadata, labels: { a: 'b' } } }), false);
    assert.equal(livenessChanged(n, node('n', 'Unknown', [['InternalIP', '192.0.2.1']])), true);
    assert.equal(livenessChanged(n, node('n', 'True', [['InternalIP', '192.0.2.9']])), true);
    assert.equal(livenessChanged(n, node('n', 'True', [['InternalIP', '192.0.2.1']], true)), true);
  });
});
