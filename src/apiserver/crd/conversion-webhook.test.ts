/**
 * CRD conversion webhooks (spec.conversion.strategy Webhook) with the real kubectl and a loopback
 * webhook converting v1 spec.hostPort <-> v2 spec.host + spec.port, as upstream's e2e
 * test/e2e/apimachinery/crd_conversion_webhook.go: writes in a non-storage version are converted to
 * the storage version, reads, lists (one review per list) and watches to the requested one;
 * a webhook that is down or changes metadata.name fails the request with 500 naming it (a watch
 * with an ERROR event), as
 * apiextensions-apiserver's webhook_converter.go. Validation of spec.conversion as upstream's
 * validateCustomResourceConversion.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { eventually } from '../../testing/eventually.js';
import { RawClient } from '../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { hostPortCrd, startHostPortConverter, type ConversionRequest } from './testing/host-port-converter.js';

const NS = 'crdconv-test';
const G = 'crdconv.bosun.example.com';

describe('CRD conversion webhooks', () => {
  let s: TestServer;
  let hook: Awaited<ReturnType<typeof startHostPortConverter>>;
  let raw: RawClient;
  const ok = (args: string[], input?: string) => kubectlOk(s, args, input === undefined ? undefined : { input });
  const requests = (path: string): ConversionRequest[] => hook.received.get(path) ?? [];
  const crd = (plural: string, kind: string, url: string) => JSON.stringify(hostPortCrd(G, plural, kind, url, hook.caBundle));
  const established = async (plural: string) => {
    await ok(['wait', '--for=condition=Established', `crd/${plural}.${G}`, '--timeout=30s']);
    // The catalog serves a version a moment after the condition is written.
    await eventually(async () => (await s.kubectl(['get', `${plural}.v2.${G}`, '-n', NS])).code === 0, `${plural} served`);
  };

  before(async () => {
    hook = await startHostPortConverter();
    s = await startTestServer();
    raw = new RawClient(s.url, s.dataDir);
    await ok(['create', 'namespace', NS]);
    await ok(['create', '-f', '-'], crd('hostports', 'HostPort', `https://127.0.0.1:${hook.port}/convert`));
    await established('hostports');
  });
  after(async () => {
    raw?.close();
    await s?.stop();
    await hook?.close();
  });

  test('spec.conversion is validated as upstream: client config, one of url or service, review versions Bosun speaks', async () => {
    const bad = JSON.parse(crd('badconvs', 'BadConv', 'http://127.0.0.1:1/x?q=1')) as { spec: { conversion: { webhook: { clientConfig: object; conversionReviewVersions: string[] } } } };
    bad.spec.conversion.webhook.conversionReviewVersions = ['v2', 'v2'];
    const r = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify(bad) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.conversion\.webhookClientConfig\.url: Invalid value: "http:\/\/127\.0\.0\.1:1\/x\?q=1": 'https' is the only allowed URL scheme/);
    assert.match(r.stderr, /query parameters are not permitted in the URL/);
    assert.match(r.stderr, /spec\.conversion\.conversionReviewVersions\[1\]: Invalid value: "v2": duplicate version/);
    assert.match(r.stderr, /spec\.conversion\.conversionReviewVersions: Invalid value: \[\]string\{"v2", "v2"\}: must include at least one of v1, v1beta1|spec\.conversion\.conversionReviewVersions: Invalid value: .*must include at least one of v1, v1beta1/);
    bad.spec.conversion.webhook.clientConfig = { url: 'https://127.0.0.1:1/x', service: { name: 'a', namespace: 'b' } };
    bad.spec.conversion.webhook.conversionReviewVersions = ['v1'];
    const both = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify(bad) });
    assert.match(both.stderr, /spec\.conversion\.webhookClientConfig: Required value: exactly one of url or service is required/);
    const none = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ ...bad, spec: { ...bad.spec, conversion: { strategy: 'Webhook' } } }) });
    assert.match(none.stderr, /spec\.conversion\.webhookClientConfig: Required value: required when strategy is set to Webhook/);
    assert.match(none.stderr, /spec\.conversion\.conversionReviewVersions: Required value/);
  });

  test('created in v1, read in v2: the webhook converts from the storage version', async () => {
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: `${G}/v1`, kind: 'HostPort', metadata: { name: 'one', namespace: NS, labels: { app: 'a' } }, spec: { hostPort: 'localhost:8080' } }));
    const v2 = JSON.parse(await ok(['get', `hostports.v2.${G}`, 'one', '-n', NS, '-o', 'json']));
    assert.equal(v2.apiVersion, `${G}/v2`);
    assert.deepEqual(v2.spec, { host: 'localhost', port: '8080' });
    assert.equal(v2.metadata.labels.app, 'a');
    assert.ok(requests('/convert').some((r) => r.desiredAPIVersion === `${G}/v2` && r.objects.length === 1 && r.objects[0]!.metadata.name === 'one'));
    const v1 = JSON.parse(await ok(['get', `hostports.v1.${G}`, 'one', '-n', NS, '-o', 'json']));
    assert.deepEqual(v1.spec, { hostPort: 'localhost:8080' });
  });

  test('created in v2 (stored as v1), listed in v1; a list in v2 is one review of every object', async () => {
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: `${G}/v2`, kind: 'HostPort', metadata: { name: 'two', namespace: NS }, spec: { host: 'example.com', port: '443' } }));
    assert.ok(requests('/convert').some((r) => r.desiredAPIVersion === `${G}/v1` && r.objects[0]?.metadata.name === 'two' && r.objects[0].apiVersion === `${G}/v2`), 'the write was converted to the storage version v1');
    const v1 = JSON.parse(await ok(['get', `hostports.v1.${G}`, '-n', NS, '-o', 'json']));
    assert.deepEqual(v1.items.map((i: { metadata: { name: string }; spec: unknown }) => [i.metadata.name, i.spec]), [['one', { hostPort: 'localhost:8080' }], ['two', { hostPort: 'example.com:443' }]]);
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: `${G}/v1`, kind: 'HostPort', metadata: { name: 'three', namespace: NS }, spec: { hostPort: 'c:3' } }));
    const before = requests('/convert').length;
    const v2 = JSON.parse(await ok(['get', `hostports.v2.${G}`, '-n', NS, '-o', 'json']));
    assert.deepEqual(v2.items.map((i: { spec: unknown }) => i.spec), [{ host: 'localhost', port: '8080' }, { host: 'c', port: '3' }, { host: 'example.com', port: '443' }]);
    // 'one' was converted to v2 at its read above: that conversion of its stored value is kept.
    const listed = requests('/convert').slice(before);
    assert.deepEqual(listed.map((r) => r.objects.map((o) => o.metadata.name)), [['three', 'two']]);
  });

  test('a watch in v2 gets every event converted', async () => {
    const list = await raw.request(`/apis/${G}/v2/namespaces/${NS}/hostports`);
    const rv = (list.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    await ok(['label', `hostports.v1.${G}`, 'one', '-n', NS, 'watched=yes']);
    await ok(['delete', `hostports.v1.${G}`, 'two', '-n', NS]);
    const watched = await raw.request(`/apis/${G}/v2/namespaces/${NS}/hostports?watch=1&resourceVersion=${rv}&timeoutSeconds=1`);
    const events = watched.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { apiVersion: string; metadata: { name: string }; spec: unknown } });
    assert.deepEqual(events.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name, e.object.spec]), [
      ['MODIFIED', `${G}/v2`, 'one', { host: 'localhost', port: '8080' }],
      ['DELETED', `${G}/v2`, 'two', { host: 'example.com', port: '443' }],
    ]);
  });

  test('a webhook that is down, or that renames the object, fails the read with 500 naming it', async () => {
    const down = await startHostPortConverter();
    await down.close();
    await ok(['create', '-f', '-'], crd('downs', 'Down', `https://127.0.0.1:${down.port}/convert`));
    await ok(['create', '-f', '-'], crd('renames', 'Rename', `https://127.0.0.1:${hook.port}/rename`));
    await established('downs');
    await established('renames');
    const empty = await raw.request(`/apis/${G}/v1/namespaces/${NS}/downs`);
    const rv = (empty.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: `${G}/v1`, kind: 'Down', metadata: { name: 'd', namespace: NS }, spec: { hostPort: 'a:1' } }));
    // A watch whose event cannot be converted ends with an ERROR event (500), as a storage decode error does upstream.
    const watched = await raw.request(`/apis/${G}/v2/namespaces/${NS}/downs?watch=1&resourceVersion=${rv}&timeoutSeconds=5`);
    const events = watched.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { code: number; message: string } });
    assert.deepEqual(events.map((e) => [e.type, e.object.code]), [['ERROR', 500]]);
    assert.match(events[0]!.object.message, /conversion webhook for crdconv\.bosun\.example\.com\/v1, Kind=Down failed/);
    const r = await raw.request(`/apis/${G}/v2/namespaces/${NS}/downs/d`);
    assert.equal(r.status, 500);
    assert.match((r.json as { message: string }).message, new RegExp(`^Internal error occurred: conversion webhook for ${G}/v1, Kind=Down failed: failed to call webhook: Post "https://127.0.0.1:${down.port}/convert\\?timeout=30s": .*ECONNREFUSED`));
    const write = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: `${G}/v2`, kind: 'Down', metadata: { name: 'e', namespace: NS }, spec: { host: 'a', port: '1' } }) });
    assert.match(write.stderr, /conversion webhook for crdconv\.bosun\.example\.com\/v2, Kind=Down failed/);
    assert.equal((await s.kubectl(['get', `downs.v1.${G}`, 'e', '-n', NS])).code, 1, 'nothing was stored');

    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: `${G}/v1`, kind: 'Rename', metadata: { name: 'r', namespace: NS }, spec: { hostPort: 'a:1' } }));
    const renamed = await raw.request(`/apis/${G}/v2/namespaces/${NS}/renames`);
    assert.equal(renamed.status, 500);
    assert.equal((renamed.json as { message: string }).message, `Internal error occurred: conversion webhook for ${G}/v1, Kind=Rename returned invalid converted object at index 1: must have the same name: r != r-renamed`);
  });
});
