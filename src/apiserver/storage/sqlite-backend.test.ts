/**
 * CI runs the storage tests on SQLite, the store users run by default, too (testing/rerun-storage-tests.ts).
 */
import { test } from 'node:test';
import { rerunStorageTests } from './testing/rerun-storage-tests.js';

test('the storage tests pass on the SQLite store', { timeout: 240_000 }, async () => {
  await rerunStorageTests('sqlite');
});
