/**
 * CustomResourceDefinitions end to end with the real kubectl: cert-manager's Certificate and Issuer
 * CRDs (testdata/cert-manager-crds.yaml) and a Widget CRD with CEL rules, defaults, scale and two
 * versions (testdata/widgets-crd.yaml). Messages and behaviour as kube-apiserver v1.32's
 * apiextensions-apiserver (pkg/apiserver/schema, pkg/registry/customresource).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { RawClient } from '../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';

const DATA = join(import.meta.dirname, 'testdata');
const NS = 'crd-test';

const certificate = (name: string, extra = ''): string => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${name}, namespace: ${NS}}
spec:
  secretName: ${name}-tls
  dnsNames: [${name}.example.com]
  issuerRef: {name: selfsigned, kind: Issuer}
${extra}`;

const widget = (name: string, spec: string): string => `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${name}, namespace: ${NS}}\nspec: ${spec}\n`;

describe('CustomResourceDefinitions', () => {
  let s: TestServer;
  const k = (args: string[], input?: string) => s.kubectl(args, input === undefined ? undefined : { input });
  const ok = (args: string[], input?: string) => kubectlOk(s, args, input === undefined ? undefined : { input });

  before(async () => {
    s = await startTestServer();
    await ok(['create', 'namespace', NS]);
    await ok(['apply', '-f', join(DATA, 'cert-manager-crds.yaml'), '-f', join(DATA, 'widgets-crd.yaml')]);
    await ok(['wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', 'crd/issuers.cert-manager.io', 'crd/widgets.example.com', '--timeout=30s']);
  });
  after(() => s?.stop());

  test("cert-manager's CRDs are established with their names, served in discovery and explained from their schema", async () => {
    const crd = JSON.parse(await ok(['get', 'crd', 'certificates.cert-manager.io', '-o', 'json']));
    assert.deepEqual(crd.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`), ['NamesAccepted=True', 'Established=True']);
    assert.deepEqual(crd.status.acceptedNames, { kind: 'Certificate', listKind: 'CertificateList', plural: 'certificates', singular: 'certificate', shortNames: ['cert', 'certs'], categories: ['cert-manager'] });
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    const resources = await ok(['api-resources', '--api-group=cert-manager.io', '--no-headers']);
    assert.match(resources, /^certificates\s+cert,certs\s+cert-manager.io\/v1\s+true\s+Certificate$/m);
    assert.match(resources, /^issuers\s+cert-manager.io\/v1\s+true\s+Issuer$/m);
    const explained = await ok(['explain', 'certificate.spec.secretName']);
    assert.match(explained, /KIND:\s+Certificate/);
    assert.match(explained, /Name of the Secret resource that will be automatically created/);
  });

  test('certificates are created, validated with the path of a bad field, and listed with their printer columns', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: selfsigned, namespace: ${NS}}\nspec: {selfSigned: {}}\n`);
    await ok(['apply', '-f', '-'], certificate('web'));
    const bad = await k(['apply', '-f', '-'], certificate('bad', '  privateKey: {algorithm: RSA, size: big}\n'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /The Certificate "bad" is invalid: spec\.privateKey\.size: Invalid value: "string": spec\.privateKey\.size in body must be of type integer: "string"/);
    const badEnum = await k(['apply', '-f', '-'], certificate('bad', '  usages: [server auth, flying]\n'));
    assert.match(badEnum.stderr, /spec\.usages\[1\]: Unsupported value: "flying": supported values: "signing", /);
    const missing = await k(['create', '-f', '-'], `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: bad, namespace: ${NS}}\nspec: {issuerRef: {name: x}}\n`);
    assert.match(missing.stderr, /spec\.secretName: Required value/);
    const typo = await k(['apply', '-f', '-'], certificate('bad', '  secretNmae: x\n'));
    assert.match(typo.stderr, /unknown field "spec\.secretNmae"/);

    await ok(['patch', 'certificate', 'web', '-n', NS, '--subresource=status', '--type=merge', '-p',
      JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' }] } })]);
    const table = await ok(['get', 'certificates', '-n', NS]);
    assert.match(table, /^NAME\s+READY\s+SECRET\s+AGE$/m);
    assert.match(table, /^web\s+True\s+web-tls\s+\d+s$/m);
    const wide = await ok(['get', 'certs', '-n', NS, '-o', 'wide']);
    assert.match(wide, /^NAME\s+READY\s+SECRET\s+ISSUER\s+STATUS\s+AGE$/m);
    assert.match(wide, /^web\s+True\s+web-tls\s+selfsigned\s+Certificate is up to date and has not expired\s+\d+s$/m);
    // A column whose path finds nothing is a null cell (upstream's table convertor), printed empty by kubectl.
    assert.match(await ok(['get', 'issuers', '-n', NS]), /^NAME\s+READY\s+AGE\nselfsigned\s+\d+s$/m);
    assert.match(await ok(['get', 'cert-manager', '-n', NS, '-o', 'name']), /certificate.cert-manager.io\/web\nissuer.cert-manager.io\/selfsigned/);
  });

  test('server-side apply: managers share a list-map by its keys and conflict on a field another owns', async () => {
    await ok(['apply', '--server-side', '--field-manager=author', '-f', '-'], certificate('ssa'));
    const conflict = await k(['apply', '--server-side', '--field-manager=intruder', '-f', '-'], certificate('ssa').replace('ssa-tls', 'other-tls'));
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict with "author"[\s\S]*\.spec\.secretName/);
    const status = (type: string) => `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: ssa, namespace: ${NS}}\nstatus:\n  conditions: [{type: ${type}, status: "True"}]\n`;
    await ok(['apply', '--server-side', '--subresource=status', '--field-manager=ready-ctl', '-f', '-'], status('Ready'));
    await ok(['apply', '--server-side', '--subresource=status', '--field-manager=issuing-ctl', '-f', '-'], status('Issuing'));
    const got = JSON.parse(await ok(['get', 'certificate', 'ssa', '-n', NS, '-o', 'json']));
    assert.deepEqual(got.status.conditions.map((c: { type: string }) => c.type), ['Ready', 'Issuing']);
    assert.equal(got.spec.secretName, 'ssa-tls');
  });

  test('widgets: defaults, pruning, int-or-string and embedded resources; CEL rules refuse with their messages', async () => {
    await ok(['apply', '-f', '-'], widget('w1', '{color: red, replicas: 2, port: http, extra: {anything: [1, 2]}, template: {apiVersion: v1, kind: ConfigMap, metadata: {name: t}, data: {a: b}}}'));
    const w1 = JSON.parse(await ok(['get', 'widget', 'w1', '-n', NS, '-o', 'json']));
    assert.equal(w1.spec.mode, 'fast');
    assert.equal(w1.spec.minReplicas, 0);
    assert.equal(w1.spec.port, 'http');
    assert.deepEqual(w1.spec.extra, { anything: [1, 2] });
    assert.deepEqual(w1.spec.template, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 't' }, data: { a: 'b' } });
    // Unknown fields, also in an embedded object's metadata, are refused under strict validation and dropped without it.
    const junk = '{color: green, bogus: 1, template: {apiVersion: v1, kind: ConfigMap, metadata: {name: t, junk: 1}}}';
    assert.match((await k(['apply', '-f', '-'], widget('w2', junk))).stderr, /strict decoding error: unknown field "spec\.bogus", unknown field "spec\.template\.metadata\.junk"/);
    await ok(['apply', '--validate=false', '-f', '-'], widget('w2', junk));
    const w2 = JSON.parse(await ok(['get', 'widget', 'w2', '-n', NS, '-o', 'json']));
    assert.equal(w2.spec.bogus, undefined);
    assert.deepEqual(w2.spec.template.metadata, { name: 't' });

    const min = await k(['apply', '-f', '-'], widget('w3', '{color: red, replicas: 1, minReplicas: 3}'));
    assert.match(min.stderr, /The Widget "w3" is invalid: spec: Invalid value: "object": replicas must be at least minReplicas/);
    const max = await k(['apply', '-f', '-'], widget('w3', '{color: red, replicas: 5, maxReplicas: 3}'));
    assert.match(max.stderr, /spec: Invalid value: "object": replicas 5 exceeds maxReplicas 3/);
    const port = await k(['apply', '-f', '-'], widget('w3', '{color: red, port: true}'));
    assert.match(port.stderr, /spec\.port: Invalid value: "boolean": spec\.port in body must be of type integer,string: "boolean"/);
    // A transition rule sees the stored value as oldSelf.
    const immutable = await k(['patch', 'widget', 'w1', '-n', NS, '--type=merge', '-p', '{"spec":{"color":"blue"}}']);
    assert.match(immutable.stderr, /spec\.color: Invalid value: "string": color is immutable/);
    const strategic = await k(['patch', 'widget', 'w1', '-n', NS, '-p', '{"spec":{"replicas":3}}']);
    assert.match(strategic.stderr, /application\/strategic-merge-patch\+json is not supported by example\.com\/v1, Kind=Widget: the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
    await ok(['patch', 'widget', 'w1', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/mode","value":"slow"}]']);
    const dupe = await k(['patch', 'widget', 'w1', '-n', NS, '--type=merge', '-p', '{"spec":{"tags":["a","a"]}}']);
    assert.match(dupe.stderr, /spec\.tags\[1\]: Duplicate value: "a"/);
  });

  test('the scale subresource: kubectl scale, and the Scale view', async () => {
    await ok(['apply', '-f', '-'], widget('scaled', '{color: blue, replicas: 1}'));
    await ok(['patch', 'widget', 'scaled', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"selector":"app=scaled"}}']);
    await ok(['scale', 'widget/scaled', '-n', NS, '--replicas=4']);
    assert.equal(JSON.parse(await ok(['get', 'widget', 'scaled', '-n', NS, '-o', 'json'])).spec.replicas, 4);
    const scale = JSON.parse(await ok(['get', 'widget', 'scaled', '-n', NS, '--subresource=scale', '-o', 'json']));
    assert.deepEqual({ kind: scale.kind, spec: scale.spec, status: scale.status }, { kind: 'Scale', spec: { replicas: 4 }, status: { replicas: 1, selector: 'app=scaled' } });
    const over = await k(['scale', 'widget/scaled', '-n', NS, '--replicas=-1']);
    assert.notEqual(over.code, 0);
  });

  test('versions, categories and field selectors: v1beta1 reads the stored objects; kubectl get all lists widgets', async () => {
    const viaBeta = JSON.parse(await ok(['get', 'widgets.v1beta1.example.com', 'w1', '-n', NS, '-o', 'json']));
    assert.equal(viaBeta.apiVersion, 'example.com/v1beta1');
    assert.equal(viaBeta.spec.color, 'red');
    const all = await ok(['get', 'all', '-n', NS]);
    assert.match(all, /^NAME\s+REPLICAS\s+COLOR\s+AGE$/m);
    assert.match(all, /^widget\.example\.com\/w1\s+2\s+red\s+\d+s$/m);
    assert.equal(await ok(['get', 'widgets', '-n', NS, '--field-selector=spec.color=green', '-o', 'name']), 'widget.example.com/w2\n');
    assert.equal(await ok(['get', 'widgets', '-A', '--field-selector=metadata.name=w1,metadata.namespace=' + NS, '-o', 'name']), 'widget.example.com/w1\n');
    const badField = await k(['get', 'widgets', '-n', NS, '--field-selector=spec.mode=fast']);
    assert.match(badField.stderr, /field label not supported: spec\.mode/);
  });

  test('a watch sees custom objects added, modified and deleted', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const seen: string[] = [];
    const req = await new k8s.Watch(kc).watch(`/apis/example.com/v1/namespaces/${NS}/widgets`, {},
      (type, obj: { metadata: { name: string }; spec: { replicas: number } }) => {
        if (obj.metadata.name === 'watched') seen.push(`${type}:${obj.metadata.name}:${obj.spec.replicas}`);
      }, () => undefined);
    try {
      await ok(['apply', '-f', '-'], widget('watched', '{color: red}'));
      await ok(['scale', 'widget/watched', '-n', NS, '--replicas=3']);
      await ok(['delete', 'widget', 'watched', '-n', NS]);
      await eventually(() => seen.includes('DELETED:watched:3'), 'the delete event');
      assert.deepEqual(seen, ['ADDED:watched:1', 'MODIFIED:watched:3', 'DELETED:watched:3']);
    } finally {
      req.abort();
    }
  });

  test('CRD validation: a protected group needs approval, a stored version may not be dropped, names may not clash', async () => {
    const crd = (group: string, plural = 'things', extra = '') => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.${group}${extra}}
spec:
  group: ${group}
  scope: Cluster
  names: {plural: ${plural}, kind: Thing}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`;
    const protectedGroup = await k(['apply', '-f', '-'], crd('apps.k8s.io'));
    assert.match(protectedGroup.stderr, /metadata\.annotations\[api-approved\.kubernetes\.io\]: Required value: protected groups must have approval annotation/);
    const drop = await k(['patch', 'crd', 'widgets.example.com', '--type=json', '-p', '[{"op":"remove","path":"/spec/versions/1"}]']);
    assert.match(drop.stderr, /status\.storedVersions\[0\]: Invalid value: "v1": must appear in spec\.versions/);
    const badName = await k(['apply', '-f', '-'], crd('example.com', 'things', 'x'));
    assert.match(badName.stderr, /metadata\.name: Invalid value: "things\.example\.comx": must be spec\.names\.plural\+"\."\+spec\.group/);
    // Another CRD of the group with the same kind is stored, but its names are not accepted and nothing is served for it.
    await ok(['apply', '-f', '-'], crd('example.com', 'gadgets').replace('kind: Thing', 'kind: Widget'));
    const clash = await eventually(async () => {
      const got = JSON.parse(await ok(['get', 'crd', 'gadgets.example.com', '-o', 'json']));
      return got.status?.conditions?.find((c: { type: string }) => c.type === 'NamesAccepted');
    }, 'the NamesAccepted condition');
    assert.deepEqual([clash.status, clash.reason], ['False', 'SingularConflict']);
    assert.match((await k(['get', 'gadgets'])).stderr, /doesn't have a resource type "gadgets"/);
    await ok(['delete', 'crd', 'gadgets.example.com']);
  });

  test('CRD schemas: Go regexp patterns ((?i) flag groups as prometheus-operator uses) are served; structural errors are worded as upstream', async () => {
    const crd = (schema: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: rules.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {plural: rules, kind: Rule}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: ${schema}}
    additionalPrinterColumns: [{name: Strategy, type: string, jsonPath: .spec.strategy}, {name: Created, type: date, jsonPath: .metadata.creationTimestamp, description: made}]
`;
    const embedded = await k(['create', '-f', '-'], crd('{type: object, properties: {spec: {type: object, x-kubernetes-embedded-resource: true}}}'));
    assert.match(embedded.stderr, /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields/);
    await ok(['create', '-f', '-'], crd(`{type: object, properties: {spec: {type: object, properties: {strategy: {type: string, pattern: '^(?i)(abort|warn)?$'}, ip: {type: string, format: ipv4}}}}}`));
    await ok(['wait', '--for=condition=Established', 'crd/rules.example.com', '--timeout=30s']);
    const rule = (spec: string) => `apiVersion: example.com/v1\nkind: Rule\nmetadata: {name: r}\nspec: ${spec}\n`;
    const bad = await k(['create', '-f', '-'], rule('{strategy: nope, ip: 10.0.0}'));
    assert.match(bad.stderr, /spec\.strategy: Invalid value: "nope": spec\.strategy in body should match '\^\(\?i\)\(abort\|warn\)\?\$'/);
    assert.match(bad.stderr, /spec\.ip: Invalid value: "10\.0\.0": spec\.ip in body must be of type ipv4: "10\.0\.0"/);
    await ok(['create', '-f', '-'], rule('{strategy: WARN, ip: 10.0.0.1}'));
    // the Table keeps a column's type (date too) and describes a column without a description by its path (tableconvertor.New)
    const raw = new RawClient(s.url, s.dataDir);
    const table = (await raw.request('/apis/example.com/v1/rules', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json;
    raw.close();
    assert.deepEqual(table.columnDefinitions.slice(1).map((c: { name: string; type: string; description: string }) => [c.name, c.type, c.description]), [
      ['Strategy', 'string', 'Custom resource definition column (in JSONPath format): .spec.strategy'], ['Created', 'date', 'made']]);
    assert.deepEqual(table.rows[0].cells.slice(0, 2), ['r', 'WARN']);
    assert.match(table.rows[0].cells[2], /^\d+s$/);
    await ok(['delete', 'crd', 'rules.example.com']);
  });

  test('deleting a CRD deletes its objects (customresourcecleanup finalizer) and stops serving the kind', async () => {
    // An object with a finalizer of its own holds the CRD in Terminating until the finalizer goes.
    await ok(['apply', '-f', '-'], widget('held', '{color: red}').replace('metadata: {', 'metadata: {finalizers: [example.com/hold], '));
    await ok(['delete', 'crd', 'widgets.example.com', '--wait=false']);
    const terminating = await eventually(async () => {
      const held = JSON.parse(await ok(['get', 'widget', 'held', '-n', NS, '-o', 'json']));
      return held.metadata.deletionTimestamp ? held : undefined;
    }, 'the held object marked for deletion');
    assert.deepEqual(terminating.metadata.finalizers, ['example.com/hold']);
    const crd = JSON.parse(await ok(['get', 'crd', 'widgets.example.com', '-o', 'json']));
    assert.deepEqual(crd.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    assert.equal(crd.status.conditions.find((c: { type: string }) => c.type === 'Terminating')?.reason, 'InstanceDeletionInProgress');
    const refused = await k(['create', '-f', '-'], widget('late', '{color: red}'));
    assert.match(refused.stderr, /create not allowed while custom resource definition is terminating/);
    // Watches of the kind end when the CRD goes, as upstream tears down the CRD's storage.
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    let watchEnded = false;
    const req = await new k8s.Watch(kc).watch(`/apis/example.com/v1/namespaces/${NS}/widgets`, {}, () => undefined, () => { watchEnded = true; });
    try {
      await ok(['patch', 'widget', 'held', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      await ok(['wait', '--for=delete', 'crd/widgets.example.com', '--timeout=30s']);
      await eventually(() => watchEnded, 'the watch ended');
    } finally {
      req.abort();
    }
    const gone = await k(['get', 'widgets', '-n', NS]);
    assert.match(gone.stderr, /the server doesn't have a resource type "widgets"|could not find the requested resource/);
    // Created again, the kind starts empty: the objects were deleted, not merely hidden.
    await ok(['apply', '-f', join(DATA, 'widgets-crd.yaml')]);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
    assert.equal(await ok(['get', 'widgets', '-n', NS, '-o', 'name']), '');
  });
});

test('after a restart the stored CRDs are served before the first request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-crd-restart-'));
  try {
    const first = await startTestServer({ store: 'sqlite', dataDir: dir });
    try {
      await kubectlOk(first, ['apply', '-f', join(DATA, 'widgets-crd.yaml')]);
      await kubectlOk(first, ['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
      await kubectlOk(first, ['apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: kept, namespace: default}\nspec: {color: green}\n' });
    } finally {
      await first.stop();
    }
    const second = await startTestServer({ store: 'sqlite', dataDir: dir });
    try {
      assert.equal(await kubectlOk(second, ['get', 'widgets', '-n', 'default', '-o', 'name']), 'widget.example.com/kept\n');
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
