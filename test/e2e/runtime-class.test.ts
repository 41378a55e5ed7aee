/**
 * RuntimeClass on real containers (issue 17): `bosun server` (the compiled binary, its embedded node
 * and private containerd), kubectl 1.32. A pod of a RuntimeClass whose handler is `runc` (the runtime
 * name in the agent's containerd config) runs; a pod of a class whose handler containerd does not
 * know stays in ContainerCreating with containerd's own refusal of that runtime_handler in a
 * FailedCreatePodSandBox event, which shows the handler reaches RunPodSandbox. Needs root and
 * scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

let node: NodeServer;
const NS = `rtclass-${process.pid}`;

const MANIFESTS = `
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: ${NS}-runc}
handler: runc
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: ${NS}-absent}
handler: absent-handler
---
apiVersion: v1
kind: Pod
metadata: {name: with-runc, namespace: ${NS}}
spec:
  runtimeClassName: ${NS}-runc
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: bosun.test/busybox:1, command: [sh, -c, 'echo ran-under-runc; exec sleep 3600']}]
---
apiVersion: v1
kind: Pod
metadata: {name: with-absent, namespace: ${NS}}
spec:
  runtimeClassName: ${NS}-absent
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: bosun.test/busybox:1, command: [sleep, '3600']}]
`;

describe('RuntimeClass handlers on a real node', { timeout: 180_000 }, () => {
  before(async () => {
    node = await startNodeServer();
    await node.k('create', 'namespace', NS);
  });
  after(async () => {
    await node?.kubectl(['delete', 'namespace', NS, '--wait=false']);
    await node?.kubectl(['delete', 'runtimeclass', `${NS}-runc`, `${NS}-absent`]);
    await node?.forceCleanup();
  });

  it('a pod runs with the runc handler; an unknown handler is refused by containerd at RunPodSandbox', async () => {
    const applied = await node.kubectl(['apply', '-f', '-'], { input: MANIFESTS });
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor('with-runc Running', async () => (await node.kubectl(['-n', NS, 'get', 'pod', 'with-runc', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 90_000);
    assert.match((await node.kubectl(['-n', NS, 'logs', 'with-runc'])).stdout, /ran-under-runc/);

    const event = await waitFor('FailedCreatePodSandBox for with-absent', async () => {
      const r = await node.kubectl(['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=with-absent,reason=FailedCreatePodSandBox', '-o', 'jsonpath={.items[*].message}']);
      return r.code === 0 && r.stdout;
    }, 90_000);
    assert.match(event, /absent-handler/, event);
    assert.equal((await node.kubectl(['-n', NS, 'get', 'pod', 'with-absent', '-o', 'jsonpath={.status.phase}'])).stdout, 'Pending');
  });
});
