/**
 * Widely used projects' CRDs applied unchanged (issue 17), with the real kubectl:
 * - Project Calico v3.21's 17 CRDs, from Debian's python3-magnum (testdata/calico-from-debian.ts says
 *   where and how they are pinned; `scripts/setup.sh --test` unpacks the package). Always run.
 * - Any `*.yaml` bundle under the shared folder beside the repository (`../shared/crds`, or the
 *   folder BOSUN_CRD_BUNDLES names), e.g. cert-manager's release asset `cert-manager.crds.yaml`;
 *   skipped, saying so, when there is none (crd.test.ts covers an abridged transcription of two of
 *   cert-manager's CRDs).
 * Messages as kube-apiserver v1.32's apiextensions-apiserver: structural schema validation errors
 * from k8s.io/kube-openapi/pkg/validation ("in body must be of type", "in body should match"),
 * field.NotSupported and field.Required; tables from pkg/registry/customresource/tableconvertor with
 * the Age column apihelpers' serveDefaultColumnsIfEmpty gives a version without additionalPrinterColumns.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { calicoCrdsYaml, calicoScriptPath } from './testdata/calico-from-debian.js';

const SHARED_CRDS = process.env.BOSUN_CRD_BUNDLES ?? join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'crds');
const bundles = existsSync(SHARED_CRDS) ? readdirSync(SHARED_CRDS).filter((f) => f.endsWith('.yaml')).sort() : [];
const CERT_MANAGER = join(SHARED_CRDS, 'cert-manager.crds.yaml');
const CALICO_SCRIPT = calicoScriptPath();
const NS = 'crd-bundle';

interface Crd { kind?: string; metadata: { name: string }; spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean }[] } }
const crdsIn = (yaml: string): Crd[] => parseAllDocuments(yaml).map((d) => d.toJS() as Crd).filter((d) => d?.kind === 'CustomResourceDefinition');

describe('widely used projects\' CRDs, applied unchanged', () => {
  let s: TestServer;
  const ok = (args: string[], input?: string) => kubectlOk(s, args, input === undefined ? undefined : { input });
  /** kubectl that must fail; its stderr. */
  const refused = async (args: string[], input: string): Promise<string> => {
    const r = await s.kubectl(args, { input });
    assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} succeeded: ${r.stdout}`);
    return r.stderr;
  };

  before(async () => {
    s = await startTestServer();
    await ok(['create', 'namespace', NS]);
  });
  after(() => s?.stop());

  /** Applies a bundle as it is and checks each CRD is established, listed by api-resources and explained. */
  async function applyAndCheck(label: string, yaml: string): Promise<Crd[]> {
    const crds = crdsIn(yaml);
    assert.ok(crds.length > 0, `${label} holds CustomResourceDefinitions`);
    await ok(['apply', '--server-side', '-f', '-'], yaml);
    await ok(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((c) => `crd/${c.metadata.name}`)]);
    for (const group of new Set(crds.map((c) => c.spec.group))) {
      const resources = await ok(['api-resources', `--api-group=${group}`, '--no-headers']);
      for (const crd of crds.filter((c) => c.spec.group === group)) {
        const version = crd.spec.versions.find((v) => v.served)!.name;
        assert.match(resources, new RegExp(`^${crd.spec.names.plural}\\s.*${crd.spec.group}/${version}\\s.*${crd.spec.names.kind}$`, 'm'));
        assert.match(await ok(['explain', crd.spec.names.plural, `--api-version=${crd.spec.group}/${version}`]), new RegExp(`KIND:\\s+${crd.spec.names.kind}`));
      }
    }
    return crds;
  }

  describe('Project Calico v3.21 (Debian python3-magnum)', () => {
    before(async () => {
      assert.ok(CALICO_SCRIPT, 'python3-magnum is neither unpacked under /opt/bosun/test-data nor installed: run scripts/setup.sh --test');
    });

    test('all 17 CRDs are established, served in discovery and explained', async () => {
      const yaml = calicoCrdsYaml(CALICO_SCRIPT!);
      const crds = await applyAndCheck('calico', yaml);
      assert.equal(crds.length, 17);
      assert.ok(crds.every((c) => c.spec.group === 'crd.projectcalico.org'));
    });

    const ipPool = (name: string, spec: string) => `apiVersion: crd.projectcalico.org/v1\nkind: IPPool\nmetadata: {name: ${name}}\nspec:\n${spec}`;

    test('an IPPool, a GlobalNetworkPolicy and a NetworkPolicy are server-side applied and listed with the default Age column', async () => {
      await ok(['apply', '--server-side', '-f', '-'], ipPool('calico-pool', '  cidr: 10.244.0.0/16\n  blockSize: 26\n  ipipMode: Always\n  natOutgoing: true\n  nodeSelector: all()\n'));
      await ok(['apply', '--server-side', '-f', '-'], `apiVersion: crd.projectcalico.org/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: ${NS}}
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    destination: {ports: [80, '8080:8081', http]}
---
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {order: 1000, selector: all(), types: [Ingress, Egress]}
`);
      assert.match(await ok(['get', 'ippools.crd.projectcalico.org']), /^NAME\s+AGE\ncalico-pool\s+\d+s$/m);
      assert.match(await ok(['get', 'networkpolicies.crd.projectcalico.org', '-n', NS]), /^NAME\s+AGE\nallow-web\s+\d+s$/m);
      assert.match(await ok(['get', 'globalnetworkpolicies.crd.projectcalico.org']), /^NAME\s+AGE\ndeny-all\s+\d+s$/m);
      // int-or-string ports keep their JSON types.
      assert.equal(await ok(['get', 'networkpolicies.crd.projectcalico.org', 'allow-web', '-n', NS, '-o', 'jsonpath={.spec.ingress[0].destination.ports}']), '[80,"8080:8081","http"]');
    });

    test('server-side apply: a change to another manager\'s field conflicts (message as upstream\'s managedfields conflict.go), forcing takes it over, a field no longer applied goes', async () => {
      const pool24 = ipPool('calico-pool', '  cidr: 10.244.0.0/16\n  blockSize: 24\n');
      assert.match(await refused(['apply', '--server-side', '--field-manager=ops', '-f', '-'], pool24), /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.blockSize\n/);
      await ok(['apply', '--server-side', '--field-manager=ops', '--force-conflicts', '-f', '-'], pool24);
      assert.equal(await ok(['get', 'ippools.crd.projectcalico.org', 'calico-pool', '-o', 'jsonpath={.spec.blockSize}']), '24');
      // An Update manager is named with its entry's apiVersion (never its time: BuildManagerIdentifier in managedfields/internal/managedfields.go drops it).
      await ok(['patch', 'ippools.crd.projectcalico.org', 'calico-pool', '--type=merge', '-p', '{"spec":{"natOutgoing":false}}']);
      assert.match(await refused(['apply', '--server-side', '-f', '-'], ipPool('calico-pool', '  cidr: 10.244.0.0/16\n  natOutgoing: true\n  nodeSelector: all()\n')),
        /Apply failed with 1 conflict: conflict with "kubectl-patch" using crd\.projectcalico\.org\/v1: \.spec\.natOutgoing\n/);
      // kubectl's manager no longer applies ipipMode nor natOutgoing: ipipMode (its own) goes, natOutgoing (kubectl-patch's) and blockSize (ops') stay.
      await ok(['apply', '--server-side', '-f', '-'], ipPool('calico-pool', '  cidr: 10.244.0.0/16\n  nodeSelector: all()\n'));
      const spec = JSON.parse(await ok(['get', 'ippools.crd.projectcalico.org', 'calico-pool', '-o', 'jsonpath={.spec}'])) as Record<string, unknown>;
      assert.deepEqual(spec, { cidr: '10.244.0.0/16', blockSize: 24, natOutgoing: false, nodeSelector: 'all()' });
    });

    test('bad fields are refused with upstream\'s paths and messages, and nothing is written', async () => {
      assert.match(await refused(['apply', '-f', '-'], ipPool('bad-size', '  cidr: 10.245.0.0/16\n  blockSize: big\n')),
        /spec\.blockSize: Invalid value: "string": spec\.blockSize in body must be of type integer: "string"/);
      assert.match(await refused(['apply', '-f', '-'], ipPool('no-cidr', '  blockSize: 26\n')), /spec\.cidr: Required value/);
      assert.match(await refused(['apply', '-f', '-'], 'apiVersion: crd.projectcalico.org/v1\nkind: BGPConfiguration\nmetadata: {name: default}\nspec:\n  communities: [{name: bad, value: "65000"}]\n'),
        /spec\.communities\[0\]\.value: Invalid value: "65000": spec\.communities\[0\]\.value in body should match '\^\(\\d\+\):\(\\d\+\)\$\|\^\(\\d\+\):\(\\d\+\):\(\\d\+\)\$'/);
      assert.match(await refused(['apply', '-f', '-'], 'apiVersion: crd.projectcalico.org/v1\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {awsSrcDstCheck: Sometimes}\n'),
        /spec\.awsSrcDstCheck: Unsupported value: "Sometimes": supported values: "DoNothing", "Enable", "Disable"/);
      assert.match(await refused(['apply', '-f', '-'], 'apiVersion: crd.projectcalico.org/v1\nkind: BGPConfiguration\nmetadata: {name: default}\nspec: {listenPort: 70000}\n'),
        /spec\.listenPort: Invalid value: 70000: spec\.listenPort in body should be less than or equal to 65535/);
      // A field the schema does not declare: refused under kubectl's default --validate=strict, pruned without it.
      assert.match(await refused(['apply', '-f', '-'], ipPool('unknown-field', '  cidr: 10.246.0.0/16\n  vxlan: true\n')), /strict decoding error: unknown field "spec\.vxlan"/);
      await ok(['apply', '--validate=false', '-f', '-'], ipPool('pruned', '  cidr: 10.246.0.0/16\n  vxlan: true\n'));
      assert.equal(await ok(['get', 'ippools.crd.projectcalico.org', 'pruned', '-o', 'jsonpath={.spec}']), '{"cidr":"10.246.0.0/16"}');
      const left = await s.kubectl(['get', 'ippools.crd.projectcalico.org/unknown-field', 'ippools.crd.projectcalico.org/bad-size', 'ippools.crd.projectcalico.org/no-cidr', 'bgpconfigurations.crd.projectcalico.org/default', 'felixconfigurations.crd.projectcalico.org/default']);
      assert.equal((left.stderr.match(/NotFound/g) ?? []).length, 5, left.stderr);
      // The communities pattern accepts what it describes.
      await ok(['apply', '-f', '-'], 'apiVersion: crd.projectcalico.org/v1\nkind: BGPConfiguration\nmetadata: {name: default}\nspec:\n  communities: [{name: std, value: "65000:100"}, {name: large, value: "65000:1:2"}]\n');
    });
  });

  describe('bundles from shared/crds', { skip: bundles.length === 0 ? `no bundle at ${SHARED_CRDS}` : false }, () => {
    for (const file of bundles) {
      test(`${file}: every CRD is established, served in discovery and explained`, async () => {
        await applyAndCheck(file, readFileSync(join(SHARED_CRDS, file), 'utf8'));
      });
    }

    test('cert-manager: a Certificate is created, a bad field refused with its path, listed with its columns', { skip: existsSync(CERT_MANAGER) ? false : 'no cert-manager.crds.yaml' }, async () => {
      await ok(['apply', '--server-side', '-f', CERT_MANAGER]);
      await ok(['wait', '--for=condition=Established', '--timeout=60s', 'crd/certificates.cert-manager.io', 'crd/issuers.cert-manager.io']);
      await ok(['apply', '-f', '-'], `apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: selfsigned, namespace: ${NS}}\nspec: {selfSigned: {}}\n`);
      const cert = (name: string, extra = '') => `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n  secretName: ${name}-tls\n  dnsNames: [${name}.example.com]\n  issuerRef: {name: selfsigned, kind: Issuer}\n${extra}`;
      await ok(['apply', '--server-side', '-f', '-'], cert('web'));
      const bad = await refused(['apply', '-f', '-'], cert('bad', '  privateKey: {algorithm: RSA, size: big}\n'));
      assert.match(bad, /spec\.privateKey\.size: Invalid value: "string": spec\.privateKey\.size in body must be of type integer: "string"/);
      assert.match(await ok(['get', 'certificates', '-n', NS]), /^NAME\s+READY\s+SECRET\s+AGE\nweb\s+\S*\s+web-tls\s+\d+s$/m);
    });
  });
});
