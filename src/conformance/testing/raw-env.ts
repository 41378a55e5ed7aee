/**
 * The setup of the conformance files that speak raw HTTP: an in-process API server and a RawClient
 * on its admin credentials, optionally with a namespace; `stop()` closes both.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
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

/** The verbs of a RawClient, bound to the file's server once its `before` hook has run. */
export type FileRaw = Pick<RawClient, 'request' | 'send'>;

/**
 * One server for the whole test file: registers `before` (start, with `namespace`) and `after`
 * (stop) hooks and returns a client usable from the tests, and the server.
 */
export function rawEnvForFile(namespace?: string): { raw: FileRaw; readonly ts: TestServer } {
  let env: RawEnv | undefined;
  before(async () => {
    env = await startRawEnv(namespace);
  });
  after(() => env?.stop());
  const live = (): RawEnv => {
    if (!env) throw new Error('the file server is used before its before() hook ran');
    return env;
  };
  return {
    raw: { request: (path, r) => live().raw.request(path, r), send: (method, path, body, headers) => live().raw.send(method, path, body, headers) },
    get ts() {
      return live().ts;
    },
  };
}
