import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseResourcePath } from './request-info.js';

test('parseResourcePath follows kube-apiserver RequestInfoFactory', () => {
  const cases: [string, object | undefined][] = [
    ['/api/v1/namespaces', { group: '', version: 'v1', namespace: undefined, resource: 'namespaces', name: undefined, subresource: undefined, rest: [], watchPrefix: false }],
    ['/api/v1/namespaces/default', { group: '', version: 'v1', namespace: undefined, resource: 'namespaces', name: 'default', subresource: undefined, rest: [], watchPrefix: false }],
    ['/api/v1/namespaces/ns1/finalize', { group: '', version: 'v1', namespace: undefined, resource: 'namespaces', name: 'ns1', subresource: 'finalize', rest: [], watchPrefix: false }],
    ['/api/v1/namespaces/ns1/status', { group: '', version: 'v1', namespace: undefined, resource: 'namespaces', name: 'ns1', subresource: 'status', rest: [], watchPrefix: false }],
    ['/api/v1/namespaces/ns1/pods', { group: '', version: 'v1', namespace: 'ns1', resource: 'pods', name: undefined, subresource: undefined, rest: [], watchPrefix: false }],
    ['/api/v1/namespaces/ns1/pods/p1/log', { group: '', version: 'v1', namespace: 'ns1', resource: 'pods', name: 'p1', subresource: 'log', rest: [], watchPrefix: false }],
    ['/api/v1/pods', { group: '', version: 'v1', namespace: undefined, resource: 'pods', name: undefined, subresource: undefined, rest: [], watchPrefix: false }],
    ['/apis/apps/v1/namespaces/d/deployments/web/scale', { group: 'apps', version: 'v1', namespace: 'd', resource: 'deployments', name: 'web', subresource: 'scale', rest: [], watchPrefix: false }],
    ['/api/v1/watch/namespaces/d/pods/p', { group: '', version: 'v1', namespace: 'd', resource: 'pods', name: 'p', subresource: undefined, rest: [], watchPrefix: true }],
    ['/api/v1/namespaces/d/pods/p/proxy/a/b', { group: '', version: 'v1', namespace: 'd', resource: 'pods', name: 'p', subresource: 'proxy', rest: ['a', 'b'], watchPrefix: false }],
    ['/api/v1/nodes/n%201', { group: '', version: 'v1', namespace: undefined, resource: 'nodes', name: 'n 1', subresource: undefined, rest: [], watchPrefix: false }],
    ['/api', undefined],
    ['/api/v1', undefined],
    ['/apis/apps/v1', undefined],
    ['/version', undefined],
    ['/api/v1/watch', undefined],
    ['/api/v1/pods/%E0%A4%A', undefined],
  ];
  for (const [path, want] of cases) assert.deepEqual(parseResourcePath(path), want, path);
});
