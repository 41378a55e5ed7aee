/** Assert that a promise rejects with a StatusError of the given code and reason. */
import assert from 'node:assert/strict';
import { StatusError } from '../../../api/status.js';

export async function rejectsStatus(p: Promise<unknown>, code: number, reason: string, check?: (e: StatusError) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StatusError, `not a StatusError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.reason, reason, e.message);
    check?.(e);
    return true;
  });
}
