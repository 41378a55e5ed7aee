/**
 * Admission webhooks running in a pod (issue 17): bosun.test/webhook:1 (socat terminating TLS in front
 * of a busybox sh AdmissionReview v1 handler, scripts/build-test-webhook-image.sh) runs as a Deployment
 * behind a Service with a selector; its serving certificate for `wh.<ns>.svc` comes from a CA made
 * here, mounted from a kubernetes.io/tls Secret, the CA in clientConfig.caBundle. The API server
 * reaches it through the Service's endpoints, as upstream's endpoint service resolver. A
 * MutatingWebhookConfiguration injects a label into created ConfigMaps; a
 * ValidatingWebhookConfiguration refuses ConfigMaps without a `team` label with upstream's
 * `admission webhook "..." denied the request: ...`; with the webhook's pods gone, failurePolicy
 * Ignore lets a create through and Fail refuses it (upstream's `failed calling webhook`). Needs root;
 * `npm run build`, scripts/build-test-images.sh and scripts/build-test-webhook-image.sh.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { issueCertificate } from '../../src/apiserver/pki/certs.js';
import { BOSUN_BIN, startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

const run = promisify(execFile);
const WEBHOOK_TARBALL = join(import.meta.dirname, '..', '..', '.test-images', 'webhook.tar');
const WH_NS = `whpod-${process.pid}`;
const T_NS = `whpod-t-${process.pid}`;
const MUTATE = `inject.${WH_NS}.bosun.test`;
const VALIDATE = `require-team.${WH_NS}.bosun.test`;

let node: NodeServer;
const ca = issueCertificate({ commonName: `${WH_NS}-ca`, usage: 'ca', validDays: 1 });
const serving = issueCertificate({ commonName: `wh.${WH_NS}.svc`, usage: 'server', validDays: 1, dnsNames: [`wh.${WH_NS}.svc`] }, ca);
const caBundle = Buffer.from(ca.cert).toString('base64');

const WEBHOOK_MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${WH_NS}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${T_NS}, labels: {webhook-target: ${WH_NS}}}
---
apiVersion: v1
kind: Secret
metadata: {name: wh-tls, namespace: ${WH_NS}}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(serving.cert).toString('base64')}
  tls.key: ${Buffer.from(serving.key).toString('base64')}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: wh, namespace: ${WH_NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: wh}}
  template:
    metadata: {labels: {app: wh}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: webhook
        image: bosun.test/webhook:1
        ports: [{containerPort: 8443}]
        volumeMounts: [{name: tls, mountPath: /tls, readOnly: true}]
      volumes: [{name: tls, secret: {secretName: wh-tls}}]
---
apiVersion: v1
kind: Service
metadata: {name: wh, namespace: ${WH_NS}}
spec:
  selector: {app: wh}
  ports: [{port: 443, targetPort: 8443}]
`;

function webhookConfig(kind: 'Mutating' | 'Validating', name: string, path: string, failurePolicy: 'Fail' | 'Ignore'): string {
  return `
apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}WebhookConfiguration
metadata: {name: ${name}}
webhooks:
- name: ${name}
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: ${failurePolicy}
  timeoutSeconds: 5
  namespaceSelector: {matchLabels: {webhook-target: ${WH_NS}}}
  rules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  clientConfig:
    caBundle: ${caBundle}
    service: {namespace: ${WH_NS}, name: wh, path: ${path}, port: 443}
`;
}

async function apply(manifest: string): Promise<void> {
  const r = await node.kubectl(['apply', '-f', '-'], { input: manifest });
  assert.equal(r.code, 0, r.stderr);
}

let seq = 0;
/** Creates a fresh ConfigMap in the target namespace; returns kubectl's result and the name. */
async function createConfigMap(labels = ''): Promise<{ name: string; code: number; stderr: string }> {
  const name = `cm-${++seq}`;
  const manifest = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","namespace":"${T_NS}"${labels ? `,"labels":${labels}` : ''}}}`;
  const r = await node.kubectl(['create', '-f', '-'], { input: manifest });
  return { name, code: r.code, stderr: r.stderr };
}

async function labelsOf(name: string): Promise<Record<string, string>> {
  return JSON.parse((await node.k('-n', T_NS, 'get', 'configmap', name, '-o', 'jsonpath={.metadata.labels}')) || '{}') as Record<string, string>;
}

describe('admission webhooks served from a pod', { timeout: 180_000 }, () => {
  before(async () => {
    node = await startNodeServer();
    await run(process.execPath, [BOSUN_BIN, 'images', 'import', WEBHOOK_TARBALL, '--data-dir', node.dataDir]);
    await apply(WEBHOOK_MANIFESTS);
    await waitFor('the webhook Service has a ready endpoint', async () =>
      (await node.kubectl(['-n', WH_NS, 'get', 'endpoints', 'wh', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout.trim() !== '', 90_000, 300);
  });
  after(async () => {
    await node?.kubectl(['delete', 'mutatingwebhookconfiguration', MUTATE, '--ignore-not-found']);
    await node?.kubectl(['delete', 'validatingwebhookconfiguration', VALIDATE, '--ignore-not-found']);
    await node?.kubectl(['delete', 'namespace', WH_NS, T_NS, '--wait=false']);
    await node?.forceCleanup();
  });

  it('a mutating webhook in a pod injects a label into a created ConfigMap', async () => {
    await apply(webhookConfig('Mutating', MUTATE, '/mutate', 'Fail'));
    // The configuration reaches the API server's cache through a watch: create until it applies.
    await waitFor('a ConfigMap created with the injected label', async () => {
      const c = await createConfigMap();
      assert.equal(c.code, 0, c.stderr);
      return (await labelsOf(c.name))['injected-by'] === 'webhook-pod' && c.name;
    }, 30_000, 300);
    // Labels the object already has are kept beside the injected one (the patch's other branch).
    const withLabels = await createConfigMap('{"team":"a"}');
    assert.equal(withLabels.code, 0, withLabels.stderr);
    assert.deepEqual(await labelsOf(withLabels.name), { team: 'a', 'injected-by': 'webhook-pod' });
  });

  it('a validating webhook in a pod refuses a ConfigMap without the team label with upstream\'s message', async () => {
    await apply(webhookConfig('Validating', VALIDATE, '/validate', 'Fail'));
    const refused = await waitFor('a create refused by the validating webhook', async () => {
      const c = await createConfigMap();
      return c.code !== 0 && c.stderr;
    }, 30_000, 300);
    assert.match(refused, new RegExp(`admission webhook "${VALIDATE.replace(/\./g, '\\.')}" denied the request: the label team is required`));
    const ok = await createConfigMap('{"team":"b"}');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await labelsOf(ok.name))['injected-by'], 'webhook-pod');
  });

  it('with the webhook pod gone, failurePolicy Ignore lets a create through and Fail refuses it', async () => {
    await node.k('-n', WH_NS, 'delete', 'deployment', 'wh');
    await waitFor('the webhook Service without ready endpoints', async () =>
      (await node.kubectl(['-n', WH_NS, 'get', 'endpoints', 'wh', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).stdout.trim() === '', 60_000, 300);

    // Fail (both configurations): refused with upstream's failed-calling message.
    const failed = await createConfigMap('{"team":"c"}');
    assert.notEqual(failed.code, 0, 'a create passed a Fail webhook that cannot be reached');
    assert.match(failed.stderr, /Internal error occurred: failed calling webhook "[^"]+": .*service "wh" has no endpoints/);

    // Ignore (both): the create goes through, unmutated.
    await apply(webhookConfig('Mutating', MUTATE, '/mutate', 'Ignore'));
    await apply(webhookConfig('Validating', VALIDATE, '/validate', 'Ignore'));
    const through = await waitFor('a create let through by Ignore', async () => {
      const c = await createConfigMap('{"team":"d"}');
      return c.code === 0 && c.name;
    }, 30_000, 300);
    assert.deepEqual(await labelsOf(through), { team: 'd' });
  });
});
