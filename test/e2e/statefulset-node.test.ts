/**
 * Upstream's StatefulSet example (kubernetes/website content/en/examples/application/web/web.yaml:
 * a headless Service `nginx` and a StatefulSet `web` with a `www` volumeClaimTemplate) on a real
 * node (`bosun server` with its agent and cluster DNS), unchanged except: the image is the busybox
 * test image built here serving /usr/share/nginx/html with `httpd` instead of nginx-slim, and 3
 * replicas instead of 2. Claims are provisioned by the default local-path StorageClass.
 *
 * Shows: pods start in ordinal order, each one reaches the others by their stable DNS names
 * (`web-N.nginx`), data written to each pod's claim survives the pod's deletion (same name back,
 * same data) and a rolling update of the template (replaced from the highest ordinal down), a
 * partition holds back lower ordinals, and `kubectl rollout undo` returns to the previous template.
 * Needs root; `npm run build` and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import type { WatchEvent } from '../../src/api/meta.js';
import { KubeClient } from '../../src/client/index.js';
import { waitFor } from '../../src/testing/node-server.js';
import { CLIENT_POD, freeDnsPort, podWget, startServicesNode, stopServicesNode, type ServicesNode } from './services-harness.js';

const WEB_YAML = `
apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: bosun.test/busybox:1
        command: [httpd, -f, -p, '80', -h, /usr/share/nginx/html]
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
`;

const ORDINALS = [0, 1, 2];
let node: ServicesNode;
let client: KubeClient;
/** Pod events in order, as `ADDED web-0` / `DELETED web-2`. */
const events: string[] = [];
/** Pods the watch saw created while their predecessor was not (yet) Ready in the watch's own view. */
const createdEarly: string[] = [];
let stopWatch: (() => void) | undefined;

async function pods(): Promise<Pod[]> {
  return (await client.pods<Pod>('default').list({ labelSelector: 'app=nginx' })).items;
}

const ready = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function allReady(check: (ps: Pod[]) => boolean = () => true): Promise<Pod[]> {
  return waitFor('3 ready web pods', async () => {
    const ps = await pods();
    return ps.length === 3 && ps.every(ready) && check(ps) && ps;
  }, 120_000, 500);
}

/** GET http://<name>/ from inside web-0 (through the pod's resolver and search path). */
const fetchFromWeb0 = (name: string) => node.k('exec', 'web-0', '--', ...podWget(`http://${name}/`));

describe('StatefulSet web.yaml on a real node', { timeout: 400_000 }, () => {
  before(async () => {
    node = await startServicesNode({ extraArgs: ['--cluster-dns-port', String(await freeDnsPort())] });
    client = KubeClient.fromKubeconfig(node.kubeconfig);
    const w = await client.pods<Pod>('default').watch({ labelSelector: 'app=nginx' });
    stopWatch = () => w.stop();
    const seen = new Map<string, Pod>();
    void (async () => {
      for await (const ev of w as AsyncIterable<WatchEvent<Pod>>) {
        const name = ev.object.metadata.name!;
        if (ev.type === 'ADDED' || ev.type === 'DELETED') events.push(`${ev.type} ${name}`);
        const ordinal = Number(name.replace(/^web-/, ''));
        const prev = seen.get(`web-${ordinal - 1}`);
        if (ev.type === 'ADDED' && ordinal > 0 && !(prev && ready(prev))) createdEarly.push(name);
        if (ev.type === 'DELETED') seen.delete(name);
        else seen.set(name, ev.object);
      }
    })().catch(() => undefined);
    const applied = await node.kubectl(['apply', '-f', '-'], { input: `${WEB_YAML}---${CLIENT_POD}` });
    assert.equal(applied.code, 0, applied.stderr);
  });
  after(async () => {
    stopWatch?.();
    client?.close();
    if (node?.child.exitCode === null) {
      await node.kubectl(['delete', 'statefulset', 'web', '--wait=true', '--timeout=60s']);
      // Claims go with their local-path volumes (reclaimPolicy Delete: a helper pod removes the data) before the node stops.
      await node.kubectl(['delete', 'pvc', '-l', 'app=nginx', '--timeout=60s']);
      await waitFor('the volumes deleted', async () => (await node.k('get', 'pv', '-o', 'name')).trim() === '', 60_000, 500).catch(() => undefined);
    }
    await stopServicesNode(node);
  });

  it('starts web-0, web-1, web-2 in order, each after its predecessor is Ready, with its own claim', async () => {
    await allReady();
    assert.deepEqual(createdEarly, [], 'each pod is created only once its predecessor is Running and Ready');
    assert.deepEqual(events.filter((e) => e.startsWith('ADDED')), ['ADDED web-0', 'ADDED web-1', 'ADDED web-2']);
    const claims = await node.k('get', 'pvc', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase}{"\\n"}{end}');
    assert.deepEqual(claims.trim().split('\n').sort(), ['www-web-0=Bound', 'www-web-1=Bound', 'www-web-2=Bound']);
    assert.match(await node.k('get', 'statefulset', 'web'), /^NAME\s+READY\s+AGE\nweb\s+3\/3\s/);
  });

  it('each pod is <name>.nginx in DNS and serves what it wrote to its claim', async () => {
    for (const i of ORDINALS) {
      assert.equal((await node.k('exec', `web-${i}`, '--', 'hostname')).trim(), `web-${i}`);
      await node.k('exec', `web-${i}`, '--', 'sh', '-c', 'hostname > /usr/share/nginx/html/index.html');
    }
    const ips = new Map((await pods()).map((p) => [p.metadata.name!, p.status!.podIP!]));
    for (const i of ORDINALS) {
      const out = await node.k('exec', 'client', '--', 'timeout', '10', 'nslookup', `web-${i}.nginx.default.svc.cluster.local`);
      assert.match(out, new RegExp(`Address:\\s*${ips.get(`web-${i}`)!.replace(/\./g, '\\.')}\\s*$`, 'm'), out);
      assert.equal((await fetchFromWeb0(`web-${i}.nginx`)).trim(), `web-${i}`);
    }
  });

  it('a deleted pod comes back under its name with its data', async () => {
    const old = (await pods()).find((p) => p.metadata.name === 'web-1')!;
    await node.k('delete', 'pod', 'web-1');
    await allReady((ps) => ps.find((p) => p.metadata.name === 'web-1')?.metadata.uid !== old.metadata.uid);
    const body = await waitFor('web-1.nginx answers', async () => (await fetchFromWeb0('web-1.nginx')).trim(), 30_000, 500);
    assert.equal(body, 'web-1');
  });

  it('a rolling update replaces pods from the highest ordinal down and keeps their data', async () => {
    events.length = 0;
    await node.k('patch', 'statefulset', 'web', '--type=merge', '-p', '{"spec":{"template":{"metadata":{"annotations":{"rev":"2"}}}}}');
    await node.k('rollout', 'status', 'statefulset/web', '--timeout=120s');
    await allReady((ps) => ps.every((p) => p.metadata.annotations?.rev === '2'));
    assert.deepEqual(events.filter((e) => e.startsWith('DELETED')), ['DELETED web-2', 'DELETED web-1', 'DELETED web-0']);
    for (const i of ORDINALS) {
      const body = await waitFor(`web-${i}.nginx answers`, async () => (await fetchFromWeb0(`web-${i}.nginx`)).trim(), 30_000, 500);
      assert.equal(body, `web-${i}`);
    }
  });

  it('a partition holds back lower ordinals; rollout undo goes back', async () => {
    await node.k('patch', 'statefulset', 'web', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"template":{"metadata":{"annotations":{"rev":"3"}}}}}');
    const ps = await allReady((p) => p.find((x) => x.metadata.name === 'web-2')?.metadata.annotations?.rev === '3');
    assert.deepEqual(ps.map((p) => `${p.metadata.name}:${p.metadata.annotations?.rev}`).sort(), ['web-0:2', 'web-1:2', 'web-2:3']);
    await node.k('rollout', 'undo', 'statefulset/web');
    await allReady((p) => p.every((x) => x.metadata.annotations?.rev === '2'));
    assert.equal((await fetchFromWeb0('web-2.nginx')).trim(), 'web-2');
  });
});
