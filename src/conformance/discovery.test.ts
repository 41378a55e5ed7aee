/**
 * Upstream's discovery conformance tests against a real Bosun API server: server version
 * (server_version.go), Discovery (discovery.go), AggregatedDiscovery (aggregated_discovery.go), the
 * discovery parts of the AdmissionWebhook and CustomResourceDefinition suites, and Table
 * transformation's 406 (table_conversion.go).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../testing/eventually.js';
import { rawEnvForFile } from './testing/raw-env.js';

const file = rawEnvForFile();
const { raw } = file;



async function getJson(path: string, accept = 'application/json'): Promise<any> {
  const r = await raw.request(path, { headers: { Accept: accept } });
  assert.equal(r.status, 200, `GET ${path}: ${r.body}`);
  return r.json;
}

interface Gvr { group: string; version: string; resource: string }
const gvr = (s: string): Gvr => {
  const [gv, resource] = s.split(' ') as [string, string];
  const [group, version] = gv.includes('/') ? gv.split('/') as [string, string] : ['', gv];
  return { group, version, resource };
};
// upstream's expectedGVR and expectedLegacyGVR
const expectedGvr = [
  'admissionregistration.k8s.io/v1 mutatingwebhookconfigurations', 'admissionregistration.k8s.io/v1 validatingwebhookconfigurations',
  'apiextensions.k8s.io/v1 customresourcedefinitions', 'apiregistration.k8s.io/v1 apiservices', 'apps/v1 deployments',
  'authentication.k8s.io/v1 tokenreviews', 'authorization.k8s.io/v1 selfsubjectaccessreviews', 'autoscaling/v1 horizontalpodautoscalers',
  'autoscaling/v2 horizontalpodautoscalers', 'batch/v1 jobs', 'certificates.k8s.io/v1 certificatesigningrequests', 'coordination.k8s.io/v1 leases',
  'discovery.k8s.io/v1 endpointslices', 'events.k8s.io/v1 events', 'networking.k8s.io/v1 ingresses', 'node.k8s.io/v1 runtimeclasses',
  'policy/v1 poddisruptionbudgets', 'scheduling.k8s.io/v1 priorityclasses', 'storage.k8s.io/v1 csinodes',
].map(gvr);
const expectedLegacyGvr = ['bindings', 'componentstatuses', 'configmaps', 'endpoints', 'events', 'limitranges', 'namespaces', 'nodes',
  'persistentvolumeclaims', 'persistentvolumes', 'pods', 'podtemplates', 'replicationcontrollers', 'resourcequotas', 'secrets',
  'serviceaccounts', 'services'].map((r) => gvr(`v1 ${r}`));

const aggregatedAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
// What client-go's discovery client sends (discovery_client.go acceptDiscoveryFormats).
const clientGoAccept = `${aggregatedAccept},application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList;q=0.9,application/json;q=0.8`;

type Aggregated = { kind: string; items: { metadata: { name?: string }; versions: { version: string; resources: { resource: string }[] }[] }[] };
const inAggregated = (doc: Aggregated, g: Gvr): boolean =>
  doc.items.some((grp) => (grp.metadata.name ?? '') === g.group && grp.versions.some((v) => v.version === g.version && v.resources.some((r) => r.resource === g.resource)));
const missing = (doc: Aggregated, want: Gvr[]): string[] => want.filter((g) => !inAggregated(doc, g)).map((g) => `${g.group}/${g.version} ${g.resource}`);

async function createCrd(group: string): Promise<Gvr> {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `testcrds.${group}` },
    spec: {
      group, scope: 'Namespaced', names: { plural: 'testcrds', singular: 'testcrd', kind: 'testcrd', listKind: 'testcrdList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
  const r = await raw.send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  assert.equal(r.status, 201, r.body);
  return { group, version: 'v1', resource: 'testcrds' };
}
const deleteCrd = (group: string) => raw.request(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/testcrds.${group}`, { method: 'DELETE' });

test('[sig-api-machinery] server version should find the server version [Conformance]', async () => {
  const v = await getJson('/version');
  assert.match(v.major, /^\d+$/);
  assert.match(v.minor, /^\d+$/);
  assert.match(v.gitVersion, /^v\d+\.\d+\.\d+/);
});

test('[sig-api-machinery] Discovery should validate PreferredVersion for each APIGroup [Conformance]', async () => {
  const groups = (await getJson('/apis')).groups as { name: string; versions: { groupVersion: string }[]; preferredVersion: { groupVersion: string } }[];
  assert.ok(groups.length > 10);
  for (const g of groups) {
    assert.ok(g.versions.some((v) => v.groupVersion === g.preferredVersion.groupVersion), `${g.name}: preferred ${g.preferredVersion.groupVersion} is one of its versions`);
    const one = await getJson(`/apis/${g.name}`);
    assert.equal(one.kind, 'APIGroup');
    assert.deepEqual(one.preferredVersion, g.preferredVersion, `/apis/${g.name} agrees with /apis`);
  }
});

test('[sig-api-machinery] Discovery should locate the groupVersion and a resource within each APIGroup [Conformance]', async () => {
  const groups = (await getJson('/apis')).groups as { name: string; versions: { groupVersion: string }[] }[];
  for (const g of groups) {
    for (const v of g.versions) {
      const list = await getJson(`/apis/${v.groupVersion}`);
      assert.equal(list.kind, 'APIResourceList');
      assert.equal(list.groupVersion, v.groupVersion);
      assert.ok(list.resources.some((r: { name: string }) => !r.name.includes('/')), `${v.groupVersion} has a resource`);
    }
  }
});

test('[sig-api-machinery] AggregatedDiscovery should support raw aggregated discovery endpoint Accept headers [Conformance]', async () => {
  const apis = await getJson('/apis', aggregatedAccept) as Aggregated;
  assert.equal(apis.kind, 'APIGroupDiscoveryList');
  assert.deepEqual(missing(apis, expectedGvr), []);
  const api = await getJson('/api', aggregatedAccept) as Aggregated;
  assert.deepEqual(missing(api, expectedLegacyGvr), []);
});

test('[sig-api-machinery] AggregatedDiscovery should support raw aggregated discovery request for CRDs [Conformance]', async () => {
  const want = await createCrd('group-raw.example.com');
  try {
    await eventually(async () => inAggregated(await getJson('/apis', aggregatedAccept) as Aggregated, want), 'the CRD in aggregated discovery');
  } finally {
    await deleteCrd(want.group);
  }
});

/** client-go's GroupsAndMaybeResources: both documents with its Accept header, answered aggregated. */
async function groupsAndResources(): Promise<{ apis: Aggregated; api: Aggregated }> {
  const r1 = await raw.request('/apis', { headers: { Accept: clientGoAccept } });
  const r2 = await raw.request('/api', { headers: { Accept: clientGoAccept } });
  for (const r of [r1, r2]) {
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/);
  }
  return { apis: r1.json, api: r2.json };
}

test('[sig-api-machinery] AggregatedDiscovery should support aggregated discovery interface [Conformance]', async () => {
  const { apis, api } = await groupsAndResources();
  assert.deepEqual([...missing(apis, expectedGvr), ...missing(api, expectedLegacyGvr)], []);
  // The group list client-go derives from the same documents has every expected group/version.
  for (const g of [...expectedGvr, ...expectedLegacyGvr]) {
    const doc = g.group ? apis : api;
    assert.ok(doc.items.some((grp) => (grp.metadata.name ?? '') === g.group && grp.versions.some((v) => v.version === g.version)), `${g.group}/${g.version}`);
  }
});

test('[sig-api-machinery] AggregatedDiscovery should support aggregated discovery interface for CRDs [Conformance]', async () => {
  const want = await createCrd('group-iface.example.com');
  try {
    await eventually(async () => inAggregated((await groupsAndResources()).apis, want), 'the CRD in aggregated discovery');
  } finally {
    await deleteCrd(want.group);
  }
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should include webhook resources in discovery documents [Conformance]', async () => {
  const groups = (await getJson('/apis')).groups as { name: string; versions: { groupVersion: string }[] }[];
  const group = groups.find((g) => g.name === 'admissionregistration.k8s.io');
  assert.ok(group?.versions.some((v) => v.groupVersion === 'admissionregistration.k8s.io/v1'));
  const one = await getJson('/apis/admissionregistration.k8s.io');
  assert.ok(one.versions.some((v: { groupVersion: string }) => v.groupVersion === 'admissionregistration.k8s.io/v1'));
  const names = (await getJson('/apis/admissionregistration.k8s.io/v1')).resources.map((r: { name: string }) => r.name);
  for (const r of ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']) assert.ok(names.includes(r), r);
});

test('[sig-api-machinery] CustomResourceDefinition resources [Privileged:ClusterAdmin] should include custom resource definition resources in discovery documents [Conformance]', async () => {
  const groups = (await getJson('/apis')).groups as { name: string; versions: { groupVersion: string }[] }[];
  assert.ok(groups.find((g) => g.name === 'apiextensions.k8s.io')?.versions.some((v) => v.groupVersion === 'apiextensions.k8s.io/v1'));
  const one = await getJson('/apis/apiextensions.k8s.io');
  assert.equal(one.preferredVersion.groupVersion, 'apiextensions.k8s.io/v1');
  const names = (await getJson('/apis/apiextensions.k8s.io/v1')).resources.map((r: { name: string }) => r.name);
  assert.ok(names.includes('customresourcedefinitions'));
});

test('[sig-api-machinery] Servers with support for Table transformation should return a 406 for a backend which does not implement metadata [Conformance]', async () => {
  // upstream posts a SelfSubjectAccessReview asking for a Table: the review has no metadata to tabulate.
  const r = await raw.request('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    method: 'POST', headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io', 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } }),
  });
  assert.equal(r.status, 406, r.body);
  assert.equal(r.json?.kind, 'Status');
  assert.equal(r.json?.reason, 'NotAcceptable');
});
