/**
 * A widely used project's CRD bundle applied unchanged (issue 17). No npm or Debian package ships such
 * YAML, and copies of public repositories may not be committed by developers, so the bundle is a data
 * file the steering side places under the shared folder beside the repository:
 * `../shared/crds/cert-manager.crds.yaml` (cert-manager's release asset `cert-manager.crds.yaml`), and
 * any other `*.yaml` there (BOSUN_CRD_BUNDLES names another folder). Without it the test is skipped, saying so; crd.test.ts covers the same
 * behaviour on an abridged transcription of two of cert-manager's CRDs.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';

const SHARED_CRDS = process.env.BOSUN_CRD_BUNDLES ?? join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'crds');
const bundles = existsSync(SHARED_CRDS) ? readdirSync(SHARED_CRDS).filter((f) => f.endsWith('.yaml')).sort() : [];
const CERT_MANAGER = join(SHARED_CRDS, 'cert-manager.crds.yaml');
const NS = 'crd-bundle';

interface Crd { kind?: string; metadata: { name: string }; spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean }[] } }
const crdsIn = (file: string): Crd[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Crd).filter((d) => d?.kind === 'CustomResourceDefinition');

describe('upstream CRD bundles from shared/crds, applied unchanged', { skip: bundles.length === 0 ? `no bundle at ${SHARED_CRDS}` : false }, () => {
  let s: TestServer;
  const ok = (args: string[], input?: string) => kubectlOk(s, args, input === undefined ? undefined : { input });

  before(async () => {
    s = await startTestServer();
    await ok(['create', 'namespace', NS]);
  });
  after(() => s?.stop());

  for (const file of bundles) {
    test(`${file}: every CRD is established, served in discovery and explained`, async () => {
      const crds = crdsIn(join(SHARED_CRDS, file));
      assert.ok(crds.length > 0, `${file} holds CustomResourceDefinitions`);
      await ok(['apply', '--server-side', '-f', join(SHARED_CRDS, file)]);
      await ok(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((c) => `crd/${c.metadata.name}`)]);
      for (const crd of crds) {
        const version = crd.spec.versions.find((v) => v.served)!.name;
        const resources = await ok(['api-resources', `--api-group=${crd.spec.group}`, '--no-headers']);
        assert.match(resources, new RegExp(`^${crd.spec.names.plural}\\s.*${crd.spec.group}/${version}\\s.*${crd.spec.names.kind}$`, 'm'));
        assert.match(await ok(['explain', crd.spec.names.plural, `--api-version=${crd.spec.group}/${version}`]), new RegExp(`KIND:\\s+${crd.spec.names.kind}`));
      }
    });
  }

  test('cert-manager: a Certificate is created, a bad field refused with its path, listed with its columns', { skip: existsSync(CERT_MANAGER) ? false : 'no cert-manager.crds.yaml' }, async () => {
    await ok(['apply', '--server-side', '-f', CERT_MANAGER]);
    await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/certificates.cert-manager.io', 'crd/issuers.cert-manager.io']);
    await ok(['apply', '-f', '-'], `apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: selfsigned, namespace: ${NS}}\nspec: {selfSigned: {}}\n`);
    const cert = (name: string, extra = '') => `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n  secretName: ${name}-tls\n  dnsNames: [${name}.example.com]\n  issuerRef: {name: selfsigned, kind: Issuer}\n${extra}`;
    await ok(['apply', '--server-side', '-f', '-'], cert('web'));
    const bad = await s.kubectl(['apply', '-f', '-'], { input: cert('bad', '  privateKey: {algorithm: RSA, size: big}\n') });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.privateKey\.size: Invalid value: "string": spec\.privateKey\.size in body must be of type integer: "string"/);
    assert.match(await ok(['get', 'certificates', '-n', NS]), /^NAME\s+READY\s+SECRET\s+AGE\nweb\s+\S*\s+web-tls\s+\d+s$/m);
  });
});
