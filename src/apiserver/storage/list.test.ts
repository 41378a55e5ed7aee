import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, cm, newEnv, pod, storage } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

test('list: kind, apiVersion and resourceVersion; items in one namespace or all', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    await s.create(ctx(), 'default', cm('b'));
    const one = await s.list(ctx(), 'ns1', {});
    assert.equal(one.kind, 'ConfigMapList');
    assert.equal(one.apiVersion, 'v1');
    assert.equal(one.metadata.resourceVersion, String(env.store.currentRevision()));
    assert.deepEqual(one.items.map((i) => i.metadata.name), ['a']);
    assert.equal(one.items[0].kind, 'ConfigMap');
    assert.equal(one.metadata.continue, undefined);
    const all = await s.list(ctx(), undefined, {});
    assert.deepEqual(all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), ['default/b', 'ns1/a']);
    const deps = await storage(env, 'deployments').list(ctx(), undefined, {});
    assert.equal(deps.apiVersion, 'apps/v1');
    assert.equal(deps.kind, 'DeploymentList');
  } finally {
    await env.close();
  }
});

test('list: label and field selectors (metadata.name, metadata.namespace, selectable fields)', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a', {}, { app: 'web', tier: 'fe' }));
    await s.create(ctx(), 'ns1', cm('b', {}, { app: 'db' }));
    await s.create(ctx(), 'default', cm('c', {}, { app: 'web' }));
    const names = async (q: object, ns?: string) => (await s.list(ctx(), ns, q)).items.map((i) => i.metadata.name);
    assert.deepEqual(await names({ labelSelector: 'app=web' }), ['c', 'a']);
    assert.deepEqual(await names({ labelSelector: 'app in (web,db),!tier' }), ['c', 'b']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name=b' }), ['b']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.namespace!=ns1' }), ['c']);
    assert.deepEqual(await names({ labelSelector: 'app=web', fieldSelector: 'metadata.namespace=ns1' }), ['a']);
    const p = storage(env, 'pods');
    await p.create(ctx(), 'ns1', pod('p1', { spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n1' } }));
    await p.create(ctx(), 'ns1', pod('p2'));
    assert.deepEqual((await p.list(ctx(), 'ns1', { fieldSelector: 'spec.nodeName=n1' })).items.map((i) => i.metadata.name), ['p1']);
    assert.deepEqual((await p.list(ctx(), 'ns1', { fieldSelector: 'spec.nodeName=' })).items.map((i) => i.metadata.name), ['p2']);
    await rejectsStatus(s.list(ctx(), 'ns1', { fieldSelector: 'spec.nodeName=n1' }), 400, 'BadRequest', (e) => {
      assert.equal(e.message, 'field label not supported: spec.nodeName');
    });
    await rejectsStatus(s.list(ctx(), 'ns1', { labelSelector: 'app in (' }), 400, 'BadRequest');
  } finally {
    await env.close();
  }
});

test('list: limit and continue walk every item once at one revision, with remainingItemCount', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    for (let i = 0; i < 7; i++) await s.create(ctx(), 'ns1', cm(`c${i}`));
    const first = await s.list(ctx(), 'ns1', { limit: 3 });
    assert.deepEqual(first.items.map((i) => i.metadata.name), ['c0', 'c1', 'c2']);
    assert.equal(first.metadata.remainingItemCount, 4);
    assert.ok(first.metadata.continue);
    // Changes after the first page are not visible in later pages (a consistent snapshot).
    await s.create(ctx(), 'ns1', cm('c9'));
    await s.delete(ctx(), 'ns1', 'c5', {});
    const second = await s.list(ctx(), 'ns1', { limit: 3, continue: first.metadata.continue });
    assert.deepEqual(second.items.map((i) => i.metadata.name), ['c3', 'c4', 'c5']);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    const third = await s.list(ctx(), 'ns1', { limit: 3, continue: second.metadata.continue });
    assert.deepEqual(third.items.map((i) => i.metadata.name), ['c6']);
    assert.equal(third.metadata.continue, undefined);
  } finally {
    await env.close();
  }
});

test('list: limit with a selector fills pages with matching items only', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    for (let i = 0; i < 10; i++) await s.create(ctx(), 'ns1', cm(`c${i}`, {}, { even: String(i % 2 === 0) }));
    const seen: string[] = [];
    let cont: string | undefined;
    do {
      const page = await s.list(ctx(), 'ns1', { limit: 2, labelSelector: 'even=true', continue: cont });
      assert.ok(page.items.length <= 2);
      assert.equal(page.metadata.remainingItemCount, undefined, 'no count with selectors, as upstream');
      seen.push(...page.items.map((i) => i.metadata.name!));
      cont = page.metadata.continue;
    } while (cont);
    assert.deepEqual(seen, ['c0', 'c2', 'c4', 'c6', 'c8']);
  } finally {
    await env.close();
  }
});

test('list: an expired continue token is 410 Expired; a garbled one 400', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    for (let i = 0; i < 3; i++) await s.create(ctx(), 'ns1', cm(`c${i}`));
    const first = await s.list(ctx(), 'ns1', { limit: 1 });
    await s.create(ctx(), 'ns1', cm('later'));
    await env.store.compact(env.store.currentRevision());
    let inconsistent: string | undefined;
    await rejectsStatus(s.list(ctx(), 'ns1', { limit: 1, continue: first.metadata.continue }), 410, 'Expired', (e) => {
      assert.match(e.message, /^The provided continue parameter is too old/);
      inconsistent = (e.status.metadata as { continue?: string }).continue;
    });
    // The 410's token goes on after the same key at the latest revision (handleCompactedErrorForPaging).
    const rest = await s.list(ctx(), 'ns1', { limit: 10, continue: inconsistent });
    assert.deepEqual(rest.items.map((i) => i.metadata.name), ['c1', 'c2', 'later']);
    assert.equal(rest.metadata.resourceVersion, String(env.store.currentRevision()));
    await rejectsStatus(s.list(ctx(), 'ns1', { continue: 'not-a-token!!' }), 400, 'BadRequest', (e) => {
      assert.match(e.message, /^invalid continue token: continue key is not valid/);
    });
    const token = (t: object) => Buffer.from(JSON.stringify(t)).toString('base64url');
    await rejectsStatus(s.list(ctx(), 'ns1', { limit: 1, continue: token({ v: 'meta.k8s.io/v1', rv: 5, start: '' }) }), 400, 'BadRequest', (e) => {
      assert.equal(e.message, 'invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
    });
    await rejectsStatus(s.list(ctx(), 'ns1', { limit: 1, continue: token({ v: 'v2', rv: 5, start: 'ns1/c0' }) }), 400, 'BadRequest', (e) => {
      assert.equal(e.message, 'invalid continue token: continue key is not valid: server does not recognize this encoded version v2');
    });
    await rejectsStatus(s.list(ctx(), 'ns1', { continue: first.metadata.continue, resourceVersion: '5' }), 400, 'BadRequest');
  } finally {
    await env.close();
  }
});

test('list: resourceVersion semantics ("" and "0" current, Exact N historical, too old 410, too new 504)', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    const rv = env.store.currentRevision();
    await s.create(ctx(), 'ns1', cm('b'));
    const names = async (q: object) => (await s.list(ctx(), 'ns1', q)).items.map((i) => i.metadata.name);
    assert.deepEqual(await names({ resourceVersion: '' }), ['a', 'b']);
    assert.deepEqual(await names({ resourceVersion: '0' }), ['a', 'b']);
    assert.deepEqual(await names({ resourceVersion: String(rv), resourceVersionMatch: 'NotOlderThan' }), ['a', 'b']);
    const exact = await s.list(ctx(), 'ns1', { resourceVersion: String(rv), resourceVersionMatch: 'Exact' });
    assert.deepEqual(exact.items.map((i) => i.metadata.name), ['a']);
    assert.equal(exact.metadata.resourceVersion, String(rv));
    await env.store.compact(env.store.currentRevision());
    await rejectsStatus(s.list(ctx(), 'ns1', { resourceVersion: String(rv), resourceVersionMatch: 'Exact' }), 410, 'Expired', (e) => {
      assert.equal(e.message, 'The resourceVersion for the provided list is too old.');
    });
    await rejectsStatus(s.list(ctx(), 'ns1', { resourceVersionMatch: 'Exact' }), 422, 'Invalid');
    await rejectsStatus(s.list(ctx(), 'ns1', { resourceVersion: 'abc' }), 400, 'BadRequest');
    // client-go's IsTooLargeResourceVersion looks for the cause, not the message.
    await rejectsStatus(s.list(ctx(), 'ns1', { resourceVersion: String(env.store.currentRevision() + 100) }), 504, 'Timeout', (e) => {
      assert.deepEqual(e.status.details?.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
    });
  } finally {
    await env.close();
  }
});

test('list: N with a limit and no resourceVersionMatch is Exact (410 once compacted); "0" ignores the limit', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    const rv = env.store.currentRevision();
    for (const n of ['b', 'c']) await s.create(ctx(), 'ns1', cm(n));
    // Upstream's resolveGetListRev: the legacy form of Exact, so that every page is of revision N.
    const legacy = await s.list(ctx(), 'ns1', { resourceVersion: String(rv), limit: 2 });
    assert.deepEqual(legacy.items.map((i) => i.metadata.name), ['a']);
    assert.equal(legacy.metadata.resourceVersion, String(rv));
    // Without a limit N is NotOlderThan: the current state.
    assert.equal((await s.list(ctx(), 'ns1', { resourceVersion: String(rv) })).items.length, 3);
    // The watch cache serves "0" whole (computeListLimit); a continuation is paged.
    const any = await s.list(ctx(), 'ns1', { resourceVersion: '0', limit: 1 });
    assert.deepEqual(any.items.map((i) => i.metadata.name), ['a', 'b', 'c']);
    assert.equal(any.metadata.continue, undefined);
    const first = await s.list(ctx(), 'ns1', { limit: 1 });
    const next = await s.list(ctx(), 'ns1', { resourceVersion: '0', limit: 1, continue: first.metadata.continue });
    assert.deepEqual(next.items.map((i) => i.metadata.name), ['b']);
    await env.store.compact(env.store.currentRevision());
    await rejectsStatus(s.list(ctx(), 'ns1', { resourceVersion: String(rv), limit: 2 }), 410, 'Expired', (e) => {
      assert.equal(e.message, 'The resourceVersion for the provided list is too old.');
    });
  } finally {
    await env.close();
  }
});

test('list: every ListOptions error at once, as ValidateListOptions reports them', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await rejectsStatus(s.list(ctx(), 'ns1', { resourceVersionMatch: 'Bogus' as 'Exact', continue: 'x' }), 422, 'Invalid', (e) => {
      assert.equal(e.message, 'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, ' +
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided, ' +
        'resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""]');
      assert.deepEqual(e.status.details?.causes?.map((c) => c.reason), ['FieldValueForbidden', 'FieldValueForbidden', 'FieldValueNotSupported']);
    });
    await rejectsStatus(s.list(ctx(), 'ns1', { resourceVersionMatch: 'Exact', resourceVersion: '0' }), 422, 'Invalid', (e) => {
      assert.equal(e.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    });
  } finally {
    await env.close();
  }
});
