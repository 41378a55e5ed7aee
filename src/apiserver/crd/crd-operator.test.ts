/**
 * The operator pattern end to end: a controller written against @kubernetes/client-node
 * (testdata/widget-operator.ts) watches its custom kind and creates Deployments, authenticated as a
 * ServiceAccount (a `kubectl create token` token) and authorized by a namespaced Role. The test
 * images carry no node, so it runs as a process beside the test instead of in a pod; its requests
 * are the same a pod's in-cluster client would send.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { runKubectl, startTestServer, type TestServer } from '../../testing/test-cluster.js';

const NS = 'crd-operator';
const DATA = join(import.meta.dirname, 'testdata');
let s: TestServer;
let dir: string;
let operator: ChildProcess | undefined;
let output = '';
const ok = (args: string[], input?: string) => kubectlOk(s, args, input === undefined ? undefined : { input });

before(async () => {
  s = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'bosun-crd-operator-'));
  await ok(['apply', '-f', join(DATA, 'widgets-crd.yaml')]);
  await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
  await ok(['create', 'namespace', NS]);
  await ok(['create', 'serviceaccount', 'widget-operator', '-n', NS]);
  await ok(['apply', '-f', '-'], `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: widget-operator, namespace: ${NS}}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}
- {apiGroups: [example.com], resources: [widgets/status], verbs: [get, patch, update]}
- {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch, create, patch, update]}
`);
  await ok(['create', 'rolebinding', 'widget-operator', '-n', NS, '--role=widget-operator', `--serviceaccount=${NS}:widget-operator`]);
  const token = (await ok(['create', 'token', 'widget-operator', '-n', NS])).trim();
  const kubeconfig = join(dir, 'operator.kubeconfig');
  writeFileSync(kubeconfig, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'op',
    clusters: [{ name: 'c', cluster: { server: s.url, 'certificate-authority-data': readFileSync(join(s.dataDir, 'pki', 'ca.crt')).toString('base64') } }],
    users: [{ name: 'op', user: { token } }],
    contexts: [{ name: 'op', context: { cluster: 'c', user: 'op', namespace: NS } }],
  }));
  operator = spawn(process.execPath, ['--import', 'tsx', join(DATA, 'widget-operator.ts'), kubeconfig, NS], { stdio: ['ignore', 'pipe', 'pipe'] });
  operator.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  operator.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await eventually(() => output.includes('operator started'), 'the operator started', 60_000);
});

after(async () => {
  if (operator && operator.exitCode === null) {
    const exited = new Promise((r) => operator!.once('exit', r));
    operator.kill('SIGTERM');
    await exited;
  }
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an operator on @kubernetes/client-node with a ServiceAccount token makes a Deployment per Widget and follows its scale', async () => {
  await ok(['apply', '-f', '-'], `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: shop, namespace: ${NS}}\nspec: {color: red, replicas: 2}\n`);
  const deployment = await eventually(async () => {
    const r = await s.kubectl(['get', 'deployment', 'shop', '-n', NS, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  }, `the operator's Deployment (operator output: ${output})`);
  assert.equal(deployment.spec.replicas, 2);
  assert.deepEqual(deployment.metadata.ownerReferences.map((o: { kind: string; name: string; controller: boolean }) => [o.kind, o.name, o.controller]), [['Widget', 'shop', true]]);
  await eventually(async () => JSON.parse(await ok(['get', 'widget', 'shop', '-n', NS, '-o', 'json'])).status?.selector === 'widget=shop', 'the Widget status written by the operator');
  await ok(['scale', 'widget/shop', '-n', NS, '--replicas=5']);
  await eventually(async () => JSON.parse(await ok(['get', 'deployment', 'shop', '-n', NS, '-o', 'json'])).spec.replicas === 5, 'the Deployment scaled after the Widget');
  // The operator's credential is the ServiceAccount, and it may do no more than its Role allows.
  const asOperator = (args: string[]) => runKubectl(join(dir, 'operator.kubeconfig'), join(dir, 'cache'), args);
  assert.match((await asOperator(['auth', 'can-i', 'create', 'deployments'])).stdout, /^yes/);
  assert.match((await asOperator(['auth', 'can-i', 'delete', 'widgets'])).stdout, /^no/);
});
