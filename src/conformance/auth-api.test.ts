/**
 * Upstream's sig-auth conformance tests of the API (test/e2e/auth/certificates.go's "CSR API
 * operations", subjectreviews.go), step by step, against an API server alone: a CSR for a signer
 * nobody runs through create, get, list by field selector, watch, patch, update, the /approval and
 * /status subresources and (collection) deletion; a SubjectAccessReview and a
 * LocalSubjectAccessReview for a ServiceAccount, each matching what a request impersonating it gets;
 * the API token volume mounted into a pod by the ServiceAccount admission only when neither the pod
 * nor its ServiceAccount opts out (service_accounts.go: it reads the created pod's spec, as here).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateSigningRequest, Pod } from '../api/kinds/index.js';
import type { KubeObject } from '../api/meta.js';
import { makeCsr } from '../api/certificates/make-csr.js';
import { selfSignedServingCertificate } from '../agent/server/serving-cert.js';
import { isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { addServiceAccountsController } from '../controllers/serviceaccounts/serviceaccounts-controller.js';
import { startControllerEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';
import { RawClient } from '../testing/raw-client.js';
import { checkDiscovery } from './testing/api-lifecycle.js';
import { WatchReader } from './testing/watch-reader.js';

const NS = 'cf-auth';
let env: ClientEnv;
before(async () => {
  // The serviceaccount controller makes each namespace's "default", which the automount test uses.
  env = await startControllerEnv({ namespace: NS, add: (mgr) => addServiceAccountsController(mgr) });
});
after(() => env.stop());

const b64 = (s: string) => Buffer.from(s).toString('base64');
type Condition = { type: string; status: string; reason?: string; message?: string };
const conditions = (o: CertificateSigningRequest) => (o.status?.conditions ?? []) as Condition[];

test('[sig-auth] Certificates API [Privileged:ClusterAdmin] should support CSR API operations [Conformance]', async () => {
  const csrs = env.client.resource<CertificateSigningRequest>(resources.certificatesigningrequests);
  const signerName = `example.com/e2e-cf-${Math.random().toString(36).slice(2, 7)}`;
  const template = {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { generateName: 'e2e-example-csr-' },
    spec: { request: b64(makeCsr('e2e.example.com').csr), signerName, expirationSeconds: 3600, usages: ['digital signature', 'key encipherment', 'server auth'] },
  } as CertificateSigningRequest;
  const certificateData = selfSignedServingCertificate('e2e.example.com', ['e2e.example.com']).cert;

  await checkDiscovery(env.client, resources.certificatesigningrequests, ['approval', 'status']);

  await csrs.create(template);
  await csrs.create(template);
  const created = await csrs.create(template);
  const name = created.metadata.name!;
  const got = await csrs.get(name);
  assert.equal(got.metadata.uid, created.metadata.uid);
  assert.equal(got.spec.expirationSeconds, 3600);
  const bySigner = { fieldSelector: `spec.signerName=${signerName}` };
  const list = await csrs.list(bySigner);
  assert.equal(list.items.length, 3, 'filtered list should have 3 items');

  const w = new WatchReader(await csrs.watch({ resourceVersion: list.metadata.resourceVersion, fieldSelector: `metadata.name=${name}` }));
  try {
    const patched = await csrs.patch(name, 'merge', { metadata: { annotations: { patched: 'true' } } });
    assert.equal(patched.metadata.annotations?.patched, 'true');
    const updated = await csrs.update({ ...patched, metadata: { ...patched.metadata, annotations: { ...patched.metadata.annotations, updated: 'true' } } });
    assert.equal(updated.metadata.annotations?.updated, 'true');
    // Only MODIFIED events, the first already with the patched annotation.
    assert.equal((await w.expect('MODIFIED', name)).object.metadata.annotations?.patched, 'true');
  } finally {
    w.stop();
  }

  const path = `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`;
  const approval = await env.client.raw<KubeObject>('GET', `${path}/approval`);
  assert.deepEqual([approval.apiVersion, approval.kind, approval.metadata.uid], ['certificates.k8s.io/v1', 'CertificateSigningRequest', created.metadata.uid]);
  const patchedApproval = await csrs.patch(name, 'merge', { metadata: { annotations: { patchedapproval: 'true' } }, status: { conditions: [{ type: 'ApprovalPatch', status: 'True', reason: 'e2e' }] } }, { subresource: 'approval' });
  assert.deepEqual(conditions(patchedApproval).map((c) => c.type), ['ApprovalPatch'], 'patched object should have the applied condition');
  assert.equal(patchedApproval.metadata.annotations?.patchedapproval, 'true');
  const toApprove = { ...patchedApproval, status: { ...patchedApproval.status, conditions: [...conditions(patchedApproval), { type: 'Approved', status: 'True', reason: 'E2E', message: 'Set from an e2e test' }] } };
  const updatedApproval = await env.client.raw<CertificateSigningRequest>('PUT', `${path}/approval`, toApprove);
  assert.deepEqual(conditions(updatedApproval).map((c) => c.type), ['ApprovalPatch', 'Approved']);

  const status = await env.client.raw<KubeObject>('GET', `${path}/status`);
  assert.deepEqual([status.apiVersion, status.kind, status.metadata.uid], ['certificates.k8s.io/v1', 'CertificateSigningRequest', created.metadata.uid]);
  const patchedStatus = await csrs.patch(name, 'merge', { metadata: { annotations: { patchedstatus: 'true' } }, status: { certificate: b64(certificateData) } }, { subresource: 'status' });
  assert.equal(Buffer.from(patchedStatus.status?.certificate ?? '', 'base64').toString(), certificateData, 'patched object should have the applied certificate');
  assert.equal(patchedStatus.metadata.annotations?.patchedstatus, 'true');
  const statusToUpdate = { ...patchedStatus, status: { ...patchedStatus.status, conditions: [...conditions(patchedStatus), { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from an e2e test' }] } };
  const updatedStatus = await csrs.updateStatus(statusToUpdate);
  assert.equal(conditions(updatedStatus).length, statusToUpdate.status.conditions.length);
  assert.equal(conditions(updatedStatus).at(-1)?.type, 'StatusUpdate');

  await csrs.delete(name);
  await assert.rejects(csrs.get(name), (e: unknown) => isNotFound(e));
  assert.equal((await csrs.list(bySigner)).items.length, 2, 'filtered list should have 2 items');
  await csrs.deleteCollection(bySigner);
  assert.deepEqual((await csrs.list(bySigner)).items, [], 'filtered list should have 0 items');
});

test('[sig-auth] SubjectReview should support SubjectReview API operations [Conformance]', async () => {
  const sa = await env.client.resource(resources.serviceaccounts, NS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'e2e' } });
  const saUsername = `system:serviceaccount:${NS}:e2e`;
  const saGroups = ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${NS}`];
  const saUID = sa.metadata.uid!;
  const attributes = { verb: 'list', resource: 'configmaps', namespace: NS, version: 'v1' };
  const sar = await env.client.raw<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { resourceAttributes: attributes, user: saUsername, groups: saGroups, uid: saUID },
  });
  // As the impersonated ServiceAccount: list configmaps, allowed or 403.
  const raw = new RawClient(env.ts.url, env.ts.dataDir);
  let actuallyAllowed: boolean;
  try {
    const r = await raw.request(`/api/v1/namespaces/${NS}/configmaps`, { headers: { 'Impersonate-User': saUsername, 'Impersonate-Uid': saUID, 'Impersonate-Group': saGroups } });
    assert.ok(r.status === 200 || r.status === 403, `list configmaps as ${saUsername}: ${r.status} ${r.body}`);
    actuallyAllowed = r.status === 200;
  } finally {
    raw.close();
  }
  assert.equal(sar.status.allowed, actuallyAllowed, 'the SubjectAccessReview answers as the request went');
  // Upstream's LocalSubjectAccessReview names the user by the ServiceAccount's bare name.
  const lsar = await env.client.raw<{ status: { allowed: boolean } }>('POST', `/apis/authorization.k8s.io/v1/namespaces/${NS}/localsubjectaccessreviews`, {
    apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: NS }, spec: { resourceAttributes: attributes, user: 'e2e', groups: saGroups, uid: saUID },
  });
  assert.equal(lsar.status.allowed, actuallyAllowed, 'the LocalSubjectAccessReview answers as the request went');
});

test('[sig-auth] ServiceAccounts should allow opting out of API token automount [Conformance]', async () => {
  const sas = env.client.resource(resources.serviceaccounts, NS);
  await sas.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'mount' }, automountServiceAccountToken: true } as KubeObject);
  await sas.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'nomount' }, automountServiceAccountToken: false } as KubeObject);
  await eventually(() => sas.get('default').then(() => true, () => false), 'the default ServiceAccount');
  const cases: [string, string, boolean | undefined, boolean][] = [
    ['pod-service-account-defaultsa', 'default', undefined, true],
    ['pod-service-account-mountsa', 'mount', undefined, true],
    ['pod-service-account-nomountsa', 'nomount', undefined, false],
    // The pod spec wins when opting in...
    ['pod-service-account-defaultsa-mountspec', 'default', true, true],
    ['pod-service-account-mountsa-mountspec', 'mount', true, true],
    ['pod-service-account-nomountsa-mountspec', 'nomount', true, true],
    // ...and when opting out.
    ['pod-service-account-defaultsa-nomountspec', 'default', false, false],
    ['pod-service-account-mountsa-nomountspec', 'mount', false, false],
    ['pod-service-account-nomountsa-nomountspec', 'nomount', false, false],
  ];
  for (const [name, sa, automount, expectVolume] of cases) {
    const created = await env.client.pods<Pod>(NS).create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { containers: [{ name: 'token-test', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' }], restartPolicy: 'Never', serviceAccountName: sa, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) },
    });
    const hasTokenVolume = created.spec!.containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount'));
    assert.equal(hasTokenVolume, expectVolume, `${name}: the token volume mounted`);
  }
});
