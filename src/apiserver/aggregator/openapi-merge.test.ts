/**
 * The OpenAPI merge of extensions, without servers: kube-openapi's FilterSpecByPathsWithoutSideEffects
 * and MergeSpecsIgnorePathConflictRenamingDefinitionsAndParameters cases (pkg/aggregator's tests), and
 * that with no extension contributing, the server's own documents are served as they are (the same
 * object: no copy, no second protobuf encoding).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { APIService } from '../../api/kinds/apiregistration/api-service.js';
import { eventually } from '../../testing/eventually.js';
import type { OpenApiDocs } from '../openapi/documents.js';
import { definitionsUnderApis, mergeDefinitions } from './openapi-v2-merge.js';
import { RemoteAgents } from './remote-transport.js';
import { RemoteOpenApi } from './remote-openapi.js';

const ref = (name: string): { $ref: string } => ({ $ref: `#/definitions/${name}` });

describe('OpenAPI v2 aggregation (kube-openapi pkg/aggregator)', () => {
  test('keeps the definitions reached, transitively, from paths under /apis/ only', () => {
    const defs = definitionsUnderApis({
      paths: { '/apis/x.example.com/v1/things': { get: { responses: { 200: { schema: ref('A') } } } }, '/version': { get: { responses: { 200: { schema: ref('V') } } } } },
      definitions: { A: { properties: { b: ref('B') } }, B: { items: ref('C') }, C: { type: 'string' }, V: { type: 'object' }, Unused: { type: 'object' } },
    });
    assert.deepEqual(Object.keys(defs), ['A', 'B', 'C']);
  });

  test('equal definitions are shared; a differing one is renamed _v2 (then _v3) and the references follow', () => {
    const into: Record<string, unknown> = { Same: { type: 'string' }, Meta: { properties: { labels: {} } }, Meta_v2: { type: 'object' } };
    mergeDefinitions(into, { Same: { type: 'string' }, Meta: { properties: { name: {} } }, Kind: { properties: { metadata: ref('Meta'), same: ref('Same') } } });
    assert.deepEqual(into.Meta, { properties: { labels: {} } }, 'the server\'s own definition kept');
    assert.deepEqual(into.Meta_v3, { properties: { name: {} } });
    assert.deepEqual(into.Kind, { properties: { metadata: ref('Meta_v3'), same: ref('Same') } });
  });
});

const apiService = (name: string): APIService => ({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name }, spec: { group: 'x.example.com', version: 'v1', service: { namespace: 'ns', name: 'svc' }, groupPriorityMinimum: 1000, versionPriority: 15 } });

describe('RemoteOpenApi', () => {
  const remoteOpenApi = (log: (msg: string) => void = () => {}, now?: () => number) =>
    new RemoteOpenApi({ agents: new RemoteAgents(() => ({ cert: '', key: '' })), services: () => undefined, endpointSlices: () => undefined, log, now });

  test('a failed download is tried again after refreshMs, not at every availability check', async () => {
    const failures: string[] = [];
    let clock = 1_000_000;
    const remote = remoteOpenApi((msg) => failures.push(msg), () => clock);
    remote.observe('v1.x.example.com', apiService('v1.x.example.com'), true);
    await eventually(() => failures.length === 1, 'the first download to fail');
    remote.observe('v1.x.example.com', apiService('v1.x.example.com'), true);
    clock += 59_000;
    remote.observe('v1.x.example.com', apiService('v1.x.example.com'), true);
    await new Promise((r) => setImmediate(r));
    assert.equal(failures.length, 1);
    clock += 1_000;
    remote.observe('v1.x.example.com', apiService('v1.x.example.com'), true);
    await eventually(() => failures.length === 2, 'the download tried again a minute later');
  });

  test('no extension contributing: the server\'s own documents, the same object', () => {
    const remote = remoteOpenApi();
    const local = { index: { paths: {} }, groupVersion: new Map(), v2: {}, v2Protobuf: Buffer.alloc(0) } as OpenApiDocs;
    assert.equal(remote.merge(local), local);
    // A remote APIService that failed its check contributes nothing either.
    remote.observe('v1.x.example.com', undefined, false);
    assert.equal(remote.merge(local), local);
  });
});
