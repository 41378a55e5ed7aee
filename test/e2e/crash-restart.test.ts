/**
 * Durability: `bosun server` is killed with SIGKILL while clients create objects; after a restart on
 * the same data dir every create the server acknowledged (201) is there. Also checks that SIGTERM
 * exits 0 and that the PKI and kubeconfig are reused across restarts.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RawClient } from '../../src/testing/raw-client.js';
import { spawnServer } from '../../src/testing/test-cluster.js';

describe('crash and restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-crash-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('every acknowledged create survives kill -9', async () => {
    const first = await spawnServer({ dataDir });
    const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    const c = new RawClient(first.url, dataDir);
    const acked: string[] = [];
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `crash-${w}-${i}`;
        try {
          const r = await c.send('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } });
          if (r.status === 201) acked.push(name);
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    while (acked.length < 200) await new Promise((r) => setTimeout(r, 10));
    await first.kill9();
    stop = true;
    await Promise.all(workers);
    c.close();

    const second = await spawnServer({ dataDir });
    try {
      assert.equal(readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'), ca, 'the CA is reused');
      const c2 = new RawClient(second.url, dataDir);
      const list = await c2.request('/api/v1/namespaces/default/configmaps');
      c2.close();
      assert.equal(list.status, 200);
      const names = new Set(list.json.items.map((o: any) => o.metadata.name));
      const missing = acked.filter((n) => !names.has(n));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged creates were lost`);
      const r = await second.kubectl(['get', 'ns', 'default', '-o', 'name']);
      assert.equal(r.stdout.trim(), 'namespace/default', r.stderr);
    } finally {
      await second.stop();
    }
    assert.equal(second.child.exitCode, 0, `SIGTERM should exit 0:\n${second.output()}`);
  });
});
