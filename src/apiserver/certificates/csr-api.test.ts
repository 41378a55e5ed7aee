/**
 * certificates.k8s.io/v1 CertificateSigningRequest through the real kubectl against an in-process
 * API server: upstream's create validation (request PEM, signerName, usages, expirationSeconds), the
 * requester written into spec (not the body's claim), the CertificateSubjectRestriction admission,
 * `kubectl certificate approve|deny` through /approval (protobuf), what /status and the main resource
 * may not change, and the printer columns (as upstream's printCertificateSigningRequest).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeCsr } from '../../api/certificates/make-csr.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { RawClient } from '../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function csrManifest(name: string, o: { request?: string; signerName?: string; usages?: string[]; expirationSeconds?: number; spec?: object } = {}): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: {
      request: o.request ?? b64(makeCsr('alice', ['dev']).csr), signerName: o.signerName ?? 'kubernetes.io/kube-apiserver-client',
      usages: o.usages ?? ['client auth'], ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}), ...o.spec,
    },
  });
}

const signerRole = (name: string, signer: string): string => JSON.stringify({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name },
  rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [signer], verbs: ['approve'] }],
});

describe('CertificateSigningRequest API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  test('create: the requester, not the body, fills spec.username/groups; columns as upstream', async () => {
    await kubectlOk(server, ['create', '-f', '-'], { input: csrManifest('u1-csr', { expirationSeconds: 3600, spec: { username: 'mallory', groups: ['system:masters'] } }) });
    const csr = JSON.parse(await kubectlOk(server, ['get', 'csr', 'u1-csr', '-o', 'json'])) as { spec: { username: string; groups: string[] } };
    assert.equal(csr.spec.username, 'system:admin');
    assert.deepEqual(csr.spec.groups, ['system:masters', 'system:authenticated']);
    const table = await kubectlOk(server, ['get', 'csr', 'u1-csr']);
    assert.match(table, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(table, /u1-csr\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+system:admin\s+60m\s+Pending/);
    // spec.signerName is a field selector, as upstream's SelectableFields.
    assert.match(await kubectlOk(server, ['get', 'csr', '--field-selector', 'spec.signerName=kubernetes.io/kube-apiserver-client', '-o', 'name']), /u1-csr/);
    assert.equal(await kubectlOk(server, ['get', 'csr', '--field-selector', 'spec.signerName=example.com/other', '-o', 'name']), '');
  });

  test('create: bad request, signer, usages and duration are 422 naming the field', async () => {
    const cases: [string, string, RegExp][] = [
      ['u1-bad-pem', csrManifest('u1-bad-pem', { request: b64('not a pem') }), /spec.request: Invalid value: .*PEM block type must be CERTIFICATE REQUEST/],
      ['u1-bad-signer', csrManifest('u1-bad-signer', { signerName: 'nodomain' }), /spec.signerName: Invalid value: "nodomain": must be a fully qualified domain and path of the form 'example.com\/signer-name'/],
      ['u1-no-usages', csrManifest('u1-no-usages', { usages: [] }), /spec.usages: Required value/],
      ['u1-bad-usage', csrManifest('u1-bad-usage', { usages: ['client auth', 'flying'] }), /spec.usages\[1\]: Unsupported value: "flying"/],
      ['u1-short', csrManifest('u1-short', { expirationSeconds: 599 }), /spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds \(10 minutes\)/],
    ];
    for (const [name, manifest, want] of cases) {
      const r = await server.kubectl(['create', '-f', '-'], { input: manifest });
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, want, name);
      assert.match(r.stderr, /is invalid/, name);
    }
    // A tampered request (signature no longer matches) is refused as well.
    const pem = makeCsr('bob').csr;
    const body = pem.split('\n').slice(1, -2).join('');
    const der = Buffer.from(body, 'base64');
    der[40] = der[40]! ^ 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const r = await server.kubectl(['create', '-f', '-'], { input: csrManifest('u1-tampered', { request: b64(tampered) }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec.request: Invalid value/);
  });

  test('system:masters is refused for kube-apiserver-client (CertificateSubjectRestriction)', async () => {
    const r = await server.kubectl(['create', '-f', '-'], { input: csrManifest('u1-masters', { request: b64(makeCsr('eve', ['system:masters']).csr) }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
  });

  test('approving needs approve on the signer (CertificateApproval admission), by exact name or domain/*', async () => {
    const approverRules = JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'u1-csr-approver' },
      rules: [
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['get', 'list'] },
        { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval', 'certificatesigningrequests/status'], verbs: ['update'] },
      ],
    });
    await kubectlOk(server, ['apply', '-f', '-'], { input: approverRules });
    await kubectlOk(server, ['create', 'clusterrolebinding', 'u1-carol', '--clusterrole=u1-csr-approver', '--user=u1-carol']);
    await kubectlOk(server, ['create', 'clusterrolebinding', 'u1-dave', '--clusterrole=u1-csr-approver', '--user=u1-dave']);
    await kubectlOk(server, ['create', '-f', '-'], { input: csrManifest('u1-by-carol') });
    const refused = await server.kubectl(['--as=u1-carol', 'certificate', 'approve', 'u1-by-carol']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /certificatesigningrequests.certificates.k8s.io "u1-by-carol" is forbidden: user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/);
    // `signers` is no served resource (kubectl create clusterrole would refuse it): the rule is applied as upstream's docs show.
    await kubectlOk(server, ['apply', '-f', '-'], { input: signerRole('u1-signer-exact', 'kubernetes.io/kube-apiserver-client') });
    await kubectlOk(server, ['create', 'clusterrolebinding', 'u1-carol-signer', '--clusterrole=u1-signer-exact', '--user=u1-carol']);
    assert.match(await kubectlOk(server, ['--as=u1-carol', 'certificate', 'approve', 'u1-by-carol']), /approved/);
    await kubectlOk(server, ['create', '-f', '-'], { input: csrManifest('u1-by-dave') });
    await kubectlOk(server, ['apply', '-f', '-'], { input: signerRole('u1-signer-domain', 'kubernetes.io/*') });
    await kubectlOk(server, ['create', 'clusterrolebinding', 'u1-dave-signer', '--clusterrole=u1-signer-domain', '--user=u1-dave']);
    assert.match(await kubectlOk(server, ['--as=u1-dave', 'certificate', 'approve', 'u1-by-dave']), /approved/);

    // Writing a certificate through /status needs sign on the signer (CertificateSigning admission).
    const api = new RawClient(server.url, server.dataDir);
    const path = '/apis/certificates.k8s.io/v1/certificatesigningrequests/u1-by-dave';
    const cur = (await api.request(path)).json as { status: object };
    const forged = await api.send('PUT', `${path}/status`, { ...cur, status: { ...cur.status, certificate: b64('-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n') } }, { 'Impersonate-User': 'u1-dave' });
    assert.equal(forged.status, 403);
    assert.match(forged.json.message, /user not permitted to sign requests with signerName "kubernetes.io\/kube-apiserver-client"/);
    api.close();
  });

  test('kubectl certificate approve and deny go through /approval; status and spec stay as the paths allow', async () => {
    await kubectlOk(server, ['create', '-f', '-'], { input: csrManifest('u1-approve') });
    await kubectlOk(server, ['create', '-f', '-'], { input: csrManifest('u1-deny') });
    assert.match(await kubectlOk(server, ['certificate', 'approve', 'u1-approve']), /certificatesigningrequest.certificates.k8s.io\/u1-approve approved/);
    assert.match(await kubectlOk(server, ['certificate', 'deny', 'u1-deny']), /u1-deny denied/);
    assert.match(await kubectlOk(server, ['get', 'csr', 'u1-approve']), /Approved\n/);
    assert.match(await kubectlOk(server, ['get', 'csr', 'u1-deny']), /Denied\n/);
    const api = new RawClient(server.url, server.dataDir);
    const path = '/apis/certificates.k8s.io/v1/certificatesigningrequests/u1-approve';
    const cur = (await api.request(path)).json as { spec: object; status: { conditions: { type: string; lastTransitionTime?: string }[] } };
    assert.equal(cur.status.conditions[0]!.type, 'Approved');
    assert.ok(cur.status.conditions[0]!.lastTransitionTime, 'the server fills lastTransitionTime');
    // Approved and Denied are exclusive (kubectl refuses this itself, so the raw /approval PUT).
    const both = await api.send('PUT', `${path}/approval`, { ...cur, status: { conditions: [...cur.status.conditions, { type: 'Denied', status: 'True' }] } });
    assert.equal(both.status, 422);
    assert.match(both.body, /Approved and Denied conditions are mutually exclusive/);
    // /status cannot add or drop approval conditions; the main resource cannot change spec or status.
    const viaStatus = await api.send('PUT', `${path}/status`, { ...cur, status: { conditions: [] } });
    assert.equal(viaStatus.status, 200);
    assert.equal((viaStatus.json as typeof cur).status.conditions[0]!.type, 'Approved');
    // Bodies of the wrong JSON types fail decoding as upstream's (400 naming the Go field), never 500.
    const cannot = 'CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: json: cannot unmarshal';
    for (const [sub, status, why] of [
      ['approval', { conditions: 'x' }, 'string into Go struct field CertificateSigningRequestStatus.status.conditions of type []v1.CertificateSigningRequestCondition'],
      ['status', { conditions: [5] }, 'number into Go struct field CertificateSigningRequestStatus.status.conditions of type v1.CertificateSigningRequestCondition'],
      ['approval', 'x', 'string into Go struct field CertificateSigningRequest.status of type v1.CertificateSigningRequestStatus'],
    ] as const) {
      const bad = await api.send('PUT', `${path}/${sub}`, { ...cur, status });
      assert.equal(bad.status, 400, `${sub} ${JSON.stringify(status)}: ${bad.body}`);
      assert.equal(bad.json.message, `${cannot} ${why}`);
    }
    const badSpec = await api.send('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'u1-bad-spec' }, spec: 5 });
    assert.equal(badSpec.status, 400, badSpec.body);
    assert.equal(badSpec.json.message, `${cannot} number into Go struct field CertificateSigningRequest.spec of type v1.CertificateSigningRequestSpec`);
    const viaMain = await api.send('PUT', path, { ...cur, spec: { ...cur.spec, signerName: 'example.com/other' }, status: { certificate: b64('x') } });
    assert.equal(viaMain.status, 200);
    const after = viaMain.json as { spec: { signerName: string }; status: { certificate?: string } };
    assert.equal(after.spec.signerName, 'kubernetes.io/kube-apiserver-client');
    assert.equal(after.status.certificate, undefined);
    api.close();
  });
});
