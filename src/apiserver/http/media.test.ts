import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { bodyFormatOf, negotiateResource, parseAccept } from './media.js';

test('negotiateResource picks the first acceptable format, as kubectl asks', () => {
  const cases: [string | undefined, string | undefined, object][] = [
    [undefined, undefined, { encoding: 'json', as: 'object' }],
    ['*/*', undefined, { encoding: 'json', as: 'object' }],
    ['application/yaml', undefined, { encoding: 'yaml', as: 'object' }],
    ['application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', undefined,
      { encoding: 'json', as: 'Table', includeObject: 'Metadata' }],
    ['application/json;as=Table;v=v1;g=meta.k8s.io', 'Object', { encoding: 'json', as: 'Table', includeObject: 'Object' }],
    ['application/vnd.kubernetes.protobuf, application/json', undefined, { encoding: 'json', as: 'object' }],
    ['application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', undefined, { encoding: 'json', as: 'PartialObjectMetadata' }],
    ['application/json;as=Unknown;v=v1;g=meta.k8s.io, application/json', undefined, { encoding: 'json', as: 'object' }],
  ];
  for (const [accept, include, want] of cases) assert.deepEqual(negotiateResource(accept, include), want, String(accept));
});

test('negotiateResource refuses what it cannot encode with 406', () => {
  for (const accept of ['application/vnd.kubernetes.protobuf', 'text/html', 'application/json;as=Table;v=v9;g=meta.k8s.io']) {
    assert.throws(() => negotiateResource(accept), (e: any) => e.status.code === 406, accept);
  }
});

test('negotiateResource: a resource without a Table convertor (the reviews) refuses a Table-only Accept, falls back to the object', () => {
  const table = 'application/json;as=Table;v=v1;g=meta.k8s.io';
  assert.throws(() => negotiateResource(table, undefined, false), (e: any) => e.status.code === 406);
  assert.deepEqual(negotiateResource(`${table},application/json`, undefined, false), { encoding: 'json', as: 'object' });
  assert.equal(negotiateResource(table, undefined, true).as, 'Table');
});

test('parseAccept orders by q and drops q=0', () => {
  const got = parseAccept('text/plain;q=0.5, application/json, application/yaml;q=0').map((m) => `${m.type}/${m.subtype}`);
  assert.deepEqual(got, ['application/json', 'text/plain']);
});

test('bodyFormatOf maps content types, ignoring parameters', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/yaml', 'yaml'],
    ['application/vnd.kubernetes.protobuf', 'protobuf'],
    ['application/strategic-merge-patch+json', 'strategic-merge-patch'],
    ['application/apply-patch+yaml', 'apply-patch'],
    ['application/json-patch+json', 'json-patch'],
    ['application/merge-patch+json', 'merge-patch'],
    ['text/plain', undefined],
    ['application/apply-patch+cbor', undefined],
  ];
  for (const [ct, want] of cases) assert.equal(bodyFormatOf(ct), want, String(ct));
});
