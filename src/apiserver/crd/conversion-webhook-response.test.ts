/**
 * The checks of a ConversionReview's answer, as upstream's webhook_converter.go
 * (getConvertedObjectsFromResponse, validateConvertedObject, restoreObjectMeta): uid, result and
 * object count are checked; labels and annotations the webhook changed are kept while any other
 * metadata it changed is put back; a list's objects already in the desired version are not sent.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { Store } from '../../store/types.js';
import { closeWebhookConnections } from '../admission/dynamic/webhook-client.js';
import { startReviewServer } from '../admission/dynamic/testing/webhook-server.js';
import { ConversionWebhookConverter } from './conversion-webhook.js';

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown> };
type Req = { uid: string; desiredAPIVersion: string; objects: Obj[] };

/** Each path answers a review its own way. */
const answers: Record<string, (r: Req) => unknown> = {
  '/ok': (r) => ({ uid: r.uid, result: { status: 'Success' }, convertedObjects: r.objects.map((o) => ({ ...o, apiVersion: r.desiredAPIVersion })) }),
  '/meta': (r) => ({
    uid: r.uid, result: { status: 'Success' },
    convertedObjects: r.objects.map((o) => ({ ...o, apiVersion: r.desiredAPIVersion, metadata: { ...o.metadata, generation: 99, labels: { set: 'by-webhook' }, annotations: undefined } })),
  }),
  '/uid': (r) => ({ uid: 'other', result: { status: 'Success' }, convertedObjects: r.objects }),
  '/count': (r) => ({ uid: r.uid, result: { status: 'Success' }, convertedObjects: [] }),
  '/refuse': (r) => ({ uid: r.uid, result: { status: 'Failure', message: 'cannot convert widgets today' } }),
};

let server: Awaited<ReturnType<typeof startReviewServer<Req>>>;
const converter = (path: string) => new ConversionWebhookConverter({} as Store, {
  clientConfig: { url: `https://127.0.0.1:${server.port}${path}`, caBundle: server.caBundle }, conversionReviewVersions: ['v1'],
});
const obj = (name: string, apiVersion = 'x.example.com/v1'): Obj => ({ apiVersion, kind: 'Widget', metadata: { name, namespace: 'ns', uid: `u-${name}`, generation: 1, labels: { a: 'b' }, annotations: { c: 'd' } } });

before(async () => {
  server = await startReviewServer<Req>((path, { request }) => {
    const answer = answers[path];
    return answer && { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: answer(request) };
  });
});
after(async () => {
  closeWebhookConnections();
  await server.close();
});

test('a list sends only the objects not yet in the desired version, in one review, and keeps their order', async () => {
  const out = await converter('/ok').convert([obj('a'), obj('b', 'x.example.com/v2'), obj('c')], 'x.example.com/v2', true);
  assert.deepEqual(out.map((o) => [o.metadata?.name, o.apiVersion]), [['a', 'x.example.com/v2'], ['b', 'x.example.com/v2'], ['c', 'x.example.com/v2']]);
  assert.deepEqual(server.received.get('/ok')!.map((r) => r.objects.map((o) => o.metadata.name)), [['a', 'c']]);
  assert.deepEqual(await converter('/ok').convert([obj('d', 'x.example.com/v2')], 'x.example.com/v2'), [obj('d', 'x.example.com/v2')]);
  assert.equal(server.received.get('/ok')!.length, 1, 'nothing to convert: no review');
});

test("labels and annotations are the webhook's, the rest of metadata the original's (restoreObjectMeta)", async () => {
  const [out] = await converter('/meta').convert([obj('a')], 'x.example.com/v2');
  assert.deepEqual(out!.metadata, { name: 'a', namespace: 'ns', uid: 'u-a', generation: 1, labels: { set: 'by-webhook' } });
});

test('a wrong uid, count or a failed result is a 500 naming the webhook', async () => {
  const message = async (path: string): Promise<string> => {
    const err = await converter(path).convert([obj('a')], 'x.example.com/v2').then(() => undefined, (e: unknown) => e as { status: { code: number; message: string } });
    assert.equal(err?.status.code, 500);
    return err.status.message;
  };
  assert.match(await message('/uid'), /^Internal error occurred: conversion webhook for x\.example\.com\/v1, Kind=Widget failed: expected response\.uid="[-0-9a-f]+", got "other"$/);
  assert.equal(await message('/count'), 'Internal error occurred: conversion webhook for x.example.com/v1, Kind=Widget returned 0 objects, expected 1');
  assert.equal(await message('/refuse'), 'Internal error occurred: conversion webhook for x.example.com/v1, Kind=Widget failed: cannot convert widgets today');
});
