/**
 * ipFamilyPolicy / ipFamilies on a single-stack IPv4 cluster, as upstream's initIPFamilyFields
 * (pkg/registry/core/service/storage/alloc.go) and its TestCreateInitIPFields cases for a v4-only cluster.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { initIpFamilyFields } from './ip-families.js';

const errors = (spec: Parameters<typeof initIpFamilyFields>[0], old?: Parameters<typeof initIpFamilyFields>[1]): string[] =>
  initIpFamilyFields(spec, old).map((e) => `${e.field}: ${e.detail}`);

test('defaults: SingleStack and the cluster family; PreferDualStack stays one family on a single-stack cluster', () => {
  const plain = { selector: { app: 'a' } };
  assert.deepEqual(errors(plain), []);
  assert.deepEqual(plain, { selector: { app: 'a' }, ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
  const prefer = { ipFamilyPolicy: 'PreferDualStack', selector: { app: 'a' } };
  assert.deepEqual(errors(prefer), []);
  assert.deepEqual(prefer.ipFamilyPolicy, 'PreferDualStack');
  assert.deepEqual((prefer as { ipFamilies?: string[] }).ipFamilies, ['IPv4']);
});

test('headless and selectorless: RequireDualStack with both families (no IPs are allocated for it)', () => {
  const spec = { clusterIP: 'None', clusterIPs: ['None'] };
  assert.deepEqual(errors(spec), []);
  assert.deepEqual(spec, { clusterIP: 'None', clusterIPs: ['None'], ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
  const single = { clusterIP: 'None', ipFamilyPolicy: 'SingleStack' };
  assert.deepEqual(errors(single), []);
  assert.deepEqual((single as { ipFamilies?: string[] }).ipFamilies, ['IPv4']);
  // Headless with a selector is an ordinary single-stack Service.
  const selected = { clusterIP: 'None', selector: { app: 'a' } };
  assert.deepEqual(errors(selected), []);
  assert.deepEqual(selected, { clusterIP: 'None', selector: { app: 'a' }, ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
});

test('families and policies the cluster cannot serve are refused with upstream\'s messages', () => {
  assert.deepEqual(errors({ ipFamilies: ['IPv6'], selector: { a: 'b' } }), ['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster']);
  assert.deepEqual(errors({ ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6'], selector: { a: 'b' } }), ['spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster']);
  assert.deepEqual(errors({ ipFamilyPolicy: 'RequireDualStack', selector: { a: 'b' } }), ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services']);
  assert.deepEqual(errors({ clusterIPs: ['2001:db8::1'], selector: { a: 'b' } }), ['spec.clusterIPs[0]: Invalid value: []string{"2001:db8::1"}: IPv6 is not configured on this cluster']);
  assert.deepEqual(errors({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] }), ["spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"]);
});

test('a given IPv4 cluster IP infers its family; ExternalName is left alone; an update keeps the old policy', () => {
  const spec = { clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], selector: { a: 'b' } };
  assert.deepEqual(errors(spec), []);
  assert.deepEqual((spec as { ipFamilies?: string[] }).ipFamilies, ['IPv4']);
  const external = { type: 'ExternalName' };
  assert.deepEqual(errors(external), []);
  assert.deepEqual(external, { type: 'ExternalName' });
  const updated = { selector: { a: 'b' } };
  assert.deepEqual(errors(updated, { ipFamilyPolicy: 'PreferDualStack' }), []);
  assert.equal((updated as { ipFamilyPolicy?: string }).ipFamilyPolicy, 'PreferDualStack');
});
