/**
 * The pod garbage collector against an in-process API server, driven by kubectl: a pod bound to a
 * node that does not exist no longer keeps its namespace Terminating for ever, and a collected pod
 * is marked Failed with upstream's DisruptionTarget condition before its force delete.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addNamespaceController } from '../namespace/namespace-controller.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { addPodGcController } from './pod-gc-controller.js';

const P = `podgc-${process.pid}-${Date.now().toString(36)}`;
let env: ControllerEnv;

before(async () => {
  env = await startControllerEnv({
    add: (mgr) => {
      addNamespaceController(mgr, { recheckMs: 100 });
      addPodGcController(mgr, { quarantineMs: 300, checkPeriodMs: 500 });
    },
  });
});
after(() => env?.stop());

const boundPod = (name: string, node: string, extra = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}${extra}}
spec:
  nodeName: ${node}
  containers: [{name: c, image: busybox}]
`;

test('kubectl delete namespace completes although a pod in it is bound to a node that does not exist', async () => {
  const ns = `${P}-a`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  await kubectlOk(env.ts, ['-n', ns, 'apply', '-f', '-'], { input: boundPod('stranded', `${P}-ghost`) });
  const del = await env.ts.kubectl(['delete', 'namespace', ns, '--timeout=60s']);
  assert.equal(del.code, 0, del.stderr);
  const get = await env.ts.kubectl(['get', 'namespace', ns]);
  assert.notEqual(get.code, 0, 'the namespace is gone');
  assert.match(get.stderr, /NotFound/);
});

test('a pod of a vanished node is marked Failed with DisruptionTarget (DeletionByPodGC), then force-deleted', async () => {
  const ns = `${P}-b`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  // The finalizer keeps the pod readable after the GC's delete, to see what the GC wrote first.
  await kubectlOk(env.ts, ['-n', ns, 'apply', '-f', '-'], { input: boundPod('held', `${P}-ghost2`, ', finalizers: [example.com/hold]') });
  const seen = await eventually(async () => {
    const r = await env.ts.kubectl(['-n', ns, 'get', 'pod', 'held', '-o', 'json']);
    const pod = JSON.parse(r.stdout) as { metadata: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number }; status: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] } };
    return pod.metadata.deletionTimestamp ? pod : undefined;
  }, 'the GC to delete the pod');
  assert.equal(seen.status.phase, 'Failed');
  assert.equal(seen.metadata.deletionGracePeriodSeconds, 0, 'a force delete');
  const cond = seen.status.conditions?.find((c) => c.type === 'DisruptionTarget');
  assert.deepEqual(cond && { status: cond.status, reason: cond.reason, message: cond.message }, { status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  const managers = await kubectlOk(env.ts, ['-n', ns, 'get', 'pod', 'held', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}']);
  assert.match(managers, /\bPodGC\b/);
  await kubectlOk(env.ts, ['-n', ns, 'patch', 'pod', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await kubectlOk(env.ts, ['delete', 'namespace', ns, '--timeout=60s']);
});

test('a pod on a node that exists is left alone', async () => {
  const ns = `${P}-c`;
  const nodeName = `${P}-real`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  await kubectlOk(env.ts, ['apply', '-f', '-'], { input: `{"apiVersion":"v1","kind":"Node","metadata":{"name":"${nodeName}"}}` });
  await kubectlOk(env.ts, ['-n', ns, 'apply', '-f', '-'], { input: boundPod('kept', nodeName) });
  // The other pod's node is missing: once it has been collected, a pass has also looked at this one.
  await kubectlOk(env.ts, ['-n', ns, 'apply', '-f', '-'], { input: boundPod('witness', `${P}-ghost3`) });
  await eventually(async () => (await env.ts.kubectl(['-n', ns, 'get', 'pod', 'witness'])).code !== 0, 'the witness pod to be collected');
  assert.equal(await kubectlOk(env.ts, ['-n', ns, 'get', 'pod', 'kept', '-o', 'jsonpath={.status.phase}']), 'Pending');
  await kubectlOk(env.ts, ['delete', 'node', nodeName]);
  await eventually(async () => (await env.ts.kubectl(['-n', ns, 'get', 'pod', 'kept'])).code !== 0, 'the pod of the deleted node to be collected');
});
