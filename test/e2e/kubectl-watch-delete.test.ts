/**
 * Streaming and deletion with the real kubectl: `get -w` sees a change as it happens; delete removes
 * objects; deleting a namespace with content leaves it Terminating (emptying it is the namespace
 * controller's job) and refuses new objects in it.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { KUBECTL, startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

describe('kubectl watch and delete', () => {
  let s: TestServer;
  const ok = (args: string[]): Promise<string> => kubectlOk(s, args);
  before(async () => {
    s = await startTestServer();
    await ok(['create', 'ns', 'e2e-watch']);
  });
  after(() => s?.stop());

  test('get -w streams a change', async () => {
    await ok(['-n', 'e2e-watch', 'create', 'configmap', 'first', '--from-literal=a=1']);
    const child = spawn(KUBECTL, ['--kubeconfig', s.kubeconfig, '--cache-dir', `${s.dataDir}/watch-cache`, '-n', 'e2e-watch', 'get', 'cm', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const waitFor = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, re);
    };
    try {
      await waitFor(/^first\s+1\s/m);
      await ok(['-n', 'e2e-watch', 'create', 'configmap', 'second', '--from-literal=a=1', '--from-literal=b=2']);
      await waitFor(/^second\s+2\s/m);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('delete removes an object', async () => {
    await ok(['-n', 'e2e-watch', 'create', 'configmap', 'doomed']);
    assert.match(await ok(['-n', 'e2e-watch', 'delete', 'cm', 'doomed']), /configmap "doomed" deleted/);
    const r = await s.kubectl(['-n', 'e2e-watch', 'get', 'cm', 'doomed']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not found/);
  });

  test('deleting a namespace with content leaves it Terminating and closed to new objects', async () => {
    await ok(['create', 'ns', 'e2e-term']);
    await ok(['-n', 'e2e-term', 'create', 'configmap', 'content']);
    const r = await s.kubectl(['delete', 'ns', 'e2e-term', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await ok(['get', 'ns', 'e2e-term', '-o', 'jsonpath={.status.phase}']), 'Terminating');
    const refused = await s.kubectl(['-n', 'e2e-term', 'create', 'configmap', 'late']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /being terminated|Forbidden/);
  });
});
