/**
 * Upstream's CustomResourceConversionWebhook conformance tests (test/e2e/apimachinery/
 * crd_conversion_webhook.go): "should be able to convert from CR v1 to CR v2" and
 * "should be able to convert a non homogeneous list of CRs". The webhook is the
 * loopback test converter (upstream's agnhost crd-conversion-webhook: v1 `hostPort`, v2 `host` +
 * `port`), reached as upstream reaches it: through a Service (e2e-test-crd-conversion-webhook, port
 * 9443, path /crdconvert; here selector-less with an Endpoints on loopback) with the CA bundle, the
 * certificate naming `<service>.<namespace>.svc`. CRDs as upstream's CreateMultiVersionTestCRD.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import type { KubeClient } from '../client/kube-client.js';
import type { ResourceRef } from '../client/resource-ref.js';
import { startHostPortConverter } from '../apiserver/crd/testing/host-port-converter.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';

const NS = 'cf-crdconv';
const SERVICE = 'e2e-test-crd-conversion-webhook';
const GROUP = 'stable.example.com';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

let env: ClientEnv;
let client: KubeClient;
let hook: Awaited<ReturnType<typeof startHostPortConverter>>;
let seq = 0;

type Cr = KubeObject & Record<string, unknown>;
type Version = { name: string; served: boolean; storage: boolean; schema: object };

const schema = (props: string[]) => ({ openAPIV3Schema: { type: 'object', properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])) } });
/** upstream's apiVersions (v1 stored) and alternativeAPIVersions (v2 stored). */
const versions = (stored: 'v1' | 'v2'): Version[] => [
  { name: 'v1', served: true, storage: stored === 'v1', schema: schema(['hostPort']) },
  { name: 'v2', served: true, storage: stored === 'v2', schema: schema(['host', 'port']) },
];

before(async () => {
  hook = await startHostPortConverter([`${SERVICE}.${NS}.svc`]);
  env = await startClientEnv({ namespace: NS });
  client = env.client;
  await client.raw('POST', `/api/v1/namespaces/${NS}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: SERVICE }, spec: { ports: [{ protocol: 'TCP', port: 9443, targetPort: hook.port }] } });
  await client.raw('POST', `/api/v1/namespaces/${NS}/endpoints`, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: SERVICE }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: hook.port, protocol: 'TCP' }] }] });
});
after(async () => {
  await env?.stop();
  await hook?.close();
});

/** CreateMultiVersionTestCRD with the Service conversion webhook; refs by version. */
async function createCrd(): Promise<{ name: string; kind: string; refs: Record<'v1' | 'v2', ResourceRef> }> {
  const kind = `E2eTestCrdConversion${++seq}`;
  const plural = `e2e-test-crd-conversion-${seq}s`;
  const name = `${plural}.${GROUP}`;
  await client.raw('POST', CRDS, {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name },
    spec: {
      group: GROUP, scope: 'Namespaced', names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: versions('v1'), preserveUnknownFields: false,
      conversion: {
        strategy: 'Webhook',
        webhook: { clientConfig: { caBundle: hook.caBundle, service: { namespace: NS, name: SERVICE, path: '/crdconvert', port: 9443 } }, conversionReviewVersions: ['v1', 'v1beta1'] },
      },
    },
  });
  const ref = (version: string) => ({ group: GROUP, version, resource: plural, namespaced: true, kind }) as ResourceRef;
  return { name, kind, refs: { v1: ref('v1'), v2: ref('v2') } };
}

/** waitWebhookConversionReady: a stub created in `version` until one succeeds, then deleted. */
async function waitConversionReady(refs: Record<'v1' | 'v2', ResourceRef>, kind: string, version: 'v1' | 'v2'): Promise<void> {
  await eventually(async () => {
    try {
      await client.create(refs[version], NS, { apiVersion: `${GROUP}/${version}`, kind, metadata: { name: 'stub', namespace: NS } });
    } catch {
      return false;
    }
    await client.delete(refs[version], NS, 'stub');
    return true;
  }, 'conversion to be ready');
}

function verifyV1(obj: Cr): void {
  assert.equal(obj.apiVersion, `${GROUP}/v1`);
  assert.equal(obj.hostPort, 'localhost:8080');
  assert.equal('host' in obj, false);
  assert.equal('port' in obj, false);
}

function verifyV2(obj: Cr): void {
  assert.equal(obj.apiVersion, `${GROUP}/v2`);
  assert.equal('hostPort' in obj, false);
  assert.equal(obj.host, 'localhost');
  assert.equal(obj.port, '8080');
}

const instance = (kind: string, name: string): Cr => ({ apiVersion: `${GROUP}/v1`, kind, metadata: { name, namespace: NS }, hostPort: 'localhost:8080' });

test('[sig-api-machinery] CustomResourceConversionWebhook [Privileged:ClusterAdmin] should be able to convert from CR v1 to CR v2 [Conformance]', async () => {
  const { kind, refs } = await createCrd();
  await waitConversionReady(refs, kind, 'v2');
  await client.create(refs.v1, NS, instance(kind, 'cr-instance-1'));
  verifyV2(await client.get<Cr>(refs.v2, NS, 'cr-instance-1'));
});

test('[sig-api-machinery] CustomResourceConversionWebhook [Privileged:ClusterAdmin] should be able to convert a non homogeneous list of CRs [Conformance]', async () => {
  const { name, kind, refs } = await createCrd();
  await waitConversionReady(refs, kind, 'v2');
  await client.create(refs.v1, NS, instance(kind, 'cr-instance-1'));
  // cr-instance-1 is stored as v1; now v2 becomes the storage version.
  const crd = await client.raw<KubeObject & { spec: { versions: Version[] } }>('GET', `${CRDS}/${name}`);
  await client.raw('PUT', `${CRDS}/${name}`, { ...crd, spec: { ...crd.spec, versions: versions('v2') } });
  // The storage version change is in effect once a v1 write is converted to v2 (upstream retries its create).
  await eventually(async () => {
    const seen = (hook.received.get('/crdconvert') ?? []).length;
    await client.create(refs.v1, NS, instance(kind, 'stub'));
    await client.delete(refs.v1, NS, 'stub');
    return (hook.received.get('/crdconvert') ?? []).slice(seen).some((r) => r.desiredAPIVersion === `${GROUP}/v2` && r.objects.some((o) => o.metadata.name === 'stub'));
  }, 'v2 to be the storage version');
  await client.create(refs.v1, NS, instance(kind, 'cr-instance-2'));

  const v1 = await client.list<Cr>(refs.v1, NS);
  assert.deepEqual(v1.items.map((i) => i.metadata.name).sort(), ['cr-instance-1', 'cr-instance-2']);
  v1.items.forEach(verifyV1);
  const v2 = await client.list<Cr>(refs.v2, NS);
  assert.deepEqual(v2.items.map((i) => i.metadata.name).sort(), ['cr-instance-1', 'cr-instance-2']);
  v2.items.forEach(verifyV2);
});
