/** The DNS client ACL's sources: the cluster CIDR, and the addresses and pod CIDRs learnt from Nodes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientAcl } from './client-acl.js';

test('a node\'s pod CIDR outside the cluster CIDR (a node given --pod-cidr) is answered once learnt from its Node', () => {
  const acl = new ClientAcl({ podCidrs: ['10.42.0.0/16'] });
  assert.equal(acl.allows('10.42.3.4'), true);
  assert.equal(acl.allows('10.244.7.9'), false);
  acl.setNodeAddresses(['192.0.2.10'], ['10.244.7.0/24', 'nonsense']);
  assert.equal(acl.allows('10.244.7.9'), true);
  assert.equal(acl.allows('::ffff:10.244.7.9'), true);
  assert.equal(acl.allows('10.244.8.1'), false);
  assert.equal(acl.allows('192.0.2.10'), true);
  acl.setNodeAddresses([], []);
  assert.equal(acl.allows('10.244.7.9'), false);
});

test('a node claiming a huge or public pod CIDR does not open the DNS to that range (issue 13 #6)', () => {
  const acl = new ClientAcl({ podCidrs: ['10.42.0.0/16'] });
  acl.setNodeAddresses([], ['0.0.0.0/0', '8.8.8.0/24', '10.0.0.0/8', '::/0', '2001:db8::/64', '10.250.1.0/24', 'fd00:1::/64']);
  assert.equal(acl.allows('203.0.113.7'), false);
  assert.equal(acl.allows('8.8.8.8'), false);
  assert.equal(acl.allows('10.7.0.1'), false, 'a /8 is not one node\'s block');
  assert.equal(acl.allows('2001:db8::1'), false);
  assert.equal(acl.allows('10.250.1.9'), true);
  assert.equal(acl.allows('fd00:1::9'), true);
});
