/**
 * The APF bootstrap configuration is kept at every start, as upstream's ensurer
 * (pkg/registry/flowcontrol/ensurer): a deleted suggested FlowSchema is created again; a suggested
 * level whose spec was changed is put back while it keeps apf.kubernetes.io/autoupdate-spec "true",
 * and left as its owner made it when annotated "false"; the exempt level's `spec.exempt` is the
 * administrator's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { startTestServer } from '../../testing/test-cluster.js';

test('a restart restores the bootstrap APF objects, except where autoupdate-spec is false', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-apf-ensure-'));
  try {
    let ts = await startTestServer({ store: 'sqlite', dataDir });
    let admin = KubeClient.fromKubeconfig(ts.kubeconfig);
    const levels = () => admin.resource(resources.prioritylevelconfigurations);
    const shares = async (name: string) => (await levels().get(name)).spec?.limited?.nominalConcurrencyShares;
    const setShares = async (name: string, n: number, annotations?: Record<string, string>) => {
      const pl = await levels().get(name);
      await levels().update({ ...pl, metadata: { ...pl.metadata, annotations: { ...pl.metadata.annotations, ...annotations } }, spec: { ...pl.spec!, limited: { ...pl.spec!.limited, nominalConcurrencyShares: n } } });
    };
    await setShares('global-default', 50);
    await setShares('workload-low', 7, { 'apf.kubernetes.io/autoupdate-spec': 'false' });
    const exempt = await levels().get('exempt');
    await levels().update({ ...exempt, spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 10, lendablePercent: 0 } } });
    await admin.resource(resources.flowschemas).delete('service-accounts');
    admin.close();
    await ts.stop();

    ts = await startTestServer({ store: 'sqlite', dataDir });
    admin = KubeClient.fromKubeconfig(ts.kubeconfig);
    try {
      assert.equal(await shares('global-default'), 20, 'autoupdate-spec "true": the bootstrap spec is put back');
      assert.equal(await shares('workload-low'), 7, 'autoupdate-spec "false": left alone');
      assert.equal((await levels().get('exempt')).spec?.exempt?.nominalConcurrencyShares, 10);
      const sa = await admin.resource(resources.flowschemas).get('service-accounts');
      assert.equal(sa.spec?.priorityLevelConfiguration.name, 'workload-low');
      assert.equal(sa.metadata.annotations?.['apf.kubernetes.io/autoupdate-spec'], 'true');
    } finally {
      admin.close();
      await ts.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
