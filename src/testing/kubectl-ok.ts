/** kubectl as a test step that must succeed. */
import assert from 'node:assert/strict';
import type { KubectlOptions, TestServer } from './test-cluster.js';

/** Runs kubectl through `server` and returns its stdout; a non-zero exit fails the test with kubectl's stderr. */
export async function kubectlOk(server: Pick<TestServer, 'kubectl'>, args: string[], o?: KubectlOptions): Promise<string> {
  const r = await server.kubectl(args, o);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
