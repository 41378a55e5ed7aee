/**
 * Controller history as upstream's pkg/controller/history (controller_history.go and its tests):
 * names `<owner>-<hash>`, the hash changes with the collision count, equality by hash label then
 * data, sort by revision/creation/name, truncation skipping live revisions; and, against an
 * in-process API server, the apps/v1 ControllerRevision kind (validation, immutable data, printer
 * columns) and CreateControllerRevision's collision handling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resources } from '../../client/resource-ref.js';
import { StatusError } from '../../api/status.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import {
  CONTROLLER_REVISION_HASH_LABEL, controllerRevisionName, equalRevision, findEqualRevisions, hashControllerRevision, newControllerRevision,
  nextRevision, ownedRevisions, RevisionWriter, revisionsToTruncate, sortControllerRevisions, type ControllerRevision,
} from './history.js';

const parent = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'ns', uid: 'u-1' } };

function rev(name: string, revision: number, extra: Partial<ControllerRevision['metadata']> = {}, data: unknown = { n: name }): ControllerRevision {
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, namespace: 'ns', ...extra }, data, revision };
}

describe('controller history (pure)', () => {
  it('names revisions <owner>-<hash> and cuts long prefixes to 223 characters', () => {
    assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
    assert.equal(controllerRevisionName('x'.repeat(300), 'h').length, 225);
  });

  it('hashes data with the collision count; equal data gives equal hashes whatever the key order', () => {
    const a = hashControllerRevision({ data: { spec: { a: 1, b: 2 } } });
    assert.equal(a, hashControllerRevision({ data: { spec: { b: 2, a: 1 } } }));
    assert.notEqual(a, hashControllerRevision({ data: { spec: { a: 1, b: 2 } } }, 1));
    assert.notEqual(hashControllerRevision({ data: { spec: { a: 1, b: 2 } } }, 1), hashControllerRevision({ data: { spec: { a: 1, b: 2 } } }, 2));
    assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('NewControllerRevision labels, owns and names the revision', () => {
    const cr = newControllerRevision(parent, 'apps/v1', 'DaemonSet', { app: 'x' }, { spec: { template: {} } }, 3, 0);
    const hash = cr.metadata.labels![CONTROLLER_REVISION_HASH_LABEL]!;
    assert.equal(cr.metadata.name, `ds-${hash}`);
    assert.equal(cr.metadata.labels!.app, 'x');
    assert.equal(cr.revision, 3);
    assert.deepEqual(cr.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
  });

  it('EqualRevision compares hash labels when both have one, else data', () => {
    const l = (h: string, data: unknown) => rev('r', 1, { labels: { [CONTROLLER_REVISION_HASH_LABEL]: h } }, data);
    assert.ok(equalRevision(l('h1', { a: 1 }), l('h1', { a: 2 })));
    assert.ok(!equalRevision(l('h1', { a: 1 }), l('h2', { a: 1 })));
    assert.ok(equalRevision(rev('a', 1, {}, { a: 1 }), rev('b', 2, {}, { a: 1 })));
    assert.ok(!equalRevision(rev('a', 1, {}, { a: 1 }), rev('b', 2, {}, { a: 2 })));
    assert.deepEqual(findEqualRevisions([rev('a', 1, {}, { a: 1 }), rev('b', 2, {}, { a: 2 })], rev('c', 3, {}, { a: 2 })).map((r) => r.metadata.name), ['b']);
  });

  it('sorts by revision, then creation time, then name; NextRevision is max + 1', () => {
    const revs = [
      rev('c', 2, { creationTimestamp: '2024-01-01T00:00:00Z' }), rev('b', 2, { creationTimestamp: '2024-01-01T00:00:00Z' }),
      rev('a', 2, { creationTimestamp: '2025-01-01T00:00:00Z' }), rev('z', 1),
    ];
    assert.deepEqual(sortControllerRevisions(revs).map((r) => r.metadata.name), ['z', 'b', 'c', 'a']);
    assert.equal(nextRevision(revs), 3);
    assert.equal(nextRevision([]), 1);
  });

  it('truncates the oldest revisions beyond the limit, skipping those in use', () => {
    const old = [rev('r3', 3), rev('r1', 1), rev('r2', 2), rev('r4', 4)];
    assert.deepEqual(revisionsToTruncate(old, 2, () => false).map((r) => r.metadata.name), ['r1', 'r2']);
    assert.deepEqual(revisionsToTruncate(old, 2, (r) => r.metadata.name === 'r1').map((r) => r.metadata.name), ['r2', 'r3']);
    assert.deepEqual(revisionsToTruncate(old, 10, () => false), []);
    assert.equal(revisionsToTruncate(old, 0, () => false).length, 4);
  });

  it('owned revisions are those whose controller ref carries the parent uid', () => {
    const mine = rev('m', 1, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u-1', controller: true }] });
    const other = rev('o', 1, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u-2', controller: true }] });
    assert.deepEqual(ownedRevisions(parent, [mine, other, rev('orphan', 1)]).map((r) => r.metadata.name), ['m']);
  });
});

describe('ControllerRevision on the API server', () => {
  let env: ClientEnv;
  before(async () => {
    env = await startClientEnv({ namespace: 'hist-ns' });
  });
  after(async () => {
    await env?.stop();
  });
  const api = () => env.client.resource<ControllerRevision>(resources.controllerrevisions, 'hist-ns');

  it('refuses a revision without data or with a negative revision (422 naming the field), and data is immutable', async () => {
    const noData = await api().create({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'nodata' }, revision: 1 }).catch((e: unknown) => e);
    assert.ok(noData instanceof StatusError && noData.code === 422, JSON.stringify(noData));
    assert.match(noData.message, /data: Required value/);
    const neg = await api().create(rev('neg', -1, { namespace: 'hist-ns' })).catch((e: unknown) => e);
    assert.ok(neg instanceof StatusError && neg.code === 422 && /revision: Invalid value: -1/.test(neg.message), String(neg));

    const created = await api().create(rev('ok', 1, { namespace: 'hist-ns' }, { spec: { a: 1 } }));
    const bumped = await api().update({ ...created, revision: 5 });
    assert.equal(bumped.revision, 5);
    const changed = await api().update({ ...bumped, data: { spec: { a: 2 } } }).catch((e: unknown) => e);
    assert.ok(changed instanceof StatusError && changed.code === 422 && /data: Invalid value.*field is immutable/.test(changed.message), String(changed));
  });

  it('prints CONTROLLER and REVISION as kubectl get shows them', async () => {
    const owned = newControllerRevision({ ...parent, metadata: { ...parent.metadata, namespace: 'hist-ns' } }, 'apps/v1', 'DaemonSet', {}, { x: 1 }, 7);
    await api().create(owned);
    const out = await env.ts.kubectl(['get', 'controllerrevisions', '-n', 'hist-ns', owned.metadata.name!]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^NAME\s+CONTROLLER\s+REVISION\s+AGE\n/);
    assert.match(out.stdout, new RegExp(`${owned.metadata.name}\\s+daemonset\\.apps/ds\\s+7\\s+`));
  });

  it('CreateControllerRevision returns an equal existing revision and steps past a name collision', async () => {
    const writer = new RevisionWriter(env.client, 'hist-ns');
    const p = { ...parent, metadata: { ...parent.metadata, name: 'coll', namespace: 'hist-ns' } };
    const wanted = newControllerRevision(p, 'apps/v1', 'DaemonSet', {}, { spec: { v: 1 } }, 1);
    // Someone else's revision already holds the name collision count 0 gives.
    await api().create({ ...wanted, metadata: { ...wanted.metadata, name: controllerRevisionName('coll', hashControllerRevision(wanted, 0)) }, data: { spec: { v: 'other' } } });
    const collision = { count: 0 };
    const made = await writer.create(p, wanted, collision);
    assert.equal(collision.count, 1);
    assert.equal(made.metadata.name, controllerRevisionName('coll', hashControllerRevision(wanted, 1)));
    assert.deepEqual(made.data, { spec: { v: 1 } });
    const again = await writer.create(p, wanted, collision);
    assert.equal(again.metadata.uid, made.metadata.uid);
    assert.equal(collision.count, 1);
    await writer.updateRevisionNumber(made, 4);
    assert.equal((await api().get(made.metadata.name!)).revision, 4);
  });
});
