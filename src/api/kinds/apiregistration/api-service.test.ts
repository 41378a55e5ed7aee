/** APIService validation and printer cells, as kube-aggregator's ValidateAPIService and its REST ConvertToTable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiServices, type APIService } from './api-service.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
const svc = (name: string, spec: Record<string, unknown>): APIService =>
  ({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name }, spec: { groupPriorityMinimum: 100, versionPriority: 10, ...spec } }) as APIService;
const remote = { service: { namespace: 'ext', name: 'api' }, group: 'x.example.com', version: 'v1', caBundle: CA };

test('APIService validation: name version.group, group and version well formed, priorities in range, caBundle xor insecureSkipTLSVerify', () => {
  const cases: [string, APIService, string[]][] = [
    ['local core', svc('v1.', { version: 'v1' }), []],
    ['local apps', svc('v1.apps', { group: 'apps', version: 'v1' }), []],
    ['remote with caBundle', svc('v1.x.example.com', remote), []],
    ['name is not version.group', svc('x', remote), ['metadata.name']],
    ['empty group, not v1', svc('v2.', { version: 'v2' }), ['spec.group']],
    ['bad version', svc('V1.x.example.com', { ...remote, version: 'V1' }), ['spec.version']],
    ['groupPriorityMinimum 0', svc('v1.x.example.com', { ...remote, groupPriorityMinimum: 0 }), ['spec.groupPriorityMinimum']],
    ['groupPriorityMinimum 20001', svc('v1.x.example.com', { ...remote, groupPriorityMinimum: 20001 }), ['spec.groupPriorityMinimum']],
    ['versionPriority 1001', svc('v1.x.example.com', { ...remote, versionPriority: 1001 }), ['spec.versionPriority']],
    ['both caBundle and insecure', svc('v1.x.example.com', { ...remote, insecureSkipTLSVerify: true }), ['spec.insecureSkipTLSVerify']],
    ['service without namespace', svc('v1.x.example.com', { ...remote, service: { name: 'api' } }), ['spec.service.namespace']],
    ['local with caBundle', svc('v1.apps', { group: 'apps', version: 'v1', caBundle: CA }), ['spec.caBundle']],
  ];
  for (const [what, obj, fields] of cases) {
    const errs = apiServices.validate(obj);
    assert.deepEqual(errs.map((e) => e.field), fields, `${what}: ${JSON.stringify(errs)}`);
  }
  assert.match(apiServices.validate(svc('x', remote))[0]!.detail, /must be `spec.version\+"."\+spec.group`: "v1.x.example.com"/);
});

test('APIService table: NAME SERVICE AVAILABLE AGE; Local, namespace/name, "False (Reason)"', () => {
  assert.deepEqual(apiServices.tableColumns.map((c) => c.name), ['Name', 'Service', 'Available', 'Age']);
  const now = new Date();
  const local = { ...svc('v1.apps', { group: 'apps', version: 'v1' }), status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] } };
  assert.deepEqual(apiServices.tableRow(local, now).slice(0, 3), ['v1.apps', 'Local', 'True']);
  const down = { ...svc('v1.x.example.com', remote), status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] } };
  assert.deepEqual(apiServices.tableRow(down, now).slice(0, 3), ['v1.x.example.com', 'ext/api', 'False (MissingEndpoints)']);
  assert.equal(apiServices.tableRow(svc('v1.x.example.com', remote), now)[2], 'Unknown');
});
