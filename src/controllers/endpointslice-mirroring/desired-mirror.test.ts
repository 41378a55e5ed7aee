/**
 * desiredMirror against upstream's reconciler_test.go cases: subsets with the same ports share a
 * slice, not-ready addresses are mirrored not ready, invalid IPs are skipped, IPv6 gets a slice of
 * its own, annotations are copied but the trigger time and last-applied configuration, skip-mirror
 * and leader-election records are not mirrored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from '../../api/kinds/core/endpoints.js';
import { desiredMirror, shouldMirror } from './desired-mirror.js';

const ep = (subsets: Endpoints['subsets'], meta: Partial<Endpoints['metadata']> = {}): Endpoints =>
  ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'svc', namespace: 'ns', uid: 'u1', ...meta }, subsets });

test('subsets with the same ports share a slice; not-ready addresses are not ready; invalid IPs are skipped', () => {
  const slices = [...desiredMirror(ep([
    { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], addresses: [{ ip: '10.0.0.1', nodeName: 'n1' }, { ip: 'not-an-ip' }] },
    { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], notReadyAddresses: [{ ip: '10.0.0.2', hostname: 'b' }] },
    { ports: [{ port: 81 }], addresses: [{ ip: 'fd00::1' }] },
  ])).values()];
  assert.equal(slices.length, 2);
  const v4 = slices.find((s) => s.addressType === 'IPv4')!;
  assert.deepEqual(v4.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
  assert.deepEqual(v4.endpoints, [
    { addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'n1' },
    { addresses: ['10.0.0.2'], conditions: { ready: false }, hostname: 'b' },
  ]);
  const v6 = slices.find((s) => s.addressType === 'IPv6')!;
  assert.deepEqual(v6.ports, [{ name: '', port: 81, protocol: 'TCP' }]);
  assert.deepEqual(v6.endpoints.map((e) => e.addresses), [['fd00::1']]);
  assert.equal(v4.metadata.generateName, 'svc-');
  assert.deepEqual(v4.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['Endpoints', 'svc', true]]);
});

test('labels and annotations are copied, but the trigger time and last-applied configuration', () => {
  const [slice] = [...desiredMirror(ep([{ ports: [{ port: 80 }], addresses: [{ ip: '10.0.0.1' }] }], {
    labels: { team: 'a', 'endpointslice.kubernetes.io/managed-by': 'someone' },
    annotations: { keep: 'yes', 'endpoints.kubernetes.io/last-change-trigger-time': 't', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  })).values()];
  assert.deepEqual(slice!.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'svc', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
  assert.deepEqual(slice!.metadata.annotations, { keep: 'yes' });
});

test('skip-mirror=true and leader-election records are not mirrored; no addresses, no slice', () => {
  assert.equal(shouldMirror(ep([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })), false);
  assert.equal(shouldMirror(ep([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } })), true);
  assert.equal(shouldMirror(ep([], { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })), false);
  assert.equal(desiredMirror(ep([{ ports: [{ port: 80 }] }])).size, 0);
});
