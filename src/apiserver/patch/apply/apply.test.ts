/**
 * Server-side apply and Update tracking, against what kube-apiserver records and answers
 * (structured-merge-diff semantics; managedFields shapes as seen on real clusters).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, trackUpdate, type ApplyOptions } from './apply.js';
import { testFieldInfo } from '../testdata/field-info.js';
import { StatusError } from '../../../api/status.js';
import type { JsonObject } from '../json-value.js';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:01:00Z';
const base = { apiVersion: 'apps/v1', fieldInfo: testFieldInfo };
const opts = (manager: string, now = T1, extra: Partial<ApplyOptions> = {}): ApplyOptions => ({ ...base, manager, now, ...extra });

function config(over: { replicas?: number; labels?: Record<string, string>; containers?: unknown[] } = {}): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: over.labels ?? { app: 'web' } },
    spec: {
      replicas: over.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: over.containers ?? [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

/** What the storage does after apply on create: server metadata and defaults nobody owns. */
function stored(obj: JsonObject): JsonObject {
  const o = structuredClone(obj) as any;
  Object.assign(o.metadata, { uid: 'u1', resourceVersion: '1', generation: 1, creationTimestamp: T1 });
  for (const c of o.spec.template.spec.containers) {
    c.imagePullPolicy ??= 'IfNotPresent';
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
  o.spec.revisionHistoryLimit ??= 10;
  return o;
}

const fields = (obj: JsonObject, manager: string, operation = 'Apply') =>
  ((obj.metadata as any).managedFields as any[]).find((e) => e.manager === manager && e.operation === operation)?.fieldsV1;

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

test('trackUpdate on create: labels, lists and items own themselves (`.`), empty structs are leaves', () => {
  const obj = stored(config());
  (obj as any).spec.template.spec.containers[0].resources = {};
  const { managedFields } = trackUpdate(undefined, obj, { ...base, manager: 'kubectl-create', now: T1 });
  assert.equal(managedFields.length, 1);
  assert.deepEqual(managedFields[0]!.fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {}, 'f:revisionHistoryLimit': {}, 'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { '.': {}, 'k:{"name":"web"}': {
          '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {},
          'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
          'f:resources': {},
        } } },
      },
    },
  });
});

test('trackUpdate moves changed fields, drops emptied entries, ignores no-ops', () => {
  const a = trackUpdate(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { x: '1' } }, { ...base, apiVersion: 'v1', manager: 'a', now: T1 }).object;
  const noop = trackUpdate(a, structuredClone(a), { ...base, apiVersion: 'v1', manager: 'b', now: T2 });
  assert.deepEqual(noop.managedFields.map((e) => [e.manager, e.time]), [['a', T1]]);
  const changed = structuredClone(a) as any;
  changed.data.x = '2';
  const b = trackUpdate(a, changed, { ...base, apiVersion: 'v1', manager: 'b', now: T2 });
  // a keeps the map it created (`.`), loses the key b changed.
  assert.deepEqual(b.managedFields.map((e) => [e.manager, e.fieldsV1]), [['a', { 'f:data': {} }], ['b', { 'f:data': { 'f:x': {} } }]]);
  const removed = structuredClone(b.object) as any;
  delete removed.data;
  assert.deepEqual(trackUpdate(b.object, removed, { ...base, apiVersion: 'v1', manager: 'c', now: T2 }).managedFields, []);
  assert.equal((trackUpdate(b.object, removed, { ...base, apiVersion: 'v1', manager: 'c', now: T2 }).object.metadata as any).managedFields, undefined);
});

test('trackUpdate: managedFields sent by the client replace the stored ones; [{}] resets them', () => {
  const a = trackUpdate(undefined, { metadata: { name: 'c' }, data: { x: '1' } }, { ...base, apiVersion: 'v1', manager: 'a', now: T1 }).object;
  const reset = structuredClone(a) as any;
  reset.metadata.managedFields = [{}];
  assert.deepEqual(trackUpdate(a, reset, { ...base, apiVersion: 'v1', manager: 'b', now: T2 }).managedFields, []);
  const untouched = structuredClone(a) as any;
  delete untouched.metadata.managedFields;
  assert.equal(trackUpdate(a, untouched, { ...base, apiVersion: 'v1', manager: 'b', now: T2 }).managedFields[0]!.manager, 'a');
});

test('ignoredFields: a status change through the main resource is owned by nobody', () => {
  const before = { metadata: { name: 'd' }, spec: { replicas: 1 }, status: { replicas: 1 } };
  const after = { metadata: { name: 'd' }, spec: { replicas: 2 }, status: { replicas: 2 } };
  const r = trackUpdate(before, after, { ...base, manager: 'm', now: T1, ignoredFields: [['status']] });
  assert.deepEqual(r.managedFields[0]!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
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
  const { object } = apply(live, { metadata: { name: 'p' }, spec: { containers: [{ name: 'b' }, { name: 'a' }, { name: 'c' }] } },
    { ...base, apiVersion: 'v1', manager: 'm', now: T1 });
  assert.deepEqual((object as any).spec.containers.map((c: any) => c.name), ['x', 'b', 'a', 'c']);
});

test('apply: atomic values are replaced, granular maps merged, null removes', () => {
  const live = { metadata: { name: 'p', labels: { a: '1' } }, spec: { nodeSelector: { x: '1' }, tolerations: [{ key: 'k' }] } };
  const { object } = apply(live, { metadata: { name: 'p', labels: { b: '2' } }, spec: { nodeSelector: { y: '2' }, tolerations: [{ key: 'j' }], extra: null } },
    { ...base, apiVersion: 'v1', manager: 'm', now: T1 });
  assert.deepEqual(object, {
    metadata: { name: 'p', labels: { a: '1', b: '2' }, managedFields: (object.metadata as any).managedFields },
    spec: { nodeSelector: { y: '2' }, tolerations: [{ key: 'j' }] },
  });
  assert.deepEqual(fields(object, 'm')['f:spec'], { 'f:extra': {}, 'f:nodeSelector': {}, 'f:tolerations': {} });
});

test('apply errors: managedFields in the configuration, wrong apiVersion', () => {
  const withMf = config() as any;
  withMf.metadata.managedFields = [];
  assert.throws(() => apply(undefined, withMf, opts('k')), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
  const wrong = config() as any;
  wrong.apiVersion = 'apps/v1beta1';
  assert.throws(() => apply(undefined, wrong, opts('k')), (e: unknown) => e instanceof StatusError && e.code === 400);
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

test('apply errors: map-list item without its key, duplicate items (400)', () => {
  assert.throws(() => apply(undefined, config({ containers: [{ image: 'x' }] }), opts('k')), (e: unknown) =>
    e instanceof StatusError && e.code === 400 && /omits key field "name"/.test(e.message));
  assert.throws(() => apply(undefined, config({ containers: [{ name: 'a' }, { name: 'a' }] }), opts('k')), (e: unknown) =>
    e instanceof StatusError && e.code === 400 && /duplicate entries for key \[name="a"\]/.test(e.message));
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

test('trackUpdate caps Update entries at 10, folding the oldest into ancient-changes', () => {
  let obj: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
  for (let i = 0; i < 12; i++) {
    const next = structuredClone(obj) as any;
    next.data[`k${i}`] = 'v';
    obj = trackUpdate(obj, next, { ...base, apiVersion: 'v1', manager: `m${i}`, now: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` }).object;
  }
  const entries = (obj.metadata as any).managedFields as any[];
  assert.equal(entries.length, 10);
  const ancient = entries.find((e) => e.manager === 'ancient-changes');
  // m0, m1 and m2 fold into one bucket carrying m2's time.
  assert.deepEqual(ancient.fieldsV1, { 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  assert.equal(ancient.time, '2026-01-01T00:00:02Z');
  assert.ok(!entries.some((e) => ['m0', 'm1', 'm2'].includes(e.manager)));
});
