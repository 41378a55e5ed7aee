/** servingIps: the addresses a joining node may have in its serving certificate, compared canonically (src/api/net). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servingIps } from './node-credentials.js';

test('servingIps keeps only vouched-for addresses, canonical, and survives hostile ones', () => {
  assert.deepEqual(servingIps(['::ffff:192.0.2.7', '2001:DB8::1', '192.0.2.8'], ['192.0.2.7', '2001:db8:0::1']), ['192.0.2.7', '2001:db8::1']);
  // A zone (which made the old parser throw building a URL), nft/shell syntax, CIDRs: never an IP SAN.
  assert.deepEqual(servingIps(['fe80::1%eth0', '192.0.2.7; x', '192.0.2.0/24', ''], ['192.0.2.7', 'fe80::1']), []);
});
