/** The 409 of a conflicting apply (managedfields NewConflictError): causes, and the message's grouping order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflictError } from './conflicts.js';
import { FieldSet } from './fieldset.js';
import type { ManagerEntry } from './managed-fields.js';

const mgr = (manager: string, operation: 'Apply' | 'Update', subresource?: string): ManagerEntry =>
  ({ manager, operation, apiVersion: 'v1', subresource, set: new FieldSet() });

test('conflicts are grouped by manager in the byte order of the encoded identities, one cause per field', () => {
  const err = conflictError([
    { manager: mgr('a', 'Update'), path: ['f:data', 'f:x'] },
    { manager: mgr('a', 'Update', 'status'), path: ['f:status', 'f:phase'] },
    { manager: mgr('a', 'Update'), path: ['f:data', 'f:y'] },
    { manager: mgr('a', 'Apply', 'status'), path: ['f:status', 'f:reason'] },
  ]);
  assert.equal(err.code, 409);
  // {"manager":"a","operation":"Apply","subresource":"status"} < {"manager":"a","operation":"Update","apiVersion":"v1","subresource":"status"} < {...,"apiVersion":"v1"}
  assert.equal(err.message, [
    'Apply failed with 4 conflicts: conflicts with "a" with subresource "status":',
    '- .status.reason',
    'conflicts with "a" with subresource "status" using v1:',
    '- .status.phase',
    'conflicts with "a" using v1:',
    '- .data.x',
    '- .data.y',
  ].join('\n'));
  assert.deepEqual(err.status.details?.causes?.map((c) => [c.message, c.field]), [
    ['conflict with "a" using v1', '.data.x'],
    ['conflict with "a" with subresource "status" using v1', '.status.phase'],
    ['conflict with "a" using v1', '.data.y'],
    ['conflict with "a" with subresource "status"', '.status.reason'],
  ]);
});
