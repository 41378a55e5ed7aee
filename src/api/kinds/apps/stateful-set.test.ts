/**
 * apps/v1 StatefulSet on an in-process API server, as upstream's pkg/apis/apps/v1/defaults.go,
 * pkg/apis/apps/validation (ValidateStatefulSet, ValidateStatefulSetUpdate) and
 * pkg/registry/apps/statefulset: defaults, 422s naming the field, the spec fields that may change,
 * status only through /status, and the scale subresource.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resources } from '../../../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../../../testing/controller-env.js';
import { StatusError } from '../../status.js';
import type { StatefulSet } from './stateful-set.js';

const NS = 'sts-kind';

function sts(name: string, extra: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: NS },
    spec: {
      serviceName: name, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
      ...extra,
    },
  } as StatefulSet;
}

async function rejected(p: Promise<unknown>): Promise<StatusError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof StatusError, `expected a Status error, got ${String(err)}`);
  return err;
}

describe('apps/v1 StatefulSet (API)', () => {
  let env: ClientEnv;
  before(async () => {
    env = await startClientEnv({ namespace: NS });
  });
  after(async () => {
    await env?.stop();
  });
  const api = () => env.client.resource<StatefulSet>(resources.statefulsets, NS);

  it('defaults as SetDefaults_StatefulSet', async () => {
    const s = await api().create(sts('defaults', { volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }));
    assert.equal(s.spec?.replicas, 1);
    assert.equal(s.spec?.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(s.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    assert.deepEqual(s.spec?.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(s.spec?.revisionHistoryLimit, 10);
    assert.equal(s.spec?.volumeClaimTemplates?.[0]?.spec?.volumeMode, 'Filesystem');
    assert.deepEqual(s.status, { replicas: 0, availableReplicas: 0 });
    assert.equal(s.metadata.generation, 1);
  });

  const invalid: [string, Partial<NonNullable<StatefulSet['spec']>>, RegExp][] = [
    ['negative replicas', { replicas: -1 }, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/],
    ['negative partition', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } }, /spec\.updateStrategy\.rollingUpdate\.partition: Invalid value: -1: must be greater than or equal to 0/],
    ['maxUnavailable 0%', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0%' } } }, /spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: "0%": cannot be 0/],
    ['a retention policy value', { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } }, /spec\.persistentVolumeClaimRetentionPolicy\.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"/],
    ['negative ordinals.start', { ordinals: { start: -2 } }, /spec\.ordinals\.start: Invalid value: -2: must be greater than or equal to 0/],
    ['a claim template without access modes', { volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { resources: { requests: { storage: '1Gi' } } } }] }, /spec\.volumeClaimTemplates\[0\]\.spec\.accessModes: Required value/],
    ['restartPolicy Never', { template: { metadata: { labels: { app: 'bad' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } }, /spec\.template\.spec\.restartPolicy: Unsupported value: "Never": supported values: "Always"/],
  ];
  for (const [what, spec, message] of invalid) {
    it(`refuses ${what} with 422 naming the field`, async () => {
      const err = await rejected(api().create(sts('bad', spec)));
      assert.equal(err.code, 422);
      assert.match(err.message, message);
    });
  }

  it('lets replicas, template, updateStrategy, ordinals, retention, minReadySeconds, revisionHistoryLimit change; nothing else', async () => {
    await api().create(sts('upd'));
    const ok = await api().patch('upd', 'merge', {
      spec: { replicas: 2, minReadySeconds: 3, revisionHistoryLimit: 2, ordinals: { start: 1 }, updateStrategy: { type: 'OnDelete', rollingUpdate: null }, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } },
    });
    assert.equal(ok.metadata.generation, 2);
    for (const spec of [{ serviceName: 'other' }, { podManagementPolicy: 'Parallel' }]) {
      const err = await rejected(api().patch('upd', 'merge', { spec }));
      assert.equal(err.code, 422);
      assert.match(err.message, /spec: Forbidden: updates to statefulset spec for fields other than/);
    }
    const sel = await rejected(api().patch('upd', 'merge', { spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } } } } }));
    assert.match(sel.message, /spec\.selector: Invalid value: .*field is immutable/);
  });

  it('takes status only through /status, and scale through /scale', async () => {
    const s = await api().create(sts('sub'));
    const plain = await api().update({ ...s, status: { replicas: 5 } });
    assert.equal(plain.status?.replicas, 0, 'status ignored on the main resource');
    const st = await api().updateStatus({ ...plain, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 } });
    assert.equal(st.status?.readyReplicas, 1);
    const scale = await api().patchScale('sub', 4);
    assert.equal(scale.spec.replicas, 4);
    assert.equal((await api().getScale('sub')).status?.selector, 'app=sub');
    assert.equal((await api().get('sub')).spec?.replicas, 4);
  });
});
