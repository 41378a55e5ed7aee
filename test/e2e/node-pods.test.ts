/**
 * `bosun server` as one would run it (the compiled binary, its embedded node and private containerd,
 * real containers) driven by kubectl 1.32: the node goes Ready; a Deployment's pod answers HTTP on its
 * pod IP; a two-container pod shares localhost and an emptyDir; kubectl logs, exec and port-forward
 * go through the binary; after kill -9 of the server and a restart on the same data dir the same
 * containers keep running with true statuses; after the pods are deleted and the server stopped with
 * SIGTERM nothing is left on the host. Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';
import { KUBECTL } from '../../src/testing/test-cluster.js';
import { assertNoStreamFallback, kubectlStream, STREAM_VERBOSITY } from '../../src/testing/kubectl-streams.js';

let node: NodeServer;

const WEB = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: busybox, image: bosun.test/busybox:1}]
`;

const DUO = `
apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: shared, emptyDir: {}}]
  containers:
  - name: server
    image: bosun.test/busybox:1
    command: [httpd, -f, -p, "8080", -h, /data]
    volumeMounts: [{name: shared, mountPath: /data}]
  - name: writer
    image: bosun.test/busybox:1
    command: [sh, -c, 'echo written-by-writer > /data/index.html; echo writer started; while true; do sleep 1; done']
    volumeMounts: [{name: shared, mountPath: /data}]
`;

async function getPod(name: string): Promise<Pod> {
  return JSON.parse(await node.k('get', 'pod', name, '-o', 'json')) as Pod;
}

async function podsOf(selector: string): Promise<Pod[]> {
  return (JSON.parse(await node.k('get', 'pods', '-l', selector, '-o', 'json')) as { items: Pod[] }).items;
}

function isReady(p: Pod): boolean {
  return p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

async function httpGet(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200);
  return r.text();
}

/** id, restartCount and ready of every container of the pods, for comparing across a restart. */
function containerIdentity(pods: Pod[]): Record<string, { id?: string; restarts?: number; ready?: boolean }> {
  const out: Record<string, { id?: string; restarts?: number; ready?: boolean }> = {};
  for (const p of pods) {
    for (const c of p.status?.containerStatuses ?? []) out[`${p.metadata!.name}/${c.name}`] = { id: c.containerID, restarts: c.restartCount, ready: c.ready };
  }
  return out;
}

describe('bosun server runs real pods', { timeout: 240_000 }, () => {
  before(async () => {
    node = await startNodeServer();
  });
  after(async () => {
    await node?.forceCleanup();
  });

  it('registers a Ready node with the pod CIDR and machine capacity', async () => {
    const n = JSON.parse(await node.k('get', 'node', node.nodeName, '-o', 'json')) as { spec: { podCIDR: string }; status: { capacity: Record<string, string>; nodeInfo: { containerRuntimeVersion: string } } };
    assert.equal(n.spec.podCIDR, node.podCIDR);
    assert.ok(Number(n.status.capacity.cpu) >= 1);
    assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
  });

  it('runs a Deployment whose pod answers HTTP on its pod IP', async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: WEB });
    assert.equal(r.code, 0, r.stderr);
    const pods = await waitFor('2 web pods Ready', async () => {
      const ps = (await podsOf('app=web')).filter((p) => !p.metadata?.deletionTimestamp);
      return ps.length === 2 && ps.every(isReady) && ps;
    }, 60_000);
    const prefix = node.podCIDR.split('.').slice(0, 3).join('.');
    for (const p of pods) {
      assert.ok(p.status!.podIP!.startsWith(`${prefix}.`), `pod IP ${p.status!.podIP} in ${node.podCIDR}`);
      assert.match(await httpGet(`http://${p.status!.podIP}:8080/`), /bosun test page/);
    }
  });

  it('gives the containers of one pod a shared localhost and emptyDir', async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: DUO });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('pod duo Ready', async () => isReady(await getPod('duo')), 60_000);
    // The writer reaches the server on localhost, and the server serves the file the writer wrote.
    const got = await waitFor('the writer to fetch its file from the server over localhost', async () => {
      const e = await node.kubectl(['exec', 'duo', '-c', 'writer', '--', 'wget', '-qO-', 'http://127.0.0.1:8080/index.html']);
      return e.code === 0 && e.stdout;
    }, 20_000, 500);
    assert.equal(got.trim(), 'written-by-writer');
  });

  it('serves kubectl logs, exec and port-forward through the binary', async () => {
    assert.match(await node.k('logs', 'duo', '-c', 'writer'), /writer started/);
    // exec and port-forward must take the WebSocket path (kubectl's SPDY fallback fails the test).
    assert.equal((await kubectlStream(node, ['exec', 'duo', '-c', 'server', '--', 'cat', '/data/index.html'])).stdout.trim(), 'written-by-writer');
    const failing = await kubectlStream(node, ['exec', 'duo', '-c', 'server', '--', 'sh', '-c', 'exit 7']);
    assert.equal(failing.code, 7, 'exec passes the exit code through');

    const pf = spawn(KUBECTL, ['--kubeconfig', node.kubeconfig, STREAM_VERBOSITY, 'port-forward', 'pod/duo', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
      pf.stderr.on('data', (d: Buffer) => {
        out += d.toString();
        err += d.toString();
      });
      const port = await waitFor('port-forward to listen', () => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], 20_000, 100);
      assert.equal((await httpGet(`http://127.0.0.1:${port}/index.html`)).trim(), 'written-by-writer');
      assertNoStreamFallback(err, 'kubectl port-forward');
    } finally {
      pf.kill('SIGKILL');
    }
  });

  it('keeps the same containers running across kill -9 and a restart of the server', async () => {
    const before = containerIdentity([...(await podsOf('app=web')), await getPod('duo')]);
    assert.equal(Object.keys(before).length, 4);
    for (const v of Object.values(before)) assert.deepEqual([v.ready, typeof v.id], [true, 'string']);

    await node.kill9();
    await node.restart();
    await waitFor('the node Ready again', async () => (await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True', 60_000);
    // Give the restarted agent time to resync every pod (and to wrongly restart something).
    await new Promise((r) => setTimeout(r, 5000));
    const pods = [...(await podsOf('app=web')), await getPod('duo')];
    assert.deepEqual(containerIdentity(pods), before, 'same container ids, restart counts and readiness');
    for (const p of pods) assert.ok(isReady(p), `${p.metadata!.name} still Running and Ready`);
    for (const p of await podsOf('app=web')) assert.match(await httpGet(`http://${p.status!.podIP}:8080/`), /bosun test page/);
  });

  it('leaves nothing behind after the pods are deleted and the server stops', async () => {
    await node.k('delete', 'deployment', 'web', '--cascade=foreground', '--timeout=60s');
    const { exitCode, leftovers } = await node.stop();
    assert.equal(exitCode, 0, node.output());
    assert.deepEqual(leftovers, { processes: [], netns: [], mounts: [], cgroups: [], nat: [], bridge: false });
  });
});
