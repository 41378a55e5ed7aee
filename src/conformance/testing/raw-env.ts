/**
 * The setup of the conformance files that speak raw HTTP: an in-process API server and a RawClient
 * on its admin credentials, optionally with a namespace; `stop()` closes both.
 */
import assert from 'node:assert/strict';
import { RawClient } from '../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';

export interface RawEnv {
  ts: TestServer;
  raw: RawClient;
  stop(): Promise<void>;
}

export async function startRawEnv(namespace?: string): Promise<RawEnv> {
  const ts = await startTestServer();
  const raw = new RawClient(ts.url, ts.dataDir);
  const stop = async (): Promise<void> => {
    raw.close();
    await ts.stop();
  };
  if (namespace) {
    const r = await raw.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    if (r.status !== 201) await stop();
    assert.equal(r.status, 201, r.body);
  }
  return { ts, raw, stop };
}
