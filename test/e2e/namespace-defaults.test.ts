/**
 * What every namespace and pod gets from the control plane of `bosun server` (the compiled binary,
 * its controller manager and embedded node, real containers, kubectl 1.32), as upstream: a new
 * namespace has the `default` ServiceAccount (serviceaccounts controller) and the `kube-root-ca.crt`
 * ConfigMap holding the cluster CA (root-ca-cert-publisher); a pod that names no ServiceAccount runs as
 * `default` (ServiceAccount admission), which the downward API hands to its container.
 * Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

let node: NodeServer;
const NS = `nsdef-${process.pid}`;

const POD = `
apiVersion: v1
kind: Pod
metadata: {name: who, namespace: ${NS}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: bosun.test/busybox:1
    command: [sh, -c, 'echo "sa=$SA"; exec sleep 3600']
    env:
    - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
`;

describe('namespace and pod defaults on a real node', { timeout: 180_000 }, () => {
  before(async () => {
    node = await startNodeServer();
  });
  after(async () => {
    await node?.forceCleanup();
  });

  it('a new namespace gets the default ServiceAccount and kube-root-ca.crt with the cluster CA', async () => {
    await node.k('create', 'namespace', NS);
    await waitFor('serviceaccount default', async () => (await node.kubectl(['-n', NS, 'get', 'sa', 'default', '-o', 'name'])).stdout.trim() === 'serviceaccount/default');
    const ca = await waitFor('kube-root-ca.crt', async () => {
      const r = await node.kubectl(['-n', NS, 'get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}']);
      return r.code === 0 && r.stdout;
    });
    assert.equal(ca, readFileSync(join(node.dataDir, 'pki', 'ca.crt'), 'utf8'));
  });

  it("a pod naming no ServiceAccount runs as default: its container reads it through the downward API", async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: POD });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await node.k('-n', NS, 'get', 'pod', 'who', '-o', 'jsonpath={.spec.serviceAccountName}'), 'default');
    const logs = await waitFor('the container to print its ServiceAccount', async () => {
      const l = await node.kubectl(['-n', NS, 'logs', 'who']);
      return l.code === 0 && l.stdout.includes('sa=') && l.stdout;
    }, 60_000);
    assert.equal(logs, 'sa=default\n');
    const del = await node.kubectl(['delete', 'namespace', NS, '--timeout=60s']);
    assert.equal(del.code, 0, del.stderr);
  });
});
