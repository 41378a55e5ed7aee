/** The ServiceAccount admission plugin's decisions (upstream plugin/pkg/admission/serviceaccount). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceAccount } from '../../api/kinds/core/service-account.js';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import { admitPodServiceAccount, MIRROR_POD_ANNOTATION } from './service-account.js';

const accounts: Record<string, ServiceAccount> = {
  'ns/default': { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'ns' } },
  'ns/puller': { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller', namespace: 'ns' }, imagePullSecrets: [{ name: 'regcred' }] },
};
const lookup = async (ns: string, name: string) => accounts[`${ns}/${name}`];
const pod = (spec: object, annotations?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } }) as KubeObject;

describe('ServiceAccount admission', () => {
  const cases: { what: string; spec: object; want: object }[] = [
    { what: 'none named: default', spec: {}, want: { serviceAccountName: 'default', serviceAccount: 'default' } },
    { what: 'the deprecated field alone', spec: { serviceAccount: 'puller' }, want: { serviceAccountName: 'puller', serviceAccount: 'puller' } },
    { what: 'both: serviceAccountName wins', spec: { serviceAccountName: 'default', serviceAccount: 'puller' }, want: { serviceAccountName: 'default', serviceAccount: 'default' } },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const p = pod(c.spec);
      await admitPodServiceAccount(p, 'ns', lookup);
      const spec = p.spec as Record<string, unknown>;
      assert.deepEqual({ serviceAccountName: spec.serviceAccountName, serviceAccount: spec.serviceAccount }, c.want);
    });
  }

  it("copies the ServiceAccount's imagePullSecrets to a pod that has none, not over its own", async () => {
    const p = pod({ serviceAccountName: 'puller' });
    await admitPodServiceAccount(p, 'ns', lookup);
    assert.deepEqual((p.spec as { imagePullSecrets?: unknown }).imagePullSecrets, [{ name: 'regcred' }]);
    const own = pod({ serviceAccountName: 'puller', imagePullSecrets: [{ name: 'mine' }] });
    await admitPodServiceAccount(own, 'ns', lookup);
    assert.deepEqual((own.spec as { imagePullSecrets?: unknown }).imagePullSecrets, [{ name: 'mine' }]);
  });

  it('refuses a missing ServiceAccount with 403 and upstream message', async () => {
    await assert.rejects(admitPodServiceAccount(pod({ serviceAccountName: 'nope' }), 'ns', lookup), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 403);
      assert.equal(e.status.reason, 'Forbidden');
      assert.equal(e.message, 'pods "p" is forbidden: error looking up service account ns/nope: serviceaccount "nope" not found');
      return true;
    });
  });

  it('admits a pod whose default ServiceAccount is not made yet (no controller manager; see the module comment)', async () => {
    const p = pod({});
    await admitPodServiceAccount(p, 'empty', lookup);
    assert.equal((p.spec as { serviceAccountName?: string }).serviceAccountName, 'default');
  });

  it('leaves mirror pods alone and refuses one that names a ServiceAccount', async () => {
    const mirror = pod({}, { [MIRROR_POD_ANNOTATION]: 'x' });
    await admitPodServiceAccount(mirror, 'ns', lookup);
    assert.equal((mirror.spec as { serviceAccountName?: string }).serviceAccountName, undefined);
    await assert.rejects(admitPodServiceAccount(pod({ serviceAccountName: 'default' }, { [MIRROR_POD_ANNOTATION]: 'x' }), 'ns', lookup), /a mirror pod may not reference service accounts/);
  });
});
