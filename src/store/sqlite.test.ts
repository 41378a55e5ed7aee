import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreContract } from './store-contract.js';
import { SqliteStore } from './sqlite.js';

describeStoreContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-store-test-'));
  return { store: new SqliteStore({ path: join(dir, 'db.sqlite') }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});
