/**
 * The pod lifecycle tests of a container's configuration from API objects (pods/container-config.ts,
 * pods/env.ts, the volume plugins): ConfigMap, Secret, downward API and resource fields as env and
 * files, a ConfigMap update reaching its file, a missing key refused. Declared into the describe of
 * pods/pod-lifecycle.test.ts, in their place there, so they share its node.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventually } from '../../testing/eventually.js';
import { cond, cs, h, IMG, rt } from './pod-lifecycle-env.js';

/** Declares the tests in the caller's describe, whose hooks (fakeNodeForFile) start the node. */
export function configSourceTests(): void {
  it('ConfigMap and Secret as env and files; a ConfigMap update reaches the file', async () => {
    await h.client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello', 'app.conf': 'v=1' } });
    await h.client.secrets('default').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { token: Buffer.from('s3cret').toString('base64') } });
    const pod = await h.createPod('cfgpod', {
      volumes: [
        { name: 'conf', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'app.conf', mode: 0o600 }] } },
        { name: 'secret', secret: { secretName: 'sec' } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      ],
      containers: [{
        name: 'app', image: IMG,
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        ],
        envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cfg' } }],
        resources: { limits: { memory: '64Mi', cpu: '500m' }, requests: { cpu: '250m' } },
        volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'secret', mountPath: '/var/secret' }, { name: 'info', mountPath: '/etc/info' }],
      }],
    }, { labels: { tier: 'web' } });
    await h.waitPod('cfgpod', (p) => cond(p, 'Ready') === 'True');
    const c = (await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod.metadata.uid! } }))[0]!;
    const st = await rt.containerStatus(c.id);
    const { readFileSync, statSync } = await import('node:fs');
    const mount = (path: string) => st.mounts.find((m) => m.containerPath === path)!;
    assert.equal(readFileSync(`${mount('/etc/app').hostPath}/app.conf`, 'utf8'), 'v=1');
    assert.equal(statSync(`${mount('/etc/app').hostPath}/..data/app.conf`).mode & 0o777, 0o600);
    assert.equal(mount('/etc/app').readonly, true);
    assert.equal(readFileSync(`${mount('/var/secret').hostPath}/token`, 'utf8'), 's3cret');
    assert.equal(readFileSync(`${mount('/etc/info').hostPath}/labels`, 'utf8'), 'tier="web"');
    assert.ok(st.mounts.some((m) => m.containerPath === '/etc/hosts'));
    await h.client.configMaps('default').patch('cfg', 'merge', { data: { 'app.conf': 'v=2' } });
    await eventually(() => readFileSync(`${mount('/etc/app').hostPath}/app.conf`, 'utf8') === 'v=2', 'ConfigMap update reached the file');
  });

  it('a missing ConfigMap key is CreateContainerConfigError', async () => {
    await h.createPod('nocfg', { containers: [{ name: 'app', image: IMG, env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }] });
    const p = await h.waitPod('nocfg', (p) => cs(p)?.state?.waiting?.reason === 'CreateContainerConfigError' && p);
    assert.equal(cs(p)?.state?.waiting?.message, 'configmap "nope" not found');
  });
}
