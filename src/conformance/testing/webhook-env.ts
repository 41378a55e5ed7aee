/**
 * The AdmissionWebhook conformance file's environment (webhooks.test.ts): an API server with an admin
 * client and the shared test webhook server playing upstream's sample webhook (sample-webhook.ts),
 * started by the file's hooks, and what the tests make with them, as upstream's webhook.go helpers:
 * labelled namespaces, webhook configurations pointing at the server, ConfigMaps, namespaced CRDs.
 */
import { after, before } from 'node:test';
import type { ConfigMap } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';
import { startWebhookServer, type TestWebhookServer } from '../../apiserver/admission/dynamic/testing/webhook-server.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { sampleWebhook } from './sample-webhook.js';

// Set by the hooks webhookEnvForFile registers (live bindings: importers see them once set).
export let env: ClientEnv;
export let client: KubeClient;
export let hooks: TestWebhookServer;
let seq = 0;

/** Registers the file's before and after hooks that start and stop the servers. */
export function webhookEnvForFile(): void {
  before(async () => {
    hooks = await startWebhookServer(sampleWebhook);
    env = await startClientEnv();
    client = env.client;
  });
  after(async () => {
    env.client.close();
    await env.ts.stop();
    await hooks.close();
  });
}

export async function uniqueNamespace(extra: Record<string, string> = {}): Promise<string> {
  const ns = `cf-webhook-${++seq}`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [ns]: 'true', ...extra } } });
  return ns;
}

export interface HookSpec {
  path: string;
  resources: string[];
  operations?: string[];
  apiGroups?: string[];
  failurePolicy?: 'Fail' | 'Ignore';
  timeoutSeconds?: number;
  namespaceSelector?: object;
  matchConditions?: object[];
}
export const hook = (name: string, h: HookSpec) => ({
  name, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: h.failurePolicy ?? 'Fail',
  clientConfig: { url: `https://127.0.0.1:${hooks.port}${h.path}`, caBundle: hooks.caBundle },
  rules: [{ apiGroups: h.apiGroups ?? [''], apiVersions: ['v1'], operations: h.operations ?? ['CREATE', 'UPDATE'], resources: h.resources }],
  ...(h.timeoutSeconds ? { timeoutSeconds: h.timeoutSeconds } : {}),
  ...(h.namespaceSelector ? { namespaceSelector: h.namespaceSelector } : {}),
  ...(h.matchConditions ? { matchConditions: h.matchConditions } : {}),
});
export const configRef = (kind: 'Mutating' | 'Validating'): ResourceRef => (kind === 'Mutating' ? resources.mutatingwebhookconfigurations : resources.validatingwebhookconfigurations);

export async function register(kind: 'Mutating' | 'Validating', name: string, webhooks: ReturnType<typeof hook>[], labels?: Record<string, string>): Promise<void> {
  await client.resource(configRef(kind)).create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name, ...(labels ? { labels } : {}) }, webhooks } as KubeObject);
}
export const unregister = (kind: 'Mutating' | 'Validating', name: string) => client.resource(configRef(kind)).delete(name);

export const cm = (name: string, data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
/** The create's error, or undefined when it was allowed (a created object is deleted again). */
export async function tryCreate(ns: string, obj: ConfigMap): Promise<StatusError | undefined> {
  try {
    await client.configMaps(ns).create(obj);
    await client.configMaps(ns).delete(obj.metadata.name!);
    return undefined;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
}
/** upstream's marker wait: configurations take effect through the server's watch of them. */
export const untilDenied = (ns: string, obj: ConfigMap) => eventually(() => tryCreate(ns, obj), 'the webhook to be in effect');
export const disallowed = (name: string) => cm(name, { 'webhook-e2e-test': 'webhook-disallow' });

/** A namespaced CRD in group <ns>.example.com with the given versions (schema: data as the test wants it). */
export async function createCrd(ns: string, versions: { name: string; storage: boolean; schema?: object }[]): Promise<{ group: string; plural: string; kind: string; name: string }> {
  const group = `${ns}.example.com`;
  const plural = 'e2e-test-webhook-crs';
  const kind = 'E2eTestWebhookCr';
  const anySchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  await client.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` },
    spec: { group, scope: 'Namespaced', names: { plural, kind, singular: 'e2e-test-webhook-cr' }, versions: versions.map((v) => ({ name: v.name, served: true, storage: v.storage, schema: { openAPIV3Schema: v.schema ?? anySchema } })) },
  });
  await eventually(() => client.raw('GET', `/apis/${group}/${versions[0]!.name}/namespaces/${ns}/${plural}`).then(() => true, () => false), 'the custom resource to be served');
  return { group, plural, kind, name: `${plural}.${group}` };
}
export const crPath = (c: { group: string; plural: string }, version: string, ns: string, name = '') => `/apis/${c.group}/${version}/namespaces/${ns}/${c.plural}${name ? `/${name}` : ''}`;
export const crHook = (name: string, path: string, c: { group: string; plural: string }, ns: string, operations = ['CREATE', 'UPDATE']) => ({
  ...hook(name, { path, resources: [c.plural], operations, apiGroups: [c.group], namespaceSelector: { matchLabels: { [ns]: 'true' } } }),
  rules: [{ apiGroups: [c.group], apiVersions: ['*'], operations, resources: [c.plural] }],
});
export type Cr = KubeObject & { data?: Record<string, string> };

/** upstream's testMutatingCustomResourceWebhook: two stage webhooks on a CRD's resource; the created CR's data. */
export async function mutateCustomResource(ns: string, schema?: object): Promise<Record<string, string> | undefined> {
  const crd = await createCrd(ns, [{ name: 'v1', storage: true, ...(schema ? { schema } : {}) }]);
  await register('Mutating', `${ns}-mutate-cr`, [
    crHook('mutate-custom-resource-data-stage-1.k8s.io', '/mutating-configmaps', crd, ns),
    crHook('mutate-custom-resource-data-stage-2.k8s.io', '/mutating-configmaps', crd, ns),
  ]);
  const got = await eventually(async () => {
    const cr = await client.raw<Cr>('POST', crPath(crd, 'v1', ns), { apiVersion: `${crd.group}/v1`, kind: crd.kind, metadata: { name: `cr-${Date.now()}` }, data: { 'mutation-start': 'yes' } });
    return cr.data?.['mutation-stage-1'] ? cr : false;
  }, 'the webhooks to be in effect');
  await unregister('Mutating', `${ns}-mutate-cr`);
  await client.raw('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`);
  return got.data;
}
