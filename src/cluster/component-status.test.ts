/**
 * v1 ComponentStatus through the real kubectl, as upstream's pkg/registry/core/componentstatus:
 * `kubectl get cs` lists scheduler, controller-manager and etcd-0 from the control plane's own health
 * checks with upstream's deprecation warning, -o yaml shows the Healthy condition, a component turned
 * off by its --disable flag is Unhealthy with an error, and the kind is read-only (405).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../testing/kubectl-ok.js';
import { runKubectl, type TestServer } from '../testing/test-cluster.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

describe('componentstatuses', () => {
  let dir: string;
  let cp: ControlPlane;
  let k: Pick<TestServer, 'kubectl'>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-cs-'));
    // The controller manager runs; the scheduler is turned off (k3s --disable-scheduler).
    cp = await startControlPlane({ dataDir: join(dir, 'data'), port: 0, bindAddress: '127.0.0.1', store: 'memory', disableScheduler: true });
    k = { kubectl: (args, o) => runKubectl(cp.api.kubeconfigPath, join(dir, 'kubectl', 'cache'), args, o) };
  });
  after(async () => {
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl get cs: NAME STATUS MESSAGE ERROR, upstream deprecation warning, the disabled scheduler Unhealthy', async () => {
    const r = await k.kubectl(['get', 'cs']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'MESSAGE', 'ERROR']);
    const byName = new Map(rows.slice(1).map((row) => [row[0], row.slice(1)]));
    assert.deepEqual([...byName.keys()].sort(), ['controller-manager', 'etcd-0', 'scheduler']);
    assert.deepEqual(byName.get('controller-manager'), ['Healthy', 'ok']);
    assert.deepEqual(byName.get('etcd-0'), ['Healthy', 'ok']);
    assert.deepEqual(byName.get('scheduler'), ['Unhealthy', 'scheduler is not running in this server (--disable-scheduler)']);
  });

  test('kubectl get componentstatus etcd-0 -o yaml: the Healthy condition; an unknown name is NotFound', async () => {
    const yaml = await kubectlOk(k, ['get', 'componentstatus', 'etcd-0', '-o', 'yaml']);
    assert.match(yaml, /kind: ComponentStatus/);
    assert.match(yaml, /conditions:\n- message: ok\n  status: "True"\n  type: Healthy/);
    const json = JSON.parse(await kubectlOk(k, ['get', 'cs', 'scheduler', '-o', 'json'])) as { conditions: unknown[] };
    assert.deepEqual(json.conditions, [{ type: 'Healthy', status: 'False', error: 'scheduler is not running in this server (--disable-scheduler)' }]);
    const missing = await k.kubectl(['get', 'cs', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound.*"nope" not found/);
  });

  test('read-only: create and delete are refused with 405 MethodNotAllowed', async () => {
    const create = await k.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ComponentStatus', metadata: { name: 'x' }, conditions: [] }) });
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /MethodNotAllowed|not allow/);
    const del = await k.kubectl(['delete', 'cs', 'etcd-0']);
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /MethodNotAllowed|not allow/);
    assert.equal((await kubectlOk(k, ['get', 'cs', 'etcd-0', '-o', 'name'])).trim(), 'componentstatus/etcd-0');
  });
});
