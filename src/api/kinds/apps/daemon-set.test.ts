/**
 * apps/v1 DaemonSet on an in-process API server, as upstream's pkg/registry/apps/daemonset
 * strategy and pkg/apis/apps/validation: the deprecated.daemonset.template.generation annotation
 * (1 on create, +1 only when the template changes, not settable by clients), generation, OnDelete
 * defaults, spec.selector immutable, template labels matching the selector, and status written
 * only through /status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resources } from '../../../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../../../testing/controller-env.js';
import { StatusError } from '../../status.js';
import type { DaemonSet } from './daemon-set.js';

const NS = 'ds-kind';
const GEN = 'deprecated.daemonset.template.generation';

function ds(name: string, extra: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: NS },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } }, ...extra },
  } as DaemonSet;
}

describe('apps/v1 DaemonSet (API)', () => {
  let env: ClientEnv;
  before(async () => {
    env = await startClientEnv({ namespace: NS });
  });
  after(async () => {
    await env?.stop();
  });
  const api = () => env.client.resource<DaemonSet>(resources.daemonsets, NS);

  it('counts template generations in the annotation and bumps generation on spec changes only', async () => {
    const created = await api().create({ ...ds('gen'), metadata: { name: 'gen', namespace: NS, annotations: { [GEN]: '42' } } });
    assert.equal(created.metadata.annotations?.[GEN], '1', 'clients cannot set it');
    assert.equal(created.metadata.generation, 1);
    assert.deepEqual(created.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    const limit = await api().patch('gen', 'merge', { spec: { revisionHistoryLimit: 3 } });
    assert.equal(limit.metadata.annotations?.[GEN], '1');
    assert.equal(limit.metadata.generation, 2);
    const image = await api().patch('gen', 'merge', { spec: { template: { spec: { containers: [{ name: 'c', image: 'i:2' }] } } } });
    assert.equal(image.metadata.annotations?.[GEN], '2');
    assert.equal(image.metadata.generation, 3);
    const label = await api().patch('gen', 'merge', { metadata: { labels: { x: 'y' } } });
    assert.equal(label.metadata.annotations?.[GEN], '2');
    assert.equal(label.metadata.generation, 3);
  });

  it('OnDelete gets no rollingUpdate defaults; RollingUpdate without rollingUpdate is defaulted', async () => {
    const onDelete = await api().create(ds('ondel', { updateStrategy: { type: 'OnDelete' } }));
    assert.deepEqual(onDelete.spec?.updateStrategy, { type: 'OnDelete' });
    const pct = await api().create(ds('pct', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } } }));
    assert.deepEqual(pct.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } });
  });

  it('refuses a selector change, labels that do not match, a bad percentage, and restartPolicy other than Always (422)', async () => {
    const expect422 = async (p: Promise<unknown>, re: RegExp) => {
      const err = await p.catch((e: unknown) => e);
      assert.ok(err instanceof StatusError && err.code === 422, String(err));
      assert.match(err.message, re);
    };
    await expect422(api().patch('pct', 'merge', { spec: { selector: { matchLabels: { app: 'other' } } } }), /spec\.selector: Invalid value: .*field is immutable/);
    const mismatch = ds('mismatch');
    mismatch.spec!.template.metadata!.labels = { app: 'nope' };
    await expect422(api().create(mismatch), /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
    await expect422(api().create(ds('pct2', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '110%' } } })), /spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: "110%": must not be greater than 100%/);
    const never = ds('never');
    never.spec!.template.spec!.restartPolicy = 'Never';
    await expect422(api().create(never), /spec\.template\.spec\.restartPolicy: Unsupported value: "Never": supported values: "Always"/);
  });

  it('ignores status on the main resource and takes it through /status', async () => {
    const cur = await api().get('pct');
    const main = await api().update({ ...cur, status: { ...cur.status!, desiredNumberScheduled: 9 } });
    assert.equal(main.status?.desiredNumberScheduled, 0);
    const viaStatus = await api().updateStatus({ ...main, status: { ...main.status!, desiredNumberScheduled: 9 } });
    assert.equal(viaStatus.status?.desiredNumberScheduled, 9);
  });
});
