import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipCompare } from './ip-order.js';

test('ipCompare: IPv4 in numeric order, then other addresses in string order', () => {
  const cases: Array<[string[], string[]]> = [
    [['10.42.0.10', '10.42.0.9', '10.42.0.100'], ['10.42.0.9', '10.42.0.10', '10.42.0.100']],
    [['10.43.0.1', '9.255.255.255', '10.42.255.255'], ['9.255.255.255', '10.42.255.255', '10.43.0.1']],
    [['fd00::10', '10.0.0.1', 'fd00::9', '1.2.3.4'], ['1.2.3.4', '10.0.0.1', 'fd00::10', 'fd00::9']],
    [['1.1.1.1', '1.1.1.1'], ['1.1.1.1', '1.1.1.1']],
  ];
  for (const [input, want] of cases) assert.deepEqual([...input].sort(ipCompare), want, input.join(' '));
});
