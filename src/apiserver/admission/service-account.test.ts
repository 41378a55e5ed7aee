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

describe('ServiceAccount admission: the kube-api-access volume (upstream mountServiceAccountToken)', () => {
  const withSa = (automount?: boolean) => async (ns: string, name: string): Promise<ServiceAccount> =>
    ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) });
  const mounts = (c: unknown) => (c as { volumeMounts?: unknown[] }).volumeMounts;

  it('adds the projected volume and mounts it read-only in every init container and container', async () => {
    const p = pod({ initContainers: [{ name: 'i', image: 'i' }], containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] });
    await admitPodServiceAccount(p, 'ns', withSa());
    const spec = p.spec as { volumes: { name: string }[]; containers: unknown[]; initContainers: unknown[] };
    assert.equal(spec.volumes.length, 1);
    const name = spec.volumes[0]!.name;
    assert.match(name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(spec.volumes[0], {
      name,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      assert.deepEqual(mounts(c), [{ name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
  });

  it('honours automountServiceAccountToken: the pod\'s over the ServiceAccount\'s', async () => {
    const cases: { pod?: boolean; sa?: boolean; mounted: boolean }[] = [
      { sa: false, mounted: false }, { pod: false, mounted: false }, { pod: true, sa: false, mounted: true }, { pod: false, sa: true, mounted: false }, { mounted: true },
    ];
    for (const c of cases) {
      const p = pod(c.pod === undefined ? {} : { automountServiceAccountToken: c.pod });
      await admitPodServiceAccount(p, 'ns', withSa(c.sa));
      assert.equal(((p.spec as { volumes?: unknown[] }).volumes ?? []).length, c.mounted ? 1 : 0, JSON.stringify(c));
    }
  });

  it('leaves containers that mount something at the path alone, and reuses an existing kube-api-access volume', async () => {
    const own = { name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    const p = pod({ containers: [{ name: 'a', image: 'i', volumeMounts: [own] }], volumes: [{ name: 'mine', emptyDir: {} }] });
    await admitPodServiceAccount(p, 'ns', withSa());
    assert.deepEqual((p.spec as { volumes: unknown[] }).volumes, [{ name: 'mine', emptyDir: {} }], 'no container needs it: no volume');
    const q = pod({ containers: [{ name: 'a', image: 'i' }], volumes: [{ name: 'kube-api-access-abcde', emptyDir: {} }] });
    await admitPodServiceAccount(q, 'ns', withSa());
    assert.equal((q.spec as { volumes: unknown[] }).volumes.length, 1);
    assert.equal((mounts((q.spec as { containers: unknown[] }).containers[0]) as { name: string }[])[0]!.name, 'kube-api-access-abcde');
  });

  it('mounts nothing when the default ServiceAccount does not exist yet', async () => {
    const p = pod({});
    await admitPodServiceAccount(p, 'ns', async () => undefined);
    assert.equal((p.spec as { volumes?: unknown[] }).volumes, undefined);
  });
});
