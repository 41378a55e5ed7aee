/**
 * Requests a real client may send to subresources and patches, answered with upstream 1.32's code,
 * reason and wording, against an in-process server (memory store, no controllers):
 * - pods/binding and pods/eviction whose object names another namespace (the create handler's
 *   EnsureObjectNamespaceMatchesRequestNamespace, 400) or another or no name (BindingREST and
 *   EvictionREST.Create, 400); a Binding's uid and resourceVersion are storage preconditions (409);
 *   a body of another kind or group version is the decoder's 400 (transformDecodeError), as for a
 *   create or update of a built-in kind.
 * - PUT of an object, /status or /scale whose metadata.uid is not the stored one: the uid is a
 *   storage precondition (defaultUpdatedObjectInfo.Preconditions), 409 with the store's
 *   invalid-object text, also for a deleted object; a Scale's stale resourceVersion is 409; a
 *   patched Scale's uid is checked by the built-in kinds (409 on <plural>/scale), not by CRDs.
 * - a PUT body without a name is 400 (the update handler's checkName), and so is a patch whose
 *   result renames the object, drops its name or names another namespace (the patcher's).
 * - JSON patch errors: apply failures are NewGenericServerResponse(422) with its fixed message and
 *   no causes (evanphx/json-patch v4's replace of a missing key adds it); a body that is not a list of operations is jsonpatch.DecodePatch's 400, after the
 *   object is read (404 first); a strategic merge patch's plain Go error (a list item without its
 *   merge key) is 500 with no reason, as ErrorToAPIStatus answers an error that is not an API status.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../testing/eventually.js';
import { RawClient, type RawResponse } from '../../testing/raw-client.js';
import { startApiServer, type ApiServer } from '../server.js';

const NS = 'sr-a';
const OTHER = 'sr-b';
const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const REJECTED = 'the server rejected our request due to an error in our request';
const NS_MISMATCH = 'the namespace of the provided object does not match the namespace sent on the request';

describe('subresource and patch requests', () => {
  let server: ApiServer;
  let c: RawClient;
  let dir: string;
  const send = (method: string, path: string, body?: unknown, contentType?: string): Promise<RawResponse> =>
    c.request(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(contentType ? { headers: { 'Content-Type': contentType } } : {}) });
  const made = async (path: string, body: unknown): Promise<any> => {
    const r = await send('POST', path, body);
    assert.equal(r.status, 201, r.body);
    return r.json;
  };
  const status = (r: RawResponse, code: number, reason: string, message: string | RegExp): void => {
    assert.equal(r.status, code, r.body);
    assert.equal(r.json.reason, reason, r.body);
    if (typeof message === 'string') assert.equal(r.json.message, message);
    else assert.match(r.json.message, message);
  };
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  const podPath = (name: string) => `/api/v1/namespaces/${NS}/pods/${name}`;
  const binding = (meta: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Binding', metadata: meta, target: { kind: 'Node', name: 'n1' } });
  const eviction = (meta: Record<string, unknown>) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: meta });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-subresource-requests-'));
    server = await startApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', storeBackend: 'memory', log: () => undefined });
    c = new RawClient(server.url, dir);
    for (const name of [NS, OTHER]) await made('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  });
  after(async () => {
    c?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('pods/binding: another namespace or name is 400, uid and resourceVersion are preconditions', async () => {
    const p = await made(`/api/v1/namespaces/${NS}/pods`, pod('bind-me'));
    // A pod of the same name in the other namespace: the Binding must not reach it either.
    await made(`/api/v1/namespaces/${OTHER}/pods`, pod('bind-me'));
    const bind = (meta: Record<string, unknown>) => send('POST', `${podPath('bind-me')}/binding`, binding(meta));
    status(await bind({ name: 'bind-me', namespace: OTHER }), 400, 'BadRequest', NS_MISMATCH);
    status(await bind({ name: 'other' }), 400, 'BadRequest', 'name in URL does not match name in Binding object');
    status(await bind({}), 400, 'BadRequest', 'name in URL does not match name in Binding object');
    const key = `/registry/core/pods/${NS}/bind-me`;
    status(await bind({ name: 'bind-me', uid: 'not-the-pod' }), 409, 'Conflict',
      `Operation cannot be fulfilled on pods "bind-me": StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: not-the-pod, UID in object meta: ${p.metadata.uid}`);
    status(await bind({ name: 'bind-me', resourceVersion: '1' }), 409, 'Conflict',
      `Operation cannot be fulfilled on pods "bind-me": StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${p.metadata.resourceVersion}`);
    for (const ns of [NS, OTHER]) assert.equal((await send('GET', `/api/v1/namespaces/${ns}/pods/bind-me`)).json.spec.nodeName, undefined, `${ns}: unbound`);
    // The request's namespace named, and the pod's own uid and resourceVersion: it binds.
    const ok = await bind({ name: 'bind-me', namespace: NS, uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion });
    assert.equal(ok.status, 201, ok.body);
    assert.equal((await send('GET', podPath('bind-me'))).json.spec.nodeName, 'n1');
  });

  test('pods/eviction: another namespace or name is 400 and nothing is evicted', async () => {
    await made(`/api/v1/namespaces/${NS}/pods`, pod('evict-me'));
    const evict = (meta: Record<string, unknown>) => send('POST', `${podPath('evict-me')}/eviction`, eviction(meta));
    status(await evict({ name: 'evict-me', namespace: OTHER }), 400, 'BadRequest', NS_MISMATCH);
    status(await evict({ name: 'someone-else' }), 400, 'BadRequest', 'name in URL does not match name in Eviction object');
    status(await evict({}), 400, 'BadRequest', 'name in URL does not match name in Eviction object');
    assert.equal((await send('GET', podPath('evict-me'))).status, 200, 'the pod is still there');
    // TokenRequest takes the same handler check before its own (422) namespace validation.
    status(await send('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { namespace: OTHER }, spec: {} }),
      400, 'BadRequest', NS_MISMATCH);
    const ok = await evict({ name: 'evict-me', namespace: NS });
    assert.equal(ok.status, 201, ok.body);
  });

  test('pods/binding, pods/eviction and serviceaccounts/token decode their body as their own kind: another kind or group version is 400', async () => {
    await made(`/api/v1/namespaces/${NS}/pods`, pod('kinds'));
    const post = (sub: string, body: Record<string, unknown>) => send('POST', `${podPath('kinds')}/${sub}`, { metadata: { name: 'kinds' }, ...body });
    const target = { target: { kind: 'Node', name: 'n1' } };
    // A kind the scheme has in that version is decoded, then fails its conversion to the internal type.
    status(await post('binding', { apiVersion: 'v1', kind: 'Pod', ...target }), 400, 'BadRequest',
      'Pod in version "v1" cannot be handled as a Binding: converting (v1.Pod) to (core.Binding): unknown conversion');
    status(await post('eviction', { apiVersion: 'v1', kind: 'Pod' }), 400, 'BadRequest',
      'Pod in version "v1" cannot be handled as a Eviction: converting (v1.Pod) to (policy.Eviction): unknown conversion');
    status(await post('eviction', { apiVersion: 'policy/v1', kind: 'DeleteOptions' }), 400, 'BadRequest',
      'DeleteOptions in version "v1" cannot be handled as a Eviction: converting (v1.DeleteOptions) to (policy.Eviction): unknown conversion');
    // A kind it does not have there is the scheme's "no kind".
    const none = (kind: string, gv: string, as: string) =>
      `${kind} in version "${gv.split('/').at(-1)}" cannot be handled as a ${as}: no kind "${kind}" is registered for version "${gv}" in scheme "pkg/api/legacyscheme/scheme.go:30"`;
    status(await post('eviction', { apiVersion: 'v1', kind: 'Eviction' }), 400, 'BadRequest', none('Eviction', 'v1', 'Eviction'));
    status(await post('binding', { apiVersion: 'policy/v1', ...target }), 400, 'BadRequest', none('Binding', 'policy/v1', 'Binding'));
    status(await post('binding', { apiVersion: 'v1', kind: 'Bound', ...target }), 400, 'BadRequest', none('Bound', 'v1', 'Binding'));
    status(await send('POST', `/api/v1/namespaces/${NS}/serviceaccounts/default/token`, { apiVersion: 'v1', kind: 'TokenRequest', spec: {} }),
      400, 'BadRequest', none('TokenRequest', 'v1', 'TokenRequest'));
    assert.equal((await send('GET', podPath('kinds'))).json.spec.nodeName, undefined, 'not bound');
    // policy/v1beta1 is accepted too (EvictionREST.AcceptsGroupVersion); no apiVersion or kind takes the subresource's.
    const ok = await post('binding', target);
    assert.equal(ok.status, 201, ok.body);
    const evicted = await post('eviction', { apiVersion: 'policy/v1beta1', kind: 'Eviction' });
    assert.equal(evicted.status, 201, evicted.body);
  });

  test('a create or update body of another built-in kind is the codec\'s 400 (transformDecodeError); another version of the same type is AcceptsGroupVersion\'s', async () => {
    const cannot = (kind: string, gv: string, as: string, why: string) => `${kind} in version "${gv.split('/').at(-1)}" cannot be handled as a ${as}: ${why}`;
    const unknown = (kind: string, gv: string, as: string, internal: string) => cannot(kind, gv, as, `converting (${gv.split('/').at(-1)}.${kind}) to (${internal}.${as}): unknown conversion`);
    const pods = `/api/v1/namespaces/${NS}/pods`;
    status(await send('POST', pods, { ...pod('k1'), kind: 'Service' }), 400, 'BadRequest', unknown('Service', 'v1', 'Pod', 'core'));
    status(await send('POST', pods, { ...pod('k1'), apiVersion: 'apps/v1' }), 400, 'BadRequest',
      cannot('Pod', 'apps/v1', 'Pod', 'no kind "Pod" is registered for version "apps/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"'));
    status(await send('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'k1' } }), 400, 'BadRequest',
      unknown('ReplicaSet', 'apps/v1', 'Deployment', 'apps'));
    status(await send('POST', `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k1' } }), 400, 'BadRequest',
      unknown('ConfigMap', 'v1', 'Ingress', 'networking'));
    // events.k8s.io/v1 Event converts to the same internal core.Event: then the version is refused.
    status(await send('POST', `/api/v1/namespaces/${NS}/events`, { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'k1' } }), 400, 'BadRequest',
      'the API version in the data (events.k8s.io/v1) does not match the expected API version (v1)');
    // Empty apiVersion and kind take the URL's (gvkWithDefaults).
    await made(pods, { ...pod('k1'), apiVersion: '', kind: '' });
    status(await send('PUT', `${pods}/k1`, { ...pod('k1'), kind: 'PodTemplate' }), 400, 'BadRequest', unknown('PodTemplate', 'v1', 'Pod', 'core'));
  });

  const labels = { app: 'sr' };
  const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const scalable = [
    { path: '/apis/apps/v1', plural: 'deployments', group: 'apps', body: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1, selector: { matchLabels: labels }, template } } },
    { path: '/apis/apps/v1', plural: 'replicasets', group: 'apps', body: { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { replicas: 1, selector: { matchLabels: labels }, template } } },
    { path: '/apis/apps/v1', plural: 'statefulsets', group: 'apps', body: { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: 1, serviceName: 's', selector: { matchLabels: labels }, template } } },
    { path: '/api/v1', plural: 'replicationcontrollers', group: '', body: { apiVersion: 'v1', kind: 'ReplicationController', spec: { replicas: 1, selector: labels, template } } },
  ];

  for (const k of scalable) {
    test(`${k.plural}/scale: another uid or a stale resourceVersion is 409`, async () => {
      const base = `${k.path}/namespaces/${NS}/${k.plural}`;
      const o = await made(base, { ...k.body, metadata: { name: 'sc' } });
      const qualified = k.group ? `${k.plural}.${k.group}` : k.plural;
      const precondition = (uid: string) => `Operation cannot be fulfilled on ${qualified} "sc": StorageError: invalid object, Code: 4, Key: /registry/${k.group || 'core'}/${k.plural}/${NS}/sc, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${o.metadata.uid}`;
      const scale = (meta: Record<string, unknown>, replicas = 2) => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'sc', ...meta }, spec: { replicas } });
      status(await send('PUT', `${base}/sc/scale`, scale({ uid: 'not-it' })), 409, 'Conflict', precondition('not-it'));
      // The uid precondition comes before the Scale's validation, as the store checks it first.
      status(await send('PUT', `${base}/sc/scale`, scale({ uid: 'not-it' }, -1)), 409, 'Conflict', precondition('not-it'));
      status(await send('PUT', `${base}/sc/scale`, scale({ resourceVersion: '1' })), 409, 'Conflict',
        `Operation cannot be fulfilled on ${qualified} "sc": the object has been modified; please apply your changes to the latest version and try again`);
      status(await send('PATCH', `${base}/sc/scale`, { metadata: { uid: 'not-it' }, spec: { replicas: 3 } }, MERGE_PATCH), 409, 'Conflict',
        `Operation cannot be fulfilled on ${k.plural}/scale${k.group ? `.${k.group}` : ''} "sc": Precondition failed: UID in precondition: not-it, UID in object meta: ${o.metadata.uid}`);
      // The object itself and its /status take the same precondition.
      status(await send('PUT', `${base}/sc`, { ...k.body, metadata: { name: 'sc', uid: 'not-it' } }), 409, 'Conflict', precondition('not-it'));
      status(await send('PUT', `${base}/sc/status`, { ...k.body, metadata: { name: 'sc', uid: 'not-it' } }), 409, 'Conflict', precondition('not-it'));
      assert.equal((await send('GET', `${base}/sc`)).json.spec.replicas, 1, 'nothing was written');
      const ok = await send('PUT', `${base}/sc/scale`, scale({ uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion }, 4));
      assert.equal(ok.status, 200, ok.body);
      assert.equal((await send('GET', `${base}/sc`)).json.spec.replicas, 4);
      // A PUT naming the uid of a deleted object fails its precondition on the empty object read.
      assert.equal((await send('DELETE', `${base}/sc`)).status, 200);
      status(await send('PUT', `${base}/sc`, { ...k.body, metadata: { name: 'sc', uid: o.metadata.uid } }), 409, 'Conflict',
        precondition(o.metadata.uid).replace(/UID in object meta: .*$/, 'UID in object meta: '));
    });
  }

  test('a custom resource /scale: a PUT uid is a precondition, a patched uid is not checked', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gizmos.sr.example.com' },
      spec: {
        group: 'sr.example.com', scope: 'Namespaced', names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
        versions: [{
          name: 'v1', served: true, storage: true,
          subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } }, status: { type: 'object', properties: { replicas: { type: 'integer' } } } } } },
        }],
      },
    };
    await made('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    const base = `/apis/sr.example.com/v1/namespaces/${NS}/gizmos`;
    const body = { apiVersion: 'sr.example.com/v1', kind: 'Gizmo', metadata: { name: 'g' }, spec: { replicas: 1 } };
    const o = await eventually(async () => {
      const r = await send('POST', base, body);
      return r.status === 404 ? undefined : r;
    }, 'the CRD is served');
    assert.equal(o.status, 201, o.body);
    const uid = o.json.metadata.uid;
    status(await send('PUT', `${base}/g/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'g', uid: 'not-it' }, spec: { replicas: 2 } }), 409, 'Conflict',
      `Operation cannot be fulfilled on gizmos.sr.example.com "g": StorageError: invalid object, Code: 4, Key: /registry/sr.example.com/gizmos/${NS}/g, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: not-it, UID in object meta: ${uid}`);
    // The custom resource's scaleUpdatedObjectInfo moves only replicas and resourceVersion.
    const patched = await send('PATCH', `${base}/g/scale`, { metadata: { uid: 'not-it' }, spec: { replicas: 3 } }, MERGE_PATCH);
    assert.equal(patched.status, 200, patched.body);
    assert.deepEqual([patched.json.spec.replicas, patched.json.metadata.uid], [3, uid]);
  });

  test('a PUT names its object; a patch may not rename it or move it to another namespace', async () => {
    const cm = (meta: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: '1' } });
    await made(`/api/v1/namespaces/${NS}/configmaps`, cm({ name: 'named' }));
    const path = `/api/v1/namespaces/${NS}/configmaps/named`;
    status(await send('PUT', path, cm({})), 400, 'BadRequest', 'the name of the object (named based on URL) was undeterminable: name must be provided');
    await made(`/api/v1/namespaces/${NS}/pods`, pod('named'));
    status(await send('PUT', `${podPath('named')}/status`, { ...pod('named'), metadata: {} }), 400, 'BadRequest', 'the name of the object (named based on URL) was undeterminable: name must be provided');
    status(await send('PATCH', path, { metadata: { namespace: OTHER } }, MERGE_PATCH), 400, 'BadRequest', `the namespace of the object (${OTHER}) does not match the namespace on the request (${NS})`);
    status(await send('PATCH', path, [{ op: 'replace', path: '/metadata/name', value: 'renamed' }], JSON_PATCH), 400, 'BadRequest', 'the name of the object (renamed) does not match the name on the URL (named)');
    status(await send('PATCH', path, [{ op: 'remove', path: '/metadata/name' }], JSON_PATCH), 400, 'BadRequest', 'the name of the object (named based on URL) was undeterminable: name must be provided');
    assert.equal((await send('PUT', path, cm({ name: 'named' }))).status, 200);
  });

  test('JSON patch errors: 422 with the fixed message and no causes, 400 for a body that is no patch', async () => {
    await made(`/api/v1/namespaces/${NS}/pods`, pod('patch-me'));
    const patch = (ops: unknown) => send('PATCH', podPath('patch-me'), ops, JSON_PATCH);
    const notApplied: [string, unknown][] = [
      ['failed test', [{ op: 'test', path: '/metadata/name', value: 'other' }]],
      ['remove a missing path', [{ op: 'remove', path: '/metadata/labels/nope' }]],
      ['replace under a missing parent', [{ op: 'replace', path: '/metadata/labels/a', value: 'b' }]],
      ['index out of range', [{ op: 'replace', path: '/spec/containers/5/image', value: 'y' }]],
      ['unknown op', [{ op: 'frob', path: '/metadata/name' }]],
    ];
    for (const [what, ops] of notApplied) {
      const r = await patch(ops);
      status(r, 422, 'Invalid', REJECTED);
      assert.deepEqual(r.json.details, {}, `${what}: no causes`);
    }
    status(await patch({ op: 'add', path: '/metadata/labels', value: {} }), 400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    status(await patch(['add']), 400, 'BadRequest', 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
    assert.equal((await send('GET', podPath('patch-me'))).json.metadata.labels, undefined, 'nothing was patched');
    // evanphx/json-patch v4: replace of a key the object lacks adds it, -1 is the last element.
    const added = await patch([{ op: 'add', path: '/metadata/labels', value: {} }, { op: 'replace', path: '/metadata/labels/a', value: 'b' }, { op: 'test', path: '/spec/containers/-1/name', value: 'c' }]);
    assert.equal(added.status, 200, added.body);
    assert.deepEqual(added.json.metadata.labels, { a: 'b' });
    // The object is read before the patch is decoded: a missing one is 404 whatever the body.
    status(await send('PATCH', podPath('no-such-pod'), { op: 'add' }, JSON_PATCH), 404, 'NotFound', 'pods "no-such-pod" not found');
  });

  test('a strategic merge patch that fails on a plain Go error is 500 without reason (ErrorToAPIStatus)', async () => {
    await made(`/api/v1/namespaces/${NS}/pods`, pod('smp-me'));
    const r = await send('PATCH', podPath('smp-me'), { spec: { containers: [{ image: 'y' }] } }, 'application/strategic-merge-patch+json');
    assert.equal(r.status, 500, r.body);
    assert.deepEqual({ ...r.json, message: undefined }, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500, message: undefined });
    assert.equal(r.json.message, 'map: map[image:y] does not contain declared merge key: name');
  });
});
