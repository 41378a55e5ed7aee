/**
 * Configuration and images on a real node (the compiled `bosun server`, real containers, kubectl
 * 1.32): ConfigMap and Secret values arrive as environment variables and files, and a ConfigMap
 * update reaches the mounted file; a missing image gives ErrImagePull then ImagePullBackOff; an image
 * pushed to a local docker-registry on 127.0.0.1 is pulled and runs. Needs root, docker-registry,
 * skopeo and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { startTestRegistry, type TestRegistry } from '../../src/agent/testing/local-registry.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

let node: NodeServer;
let registry: TestRegistry;

const CONFIG = `
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {greeting: hello, mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: configured}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - {name: cm, configMap: {name: settings}}
  - {name: sec, secret: {secretName: creds, defaultMode: 0400}}
  containers:
  - name: app
    image: bosun.test/busybox:1
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
    envFrom:
    - {prefix: CM_, configMapRef: {name: settings}}
    volumeMounts:
    - {name: cm, mountPath: /etc/settings}
    - {name: sec, mountPath: /etc/creds, readOnly: true}
`;

const badImage = (name: string, image: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: "${image}", imagePullPolicy: Always}]
`;

async function getPod(name: string): Promise<Pod> {
  return JSON.parse(await node.k('get', 'pod', name, '-o', 'json')) as Pod;
}

const status0 = (p: Pod) => p.status?.containerStatuses?.[0];
const isReady = (p: Pod) => p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function apply(yaml: string): Promise<void> {
  const r = await node.kubectl(['apply', '-f', '-'], { input: yaml });
  assert.equal(r.code, 0, r.stderr);
}

describe('configuration and images on a real node', { timeout: 240_000 }, () => {
  before(async () => {
    [node, registry] = await Promise.all([startNodeServer(), startTestRegistry()]);
  });
  after(async () => {
    await node?.forceCleanup();
    await registry?.stop();
  });

  it('delivers ConfigMap and Secret values as env and files, and ConfigMap updates to the file', async () => {
    await apply(CONFIG);
    await waitFor('pod configured Ready', async () => isReady(await getPod('configured')), 60_000);
    const env = await node.k('exec', 'configured', '--', 'env');
    assert.match(env, /^GREETING=hello$/m);
    assert.match(env, /^PASSWORD=s3cret$/m);
    assert.match(env, /^CM_mode=fast$/m);
    assert.equal(await node.k('exec', 'configured', '--', 'cat', '/etc/settings/greeting'), 'hello');
    assert.equal(await node.k('exec', 'configured', '--', 'cat', '/etc/creds/password'), 's3cret');
    // Secret files: mode 0400 as asked, on a tmpfs (never written to the node's disk).
    assert.match(await node.k('exec', 'configured', '--', 'stat', '-L', '-c', '%a', '/etc/creds/password'), /^400/);
    assert.match(await node.k('exec', 'configured', '--', 'sh', '-c', 'grep " /etc/creds " /proc/mounts'), / tmpfs /);

    await node.k('patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"greeting":"updated"}}');
    await waitFor('the update in the mounted file', async () => (await node.k('exec', 'configured', '--', 'cat', '/etc/settings/greeting')) === 'updated', 90_000, 1000);
    // The environment is fixed at container start, as in Kubernetes.
    assert.match(await node.k('exec', 'configured', '--', 'env'), /^GREETING=hello$/m);
  });

  it('reports ErrImagePull then ImagePullBackOff for an image that cannot be pulled', async () => {
    // A registry on a closed loopback port: the pull fails without leaving the machine.
    await apply(badImage('nopull', '127.0.0.1:9/bosun/missing:1'));
    const reasons = new Set<string>();
    await waitFor('ErrImagePull and ImagePullBackOff', async () => {
      const r = status0(await getPod('nopull'))?.state?.waiting?.reason;
      if (r) reasons.add(r);
      return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
    }, 60_000, 100);
    const p = await getPod('nopull');
    assert.equal(p.status?.phase, 'Pending');
    assert.match(status0(p)?.state?.waiting?.message ?? '', /127\.0\.0\.1:9\/bosun\/missing:1/);
    const events = await node.k('get', 'events', '--field-selector', 'involvedObject.name=nopull');
    assert.match(events, /Failed/);
    assert.match(events, /BackOff/);
  });

  it('pulls an image from a local registry on 127.0.0.1 and runs it', async () => {
    const ref = await registry.pushTestImage('busybox', `bosun/web-${node.prefix}:1`);
    await apply(badImage('pulled', ref));
    const p = await waitFor('pod pulled Ready', async () => {
      const pod = await getPod('pulled');
      return isReady(pod) && pod;
    }, 60_000);
    assert.equal(status0(p)?.image, ref);
    assert.match(status0(p)?.imageID ?? '', /sha256:[0-9a-f]{64}/);
    const r = await fetch(`http://${p.status!.podIP}:8080/`, { signal: AbortSignal.timeout(5000) });
    assert.match(await r.text(), /bosun test page/);
    const events = await node.k('get', 'events', '--field-selector', 'involvedObject.name=pulled');
    assert.match(events, /Pulled/);
  });

  it('leaves nothing behind after the pods are deleted and the server stops', async () => {
    const { exitCode, leftovers } = await node.stop();
    assert.equal(exitCode, 0, node.output());
    assert.deepEqual(leftovers, { processes: [], netns: [], mounts: [], cgroups: [], nat: [], bridge: false });
  });
});
