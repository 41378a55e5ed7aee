/**
 * The operator pattern on real containers (issue 17): bosun.test/node-operator:1 (the machine's node
 * with src/apiserver/crd/testdata/widget-operator.ts bundled, scripts/build-test-node-operator-image.sh)
 * runs as a Deployment whose pods use the ServiceAccount widget-operator. With no arguments it takes
 * the in-cluster config of @kubernetes/client-node (KubeConfig.loadFromCluster(): the mounted token
 * and ca.crt, KUBERNETES_SERVICE_HOST/PORT, reached through the kubernetes Service and the proxy),
 * watches Widgets in its namespace and makes for each a Deployment it owns, then writes the Widget's
 * status through the status subresource. Its Role grants exactly the verbs it uses. `kubectl scale`
 * of a Widget (its scale subresource) and a patch of spec.replicas are followed; deleting the Widget
 * garbage-collects the Deployment (ownerReferences, as upstream's garbage collector); `kubectl auth
 * can-i --as` the ServiceAccount shows it can do no more. Needs root; `npm run build`,
 * scripts/build-test-images.sh and scripts/build-test-node-operator-image.sh.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { BOSUN_BIN, waitFor } from '../../src/testing/node-server.js';
import { freeDnsPort, startServicesNode, stopServicesNode, type ServicesNode } from './services-harness.js';
import { proxyWebSocketTests } from './proxy-websocket-pod.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const OPERATOR_TARBALL = join(REPO, '.test-images', 'node-operator.tar');
const WIDGETS_CRD = join(REPO, 'src', 'apiserver', 'crd', 'testdata', 'widgets-crd.yaml');
const NS = `oppod-${process.pid}`;
const SA = `system:serviceaccount:${NS}:widget-operator`;

// The Role is what widget-operator.ts calls: an informer (list, watch) on widgets, a patch of
// widgets/status, and get/create/patch of Deployments. Nothing else.
const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: widget-operator, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: widget-operator, namespace: ${NS}}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [list, watch]}
- {apiGroups: [example.com], resources: [widgets/status], verbs: [patch]}
- {apiGroups: [apps], resources: [deployments], verbs: [get, create, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: widget-operator, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: widget-operator}
subjects: [{kind: ServiceAccount, name: widget-operator, namespace: ${NS}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: widget-operator, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: widget-operator}}
  template:
    metadata: {labels: {app: widget-operator}}
    spec:
      serviceAccountName: widget-operator
      terminationGracePeriodSeconds: 1
      containers:
      - name: operator
        image: bosun.test/node-operator:1
        # KUBERNETES_SERVICE_HOST/PORT come from the agent (the kubelet's service env variables).
        env:
        - {name: WIDGET_IMAGE, value: bosun.test/busybox:1}
`;

let node: ServicesNode;

const json = async (...args: string[]): Promise<any> => JSON.parse(await node.k('-n', NS, ...args, '-o', 'json'));
const operatorLogs = async (): Promise<string> => (await node.kubectl(['-n', NS, 'logs', 'deployment/widget-operator'])).stdout;
/** The Deployment once its spec.replicas and ready replicas are `n` (the pods run); fails with the operator's log. */
const deploymentAt = (n: number) => waitFor(`Deployment shop at ${n} ready replicas`, async () => {
  const r = await node.kubectl(['-n', NS, 'get', 'deployment', 'shop', '-o', 'json']);
  if (r.code !== 0) return undefined;
  const d = JSON.parse(r.stdout);
  return d.spec.replicas === n && (d.status.readyReplicas ?? 0) === n && d;
}, 60_000, 300).catch(async (err: Error) => { throw new Error(`${err.message}\noperator log:\n${await operatorLogs()}`); });

describe('an operator on @kubernetes/client-node running in a pod', { timeout: 300_000 }, () => {
  before(async () => {
    node = await startServicesNode({ extraArgs: ['--cluster-dns-port', String(await freeDnsPort()), '--bind-address', '0.0.0.0'] });
    await run(process.execPath, [BOSUN_BIN, 'images', 'import', OPERATOR_TARBALL, '--data-dir', node.dataDir]);
    await node.k('apply', '-f', WIDGETS_CRD);
    await node.k('wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s');
    const applied = await node.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor('the operator started in the pod', async () => (await operatorLogs()).includes(`operator started in namespace ${NS} (in-cluster)`), 90_000, 500);
  });
  after(async () => {
    await node?.kubectl(['delete', 'namespace', NS, '--wait=false']);
    await stopServicesNode(node);
  });

  it('runs as its ServiceAccount with the mounted token', async () => {
    const pod = (await json('get', 'pods', '-l', 'app=widget-operator')).items[0];
    assert.equal(pod.spec.serviceAccountName, 'widget-operator');
    assert.ok(pod.spec.volumes.some((v: { name: string }) => v.name.startsWith('kube-api-access-')), JSON.stringify(pod.spec.volumes));
  });

  it('makes a Deployment it owns for a Widget and writes the Widget status', async () => {
    const created = await node.kubectl(['-n', NS, 'apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: shop}\nspec: {color: red, replicas: 1}\n' });
    assert.equal(created.code, 0, created.stderr);
    const widget = await json('get', 'widget', 'shop');
    const deployment = await deploymentAt(1);
    assert.deepEqual(deployment.metadata.ownerReferences, [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'shop', uid: widget.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(deployment.spec.template.spec.containers[0].image, 'bosun.test/busybox:1');
    const status = await waitFor('the Widget status written by the operator', async () => (await json('get', 'widget', 'shop')).status, 30_000, 300);
    assert.deepEqual(status, { replicas: 1, selector: 'widget=shop' });
  });

  it('follows kubectl scale of the Widget and an update of its spec', async () => {
    await node.k('-n', NS, 'scale', 'widget/shop', '--replicas=2');
    await deploymentAt(2);
    assert.equal(JSON.parse(await node.k('-n', NS, 'get', '--raw', `/apis/example.com/v1/namespaces/${NS}/widgets/shop/scale`)).spec.replicas, 2);
    await node.k('-n', NS, 'patch', 'widget', 'shop', '--type=merge', '-p', '{"spec":{"replicas":1}}');
    await deploymentAt(1);
    await waitFor('the Widget status at 1 replica', async () => (await json('get', 'widget', 'shop')).status?.replicas === 1, 30_000, 300);
  });

  it('deleting the Widget garbage-collects its Deployment and pods', async () => {
    await node.k('-n', NS, 'get', 'deployment', 'shop');
    await node.k('-n', NS, 'delete', 'widget', 'shop');
    await waitFor('Deployment shop collected', async () => (await node.kubectl(['-n', NS, 'get', 'deployment', 'shop'])).stderr.includes('NotFound'), 120_000, 300);
    // Collected pods stop within their grace period (30 s by default): allow for that on a busy machine.
    await waitFor('the Widget pods gone', async () => (await json('get', 'pods', '-l', 'widget=shop')).items.length === 0, 150_000, 500);
  });

  it('kubectl auth can-i as the ServiceAccount: what its Role grants and nothing more', async () => {
    const canI = async (...args: string[]) => (await node.kubectl(['auth', 'can-i', ...args, `--as=${SA}`])).stdout.trim();
    for (const [verb, resource, ...rest] of [['create', 'deployments.apps'], ['patch', 'deployments.apps'], ['watch', 'widgets.example.com'], ['patch', 'widgets.example.com', '--subresource=status']]) {
      assert.equal(await canI(verb!, resource!, '-n', NS, ...rest), 'yes', `${verb} ${resource}`);
    }
    for (const [verb, resource] of [['delete', 'deployments.apps'], ['update', 'widgets.example.com'], ['delete', 'widgets.example.com'], ['create', 'pods'], ['get', 'secrets']]) {
      assert.equal(await canI(verb!, resource!, '-n', NS), 'no', `${verb} ${resource}`);
    }
    assert.equal(await canI('create', 'deployments.apps', '-n', 'default'), 'no', 'another namespace');
    // The operator's own requests were refused nowhere (its log has no reconcile or watch failures).
    assert.doesNotMatch(await operatorLogs(), /reconcile failed|watch failed/);
  });

  // Declared here as this node has the Node.js image: a WebSocket echo pod behind pods/ and
  // services/proxy (proxy-websocket-pod.ts).
  proxyWebSocketTests(() => ({ node, ns: NS }));
});
