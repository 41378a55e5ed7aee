/** The node's entry in status.loadBalancer.ingress: added or removed only when needed, the list sorted. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredAddresses } from './ingress-status.js';

describe('desiredAddresses', () => {
  const cases: [string, { ip?: string; hostname?: string }[], string, boolean, { ip?: string; hostname?: string }[] | undefined][] = [
    ['adds to an empty status', [], '10.0.0.5', true, [{ ip: '10.0.0.5' }]],
    ['already there: no write', [{ ip: '10.0.0.5' }], '10.0.0.5', true, undefined],
    ['adds beside another node\'s, sorted numerically', [{ ip: '10.0.0.10' }], '10.0.0.9', true, [{ ip: '10.0.0.9' }, { ip: '10.0.0.10' }]],
    ['removes its own, keeps the others', [{ ip: '10.0.0.5' }, { ip: '10.0.0.6' }], '10.0.0.5', false, [{ ip: '10.0.0.6' }]],
    ['not there: nothing to remove', [{ ip: '10.0.0.6' }], '10.0.0.5', false, undefined],
    ['keeps a hostname entry someone else wrote', [{ hostname: 'lb.example' }], '10.0.0.5', true, [{ ip: '10.0.0.5' }, { hostname: 'lb.example' }]],
  ];
  for (const [what, current, ip, present, want] of cases) it(what, () => assert.deepEqual(desiredAddresses(current, ip, present), want));
});
