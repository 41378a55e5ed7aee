/**
 * Server-side apply, against what kube-apiserver records and answers (structured-merge-diff
 * semantics; managedFields shapes as seen on real clusters). Update tracking on its own:
 * update-tracking.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, trackUpdate } from './apply.js';
import { StatusError } from '../../../api/status.js';
import type { JsonObject } from '../json-value.js';
import { base, config, fields, opts, stored, T1, T2 } from './testing/deployment-fixtures.js';

test('apply on create: the applier owns exactly what it sent, in FieldsV1', () => {
  const { object, managedFields } = apply(undefined, config(), opts('kubectl'));
  assert.deepEqual(managedFields, [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': {
            '.': {}, 'f:image': {}, 'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          } } },
        },
      },
    },
  }]);
  assert.equal((object.spec as any).replicas, 2);
  assert.deepEqual((object.metadata as any).managedFields, managedFields);
});

test('re-apply without a label removes it; without a container removes it with its defaults', () => {
  const one = stored(apply(undefined, config({
    labels: { app: 'web', tier: 'fe' },
    containers: [{ name: 'web', image: 'nginx' }, { name: 'side', image: 'busybox' }],
  }), opts('kubectl')).object);
  const { object } = apply(one, config({ containers: [{ name: 'web', image: 'nginx' }] }), opts('kubectl', T2));
  const o = object as any;
  assert.deepEqual(o.metadata.labels, { app: 'web' });
  assert.deepEqual(o.spec.template.spec.containers, [{ name: 'web', image: 'nginx', imagePullPolicy: 'IfNotPresent' }]);
  assert.equal(o.spec.revisionHistoryLimit, 10, 'unowned defaulted fields stay');
  assert.equal(o.metadata.uid, 'u1');
  assert.equal(o.metadata.managedFields[0].time, T2);
});

test('a field the applier drops survives when another manager owns it too', () => {
  const one = stored(apply(undefined, config({ labels: { app: 'web', tier: 'fe' } }), opts('a')).object);
  const two = apply(one, config({ labels: { app: 'web', tier: 'fe' } }), opts('b')).object; // same value: shared
  const three = apply(two, config({ labels: { app: 'web' } }), opts('a', T2)).object as any;
  assert.deepEqual(three.metadata.labels, { app: 'web', tier: 'fe' });
  assert.deepEqual(fields(three, 'a')['f:metadata'], { 'f:labels': { 'f:app': {} } });
  assert.deepEqual(fields(three, 'b')['f:metadata'], { 'f:labels': { 'f:app': {}, 'f:tier': {} } });
});

test('apply over a client-side-apply Update with another replicas: 409 naming the manager and field', () => {
  const created = trackUpdate(undefined, stored(config()), { ...base, manager: 'kubectl-client-side-apply', now: T1 }).object;
  assert.throws(() => apply(created, config({ replicas: 5 }), opts('helm', T2)), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    assert.deepEqual(e.status.details?.causes, [{
      reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas',
    }]);
    return true;
  });
  // Same values everywhere: no conflict, ownership shared.
  const shared = apply(created, config(), opts('helm', T2)).object;
  assert.ok(fields(shared, 'helm')['f:spec']['f:replicas']);
  assert.ok(fields(shared, 'kubectl-client-side-apply', 'Update')['f:spec']['f:replicas']);
});

test('force takes ownership away from the other manager', () => {
  const created = trackUpdate(undefined, stored(config()), { ...base, manager: 'kubectl-client-side-apply', now: T1 }).object;
  const { object } = apply(created, config({ replicas: 5, containers: [{ name: 'web', image: 'nginx:1.26', ports: [{ containerPort: 80 }] }] }),
    opts('kubectl', T2, { force: true }));
  const o = object as any;
  assert.equal(o.spec.replicas, 5);
  assert.equal(o.spec.template.spec.containers[0].image, 'nginx:1.26');
  const csa = fields(object, 'kubectl-client-side-apply', 'Update');
  assert.equal(csa['f:spec']['f:replicas'], undefined);
  assert.equal(csa['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:image'], undefined);
  assert.ok(csa['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:imagePullPolicy']);
  assert.ok(fields(object, 'kubectl')['f:spec']['f:replicas']);
});

test('kubectl scale (Update on the scale subresource) then apply with other replicas conflicts', () => {
  const created = apply(undefined, config(), opts('kubectl')).object;
  const scaled = structuredClone(stored(created)) as any;
  scaled.spec.replicas = 4;
  const afterScale = trackUpdate(stored(created), scaled, { ...base, manager: 'kubectl', subresource: 'scale', now: T2 }).object;
  const entries = (afterScale.metadata as any).managedFields;
  assert.deepEqual(entries.map((e: any) => [e.manager, e.operation, e.subresource]), [['kubectl', 'Apply', undefined], ['kubectl', 'Update', 'scale']]);
  assert.deepEqual(entries[1].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(entries[0].fieldsV1['f:spec']['f:replicas'], undefined, 'the scale took replicas from the applier');
  assert.throws(() => apply(afterScale, config({ replicas: 2 }), opts('kubectl', T2)), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
    return true;
  });
  // Applying the scaled value is fine.
  assert.doesNotThrow(() => apply(afterScale, config({ replicas: 4 }), opts('kubectl', T2)));
});

test('several conflicts: grouped by manager in the message, one cause each', () => {
  const created = trackUpdate(undefined, stored(config()), { ...base, manager: 'm1', now: T1 }).object;
  assert.throws(() => apply(created, config({ replicas: 9, labels: { app: 'other' } }), opts('kubectl', T2)), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.message, 'Apply failed with 2 conflicts: conflicts with "m1" using apps/v1:\n- .metadata.labels.app\n- .spec.replicas');
    assert.deepEqual(e.status.details?.causes?.map((c) => c.field), ['.metadata.labels.app', '.spec.replicas']);
    return true;
  });
});

test('apply: finalizers are a set (v: elements), ports merge by key with defaulted protocol', () => {
  const live = stored(apply(undefined, config(), opts('kubectl')).object);
  const cfg = config({ containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] }) as any;
  cfg.metadata.finalizers = ['example.com/a'];
  const { object } = apply(live, cfg, opts('kubectl', T2));
  const o = object as any;
  assert.deepEqual(o.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]);
  assert.deepEqual(fields(object, 'kubectl')['f:metadata']['f:finalizers'], { 'v:"example.com/a"': {} });
});

test('apply: list order follows the configuration, live-only items keep their place', () => {
  const live = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'x' }, { name: 'b' }] } };
  const { object } = apply(live, { apiVersion: 'v1', metadata: { name: 'p' }, spec: { containers: [{ name: 'b' }, { name: 'a' }, { name: 'c' }] } },
    { ...base, apiVersion: 'v1', manager: 'm', now: T1 });
  assert.deepEqual((object as any).spec.containers.map((c: any) => c.name), ['x', 'b', 'a', 'c']);
});

test('apply: atomic values are replaced, granular maps merged, null removes', () => {
  const live = { metadata: { name: 'p', labels: { a: '1' } }, spec: { nodeSelector: { x: '1' }, tolerations: [{ key: 'k' }] } };
  // Forced: the untracked live fields belong to before-first-apply.
  const { object } = apply(live, { apiVersion: 'v1', metadata: { name: 'p', labels: { b: '2' } }, spec: { nodeSelector: { y: '2' }, tolerations: [{ key: 'j' }], extra: null } },
    { ...base, apiVersion: 'v1', manager: 'm', now: T1, force: true });
  assert.deepEqual(object, {
    apiVersion: 'v1',
    metadata: { name: 'p', labels: { a: '1', b: '2' }, managedFields: (object.metadata as any).managedFields },
    spec: { nodeSelector: { y: '2' }, tolerations: [{ key: 'j' }] },
  });
  assert.deepEqual(fields(object, 'm')['f:spec'], { 'f:extra': {}, 'f:nodeSelector': {}, 'f:tolerations': {} });
});

test('apply errors: managedFields in the configuration, wrong or missing apiVersion', () => {
  const withMf = config() as any;
  withMf.metadata.managedFields = [];
  assert.throws(() => apply(undefined, withMf, opts('k')), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
  const wrong = config() as any;
  wrong.apiVersion = 'apps/v1beta1';
  assert.throws(() => apply(undefined, wrong, opts('k')), (e: unknown) => e instanceof StatusError && e.code === 400);
  // structuredMergeManager.Apply compares the configuration's GroupVersion: none is not the resource's either.
  const missing = config() as any;
  delete missing.apiVersion;
  assert.throws(() => apply(undefined, missing, opts('k')), (e: unknown) => e instanceof StatusError && e.code === 400
    && e.message === 'Incorrect version specified in apply patch. Specified patch version: , expected: apps/v1');
});

test('apply leaves its inputs untouched and a no-op re-apply keeps the time', () => {
  const cfg = config();
  const snapshot = structuredClone(cfg);
  const first = stored(apply(undefined, cfg, opts('kubectl')).object);
  const firstSnap = structuredClone(first);
  const again = apply(first, cfg, opts('kubectl', T2));
  assert.deepEqual(cfg, snapshot);
  assert.deepEqual(first, firstSnap);
  assert.equal(again.managedFields[0]!.time, T1);
  assert.deepEqual(again.object, first);
});

test('apply errors: map-list item without its key, duplicate items (400, naming the object as objectGVKNN)', () => {
  const typed = 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: ';
  assert.throws(() => apply(undefined, config({ containers: [{ image: 'x' }] }), opts('k')), (e: unknown) =>
    e instanceof StatusError && e.code === 400
    && e.message === `${typed}element 0: associative list with keys has an element that omits key field "name" (and doesn't have default value)`);
  assert.throws(() => apply(undefined, config({ containers: [{ name: 'a' }, { name: 'a' }] }), opts('k')), (e: unknown) =>
    e instanceof StatusError && e.code === 400 && e.message === `${typed}duplicate entries for key [name="a"]`);
});

test('kubectl --server-side takes over from client-side apply: annotation fields equal to live do not conflict', () => {
  const LAST = 'kubectl.kubernetes.io/last-applied-configuration';
  const withAnnotation = (cfg: JsonObject) => {
    const o = structuredClone(cfg) as any;
    o.metadata.annotations = { [LAST]: JSON.stringify(cfg) + '\n' };
    return o;
  };
  const created = trackUpdate(undefined, stored(withAnnotation(config())), { ...base, manager: 'kubectl-client-side-apply', now: T1 }).object;
  const { object } = apply(created, config({ replicas: 5 }), opts('kubectl', T2));
  const o = object as any;
  assert.equal(o.spec.replicas, 5);
  assert.equal(fields(object, 'kubectl-client-side-apply', 'Update')['f:spec']['f:replicas'], undefined);
  // The annotation now holds the applied configuration, encoded as Go does (sorted keys).
  assert.deepEqual(JSON.parse(o.metadata.annotations[LAST]), config({ replicas: 5 }));
  assert.ok(o.metadata.annotations[LAST].startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":'));
  assert.ok(o.metadata.annotations[LAST].endsWith('}\n'));
  const html = apply(created, { ...config(), metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { x: '<a&b>' } } }, opts('kubectl', T2)).object as any;
  assert.ok(html.metadata.annotations[LAST].includes('"x":"\\u003ca\\u0026b\\u003e"'), html.metadata.annotations[LAST]);
  // A field changed since the last client-side apply (here by an edit) still conflicts.
  const edited = structuredClone(created) as any;
  edited.spec.replicas = 3;
  const tracked = trackUpdate(created, edited, { ...base, manager: 'kubectl-edit', now: T2 }).object;
  assert.throws(() => apply(tracked, config({ replicas: 5 }), opts('kubectl', T2)), /conflict with "kubectl-edit" using apps\/v1: \.spec\.replicas/);
});

test('apply: a null for a field another manager owns conflicts (structured-merge-diff keeps the null: a modification)', () => {
  const withHost = config() as any;
  withHost.spec.template.spec.hostname = 'h';
  const live = stored(apply(undefined, withHost, opts('a')).object);
  const nulling = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { hostname: null } } } };
  assert.throws(() => apply(live, nulling, opts('b', T2)),
    (e: unknown) => e instanceof StatusError && e.code === 409 && e.message === 'Apply failed with 1 conflict: conflict with "a": .spec.template.spec.hostname');
  const forced = apply(live, nulling, opts('b', T2, { force: true }));
  assert.equal((forced.object as any).spec.template.spec.hostname, undefined);
  assert.equal(fields(forced.object, 'a')['f:spec']['f:template']['f:spec']['f:hostname'], undefined);
  assert.deepEqual(fields(forced.object, 'b'), { 'f:spec': { 'f:template': { 'f:spec': { 'f:hostname': {} } } } });
});
