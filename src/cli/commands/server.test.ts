/** What `bosun server` prints at start for joining agents. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinUrl } from './server.js';

test('the join hint names the address other machines reach, not loopback', () => {
  assert.equal(joinUrl('0.0.0.0', 6443, '192.168.1.5'), 'https://192.168.1.5:6443');
  assert.equal(joinUrl('::', 6443, 'fd00::5'), 'https://[fd00::5]:6443');
  assert.equal(joinUrl('10.0.0.2', 7443, '192.168.1.5'), 'https://10.0.0.2:7443');
  assert.doesNotMatch(joinUrl('0.0.0.0', 6443), /127\.0\.0\.1/);
});
