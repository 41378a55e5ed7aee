/**
 * The mutating webhook dispatcher where it differed from upstream's (mutating/dispatcher.go,
 * handlers/delete.go, the configuration managers' sort), through the dynamic admission wrapper on a
 * memory store's ConfigMap storage and a webhook server on loopback; no API server:
 * - a patch that does not apply is a 500 under failurePolicy Ignore too; only the webhook's faults
 *   (an undecodable patch, a patch without patchType) fail open;
 * - a DELETE calls the mutating webhooks registered for it, with the old object and no object: a
 *   refusal keeps the object, a non-empty patch is a 500, an empty one is no patch;
 * - configurations are called in byte order of their names, whatever the process's locale.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mutatingWebhookConfigurations } from '../../../api/kinds/admissionregistration/webhook-configuration.js';
import type { KubeObject } from '../../../api/meta.js';
import { objectKey } from '../../storage/keys.js';
import { rejectsStatus } from '../../storage/testing/assert-status.js';
import { ctx, newEnv, storage, type Env } from '../../storage/testing/fixtures.js';
import type { RequestContext, ResourceStorage } from '../../storage/types.js';
import { ObjectCache } from './config-cache.js';
import { startDynamicAdmission, type DynamicAdmissionChain } from './dynamic-admission.js';
import { startWebhookServer, type Handler, type TestWebhookServer } from './testing/webhook-server.js';

const patch = (doc: unknown, patchType: string | null = 'JSONPatch') => ({
  allowed: true, ...(patchType ? { patchType } : {}), patch: Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)).toString('base64'),
});
/** Each case's webhook, called for ConfigMaps labelled case=<name>. */
const CASES: Record<string, { handler: Handler; failurePolicy?: string }> = {
  'no-apply': { handler: () => patch([{ op: 'replace', path: '/metadata/nowhere/x', value: 'y' }]), failurePolicy: 'Ignore' },
  'undecodable': { handler: () => patch('not json'), failurePolicy: 'Ignore' },
  'undecodable-fail': { handler: () => patch('not json') },
  'no-patch-type': { handler: () => patch([{ op: 'add', path: '/data', value: { a: 'b' } }], null), failurePolicy: 'Ignore' },
  'deny-delete': { handler: (req) => (req.operation === 'DELETE' ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: `keep ${req.oldObject?.metadata?.name ?? ''}` } } : { allowed: true }) },
  'patch-delete': { handler: (req) => (req.operation === 'DELETE' ? patch([{ op: 'add', path: '/metadata/labels/deleted', value: 'yes' }]) : { allowed: true }), failurePolicy: 'Ignore' },
  'empty-patch-delete': { handler: () => patch([]) },
};

let env: Env;
let hooks: TestWebhookServer;
let chain: DynamicAdmissionChain;
let cms: ResourceStorage;

before(async () => {
  hooks = await startWebhookServer(Object.fromEntries(Object.entries(CASES).map(([name, c]) => [`/${name}`, c.handler])));
  env = await newEnv();
  // One configuration per case (loaded by the admission caches' first list).
  for (const [name, c] of Object.entries(CASES)) {
    await env.store.create(objectKey(mutatingWebhookConfigurations, undefined, name), JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name },
      webhooks: [{
        name: `${name}.example.com`, clientConfig: { url: `https://127.0.0.1:${hooks.port}/${name}`, caBundle: hooks.caBundle },
        rules: [{ operations: ['CREATE', 'DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        objectSelector: { matchLabels: { case: name } }, failurePolicy: c.failurePolicy ?? 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 5,
      }],
    }));
  }
  chain = await startDynamicAdmission(env.store, () => undefined);
  cms = chain.wrap(storage(env, 'configmaps'));
});

after(async () => {
  chain?.stop();
  await hooks?.close();
  await env?.close();
});

const request = (): RequestContext => ctx({ auditAnnotations: new Map(), auditLevel: 'Metadata' });
/** A case's webhook's place among all mutating webhooks (one per configuration, sorted by name). */
const indexOf = (name: string): number => Object.keys(CASES).sort().indexOf(name);
const configMap = (name: string, kase = name): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { case: kase } } });

test('a patch that does not apply is a 500 under failurePolicy Ignore; an undecodable one or one without patchType fails open', async () => {
  const c = request();
  await rejectsStatus(cms.create(c, 'ns1', configMap('no-apply')), 500, 'InternalError', (e) => {
    assert.equal(e.message, 'Internal error occurred: jsonpatch: the patch does not apply to the object');
  });
  assert.deepEqual([...c.auditAnnotations!.keys()].filter((k) => k.startsWith('failed-open')), []);
  for (const name of ['undecodable', 'no-patch-type']) {
    const opened = request();
    const created = await cms.create(opened, 'ns1', configMap(name));
    assert.equal(created.data, undefined, name);
    assert.equal(opened.auditAnnotations!.get(`failed-open.mutation.webhook.admission.k8s.io/round_0_index_${indexOf(name)}`), `${name}.example.com`);
  }
  await rejectsStatus(cms.create(request(), 'ns1', configMap('undecodable-fail')), 500, 'InternalError', (e) => {
    assert.match(e.message, /^Internal error occurred: failed calling webhook "undecodable-fail\.example\.com": received undecodable patch in webhook response: /);
  });
});

test('a DELETE calls the mutating webhooks registered for it with the old object: they may refuse, not patch', async () => {
  for (const name of ['deny-delete', 'patch-delete', 'empty-patch-delete']) await cms.create(request(), 'ns1', configMap(name));
  await rejectsStatus(cms.delete(request(), 'ns1', 'deny-delete', {}), 403, 'Forbidden', (e) => {
    assert.equal(e.message, 'admission webhook "deny-delete.example.com" denied the request: keep deny-delete');
  });
  const seen = hooks.received.get('/deny-delete')!.find((r) => r.operation === 'DELETE')!;
  assert.equal(seen.object, null);
  assert.equal(seen.oldObject?.metadata?.name, 'deny-delete');
  assert.equal(seen.options?.kind, 'DeleteOptions');
  await cms.get(request(), 'ns1', 'deny-delete');
  // Under Ignore too: the patch is the API server's error, not a failure to call the webhook.
  await rejectsStatus(cms.delete(request(), 'ns1', 'patch-delete', {}), 500, 'InternalError', (e) => {
    assert.equal(e.message, 'Internal error occurred: admission webhook "patch-delete.example.com" attempted to modify the object, which is not supported for this operation');
  });
  await cms.get(request(), 'ns1', 'patch-delete');
  const c = request();
  assert.equal((await cms.delete(c, 'ns1', 'empty-patch-delete', {})).deleted, true);
  assert.equal(c.auditAnnotations!.get(`mutation.webhook.admission.k8s.io/round_0_index_${indexOf('empty-patch-delete')}`), '{"configuration":"empty-patch-delete","webhook":"empty-patch-delete.example.com","mutated":false}');
});

test('configurations are listed in byte order of their names, as Go sorts them, not in the locale collation', async () => {
  // Under da_DK collation "aa" sorts after "ab", under th_TH "a-b" equals "ab"; "Z" (no valid
  // configuration name) sorts after "a" in every locale's collation and before it in bytes.
  const names = ['ab', 'aa', 'a-b', 'a.b', 'a0', 'Z', 'a'];
  const e = await newEnv();
  try {
    for (const name of names) await e.store.create(objectKey(mutatingWebhookConfigurations, undefined, name), JSON.stringify({ metadata: { name } }));
    const cache = await ObjectCache.start<KubeObject>(e.store, mutatingWebhookConfigurations);
    assert.deepEqual(cache.list().map((o) => o.metadata.name), ['Z', 'a', 'a-b', 'a.b', 'a0', 'aa', 'ab']);
    cache.stop();
  } finally {
    await e.close();
  }
});
