/**
 * CI runs the storage tests on etcd too (testing/rerun-storage-tests.ts), all files against one
 * private etcd started here (a server per file cost ~1.5 s each: start, and the idle stop).
 */
import { test } from 'node:test';
import { ETCD_BIN, etcdAvailable } from '../../store/testing/etcd-server.js';
import { rerunStorageTests } from './testing/rerun-storage-tests.js';
import { startTestEtcd } from './testing/test-store.js';

test('the storage tests pass on the etcd store', { timeout: 240_000, skip: etcdAvailable() ? false : `${ETCD_BIN} is not installed` }, async () => {
  const etcd = await startTestEtcd();
  try {
    await rerunStorageTests('etcd', { BOSUN_STORAGE_TEST_ETCD: etcd.endpoint });
  } finally {
    await etcd.stop();
  }
});
