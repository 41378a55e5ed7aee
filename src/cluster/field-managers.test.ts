/**
 * The control plane's writes carry upstream's field manager names. A client that names no
 * fieldManager is recorded under the program part of its User-Agent (upstream's
 * prefixFromUserAgent), and upstream's components send client-go's DefaultKubernetesUserAgent,
 * `<binary>/<version> (<os>/<arch>) kubernetes/<commit>`, extended by rest.AddUserAgent with the
 * controller's name: so `kubectl get -o yaml --show-managed-fields` shows `kube-controller-manager`
 * for every controller's write (status ones with subresource status) and `kube-scheduler` for the
 * scheduler's, where Bosun showed `bosun`. The kubelet's (`kubelet`) is checked in
 * src/cli/commands/agent.test.ts and test/e2e/kubectl-sweep.test.ts.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../api/meta.js';
import { eventually } from '../testing/eventually.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

type Entry = { manager?: string; operation?: string; subresource?: string };
/** The object's managedFields entries without their fields and times, by manager name. */
const entries = (o: KubeObject): Entry[] =>
  (o.metadata.managedFields ?? []).map((f) => ({ manager: f.manager, operation: f.operation, ...(f.subresource ? { subresource: f.subresource } : {}) }))
    .sort((a, b) => ((a.manager ?? '') < (b.manager ?? '') ? -1 : 1));

/** The entries of the object `get` reads, once some component has written its status. */
async function afterStatusWrite(get: () => Promise<KubeObject>, what: string): Promise<Entry[]> {
  const o = await eventually(async () => {
    const got = await get();
    return entries(got).some((e) => e.subresource === 'status') && got;
  }, what);
  return entries(o);
}

describe('field managers of the control plane\'s writes', () => {
  let dataDir: string;
  let cp: ControlPlane;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'bosun-field-managers-'));
    cp = await startControlPlane({ dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory' });
  });
  after(async () => {
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('controllers write as kube-controller-manager: the ReplicaSet and pod they create, the Deployment status they update', async () => {
    const labels = { app: 'fm-web' };
    await cp.client.deployments('default').create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fm-web' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    }, { fieldManager: 'kubectl-create' });
    const deploy = await afterStatusWrite(() => cp.client.deployments('default').get('fm-web'), 'the Deployment controller\'s status write');
    assert.deepEqual(deploy, [
      { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' },
      { manager: 'kubectl-create', operation: 'Update' },
    ]);
    const [rs] = (await cp.client.replicaSets('default').list()).items;
    assert.ok(rs);
    assert.equal(entries(rs)[0]?.manager, 'kube-controller-manager', 'the ReplicaSet the Deployment controller created');
    const pod = await eventually(async () => (await cp.client.pods('default').list({ labelSelector: 'app=fm-web' })).items[0], 'the ReplicaSet\'s pod');
    assert.deepEqual(entries(pod)[0], { manager: 'kube-controller-manager', operation: 'Update' });
  });

  test('the scheduler writes as kube-scheduler: the PodScheduled condition of a pod that fits nowhere', async () => {
    await cp.client.pods('default').create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fm-pending' }, spec: { containers: [{ name: 'c', image: 'x' }] },
    }, { fieldManager: 'kubectl-run' });
    const pod = await afterStatusWrite(() => cp.client.pods('default').get('fm-pending'), 'the scheduler\'s status write');
    assert.deepEqual(pod, [
      { manager: 'kube-scheduler', operation: 'Update', subresource: 'status' },
      { manager: 'kubectl-run', operation: 'Update' },
    ]);
  });
});
