/**
 * The node agent on a real private containerd (runc, CNI bridge) against an in-process API server.
 * Needs root, containerd/runc/CNI plugins and scripts/build-test-images.sh run first. The last test
 * deletes every pod through the API and proves the agent left nothing behind: containers, sandboxes,
 * network namespaces, mounts, pod cgroups, pod directories.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../api/kinds/index.js';
import { cgroupDirsExisting, listNetns, mountsUnder } from './testing/host-state.js';
import { getWhenListening } from './testing/http.js';
import { startTestRegistry } from './testing/local-registry.js';
import { startAgentHarness, type AgentHarness } from './testing/agent-harness.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from './testing/private-containerd.js';

const cs = (p: Pod, name = 'app') => p.status?.containerStatuses?.find((c) => c.name === name);
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;
/** A container that ends at once on TERM (busybox httpd ignores it as PID 1). */
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1 & wait $!; done'];

let tc: TestContainerd;
let h: AgentHarness;

async function exec(p: Pod, container: string, cmd: string[]): Promise<string> {
  const id = cs(p, container)!.containerID!.replace('containerd://', '');
  const r = await tc.cri.execSync(id, cmd, 10);
  return r.stdout.toString('utf8') + r.stderr.toString('utf8');
}

describe('node agent on containerd', { concurrency: false }, () => {
  before(async () => {
    tc = await startTestContainerd({ busybox: true });
    h = await startAgentHarness(tc.cri, {
      dataDir: join(tc.dir, 'agent'), cgroupRoot: tc.cgroupRoot, podCIDR: tc.podCIDR,
      crashBackoff: { initialMs: 500, maxMs: 2000 }, imagePullBackoff: { initialMs: 1000, maxMs: 4000 },
    });
  });
  after(async () => {
    await h?.stop();
    await tc?.teardown();
  });

  it('an httpd pod goes Running and Ready and answers on its pod IP', async () => {
    await h.createPod('web', { containers: [{ name: 'app', image: BUSYBOX_IMAGE, ports: [{ containerPort: 8080 }] }] });
    const p = await h.waitPod('web', (p) => cond(p, 'Ready') === 'True' && p, 30_000);
    assert.equal(p.status?.phase, 'Running');
    assert.match(cs(p)!.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.match(cs(p)!.imageID!, /^sha256:/);
    const res = await getWhenListening(`http://${p.status!.podIP}:8080/`);
    assert.equal(await res.text(), 'bosun test page\n');
    assert.equal((await exec(p, 'app', ['hostname'])).trim(), 'web');
    assert.match(await exec(p, 'app', ['cat', '/etc/hosts']), new RegExp(`${p.status!.podIP!.replace(/\./g, '\\.')}\\tweb`));
  });

  it('a hostPort reaches the pod through the node address', async () => {
    const hostPort = 30000 + Math.floor(Math.random() * 2000);
    await h.createPod('hostport', { containers: [{ name: 'app', image: BUSYBOX_IMAGE, ports: [{ containerPort: 8080, hostPort }] }] });
    await h.waitPod('hostport', (p) => cond(p, 'Ready') === 'True', 30_000);
    const res = await getWhenListening(`http://${h.agent.hostIP}:${hostPort}/`);
    assert.equal(await res.text(), 'bosun test page\n');
  });

  it('two containers share localhost and an emptyDir', async () => {
    await h.createPod('duo', {
      volumes: [{ name: 'shared', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory' } }],
      containers: [
        { name: 'writer', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo from-writer > /data/f; trap "exit 0" TERM; while :; do sleep 1 & wait $!; done'], volumeMounts: [{ name: 'shared', mountPath: '/data' }, { name: 'mem', mountPath: '/mem' }] },
        { name: 'server', image: BUSYBOX_IMAGE, command: ['httpd', '-f', '-p', '8081', '-h', '/srv'], volumeMounts: [{ name: 'shared', mountPath: '/srv' }] },
      ],
    });
    const p = await h.waitPod('duo', (p) => cond(p, 'Ready') === 'True' && p, 30_000);
    let body = '';
    for (let i = 0; i < 100 && !body.includes('from-writer'); i++) {
      body = await exec(p, 'writer', ['wget', '-qO-', 'http://127.0.0.1:8081/f']);
      if (!body.includes('from-writer')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body.trim(), 'from-writer');
    assert.match(await exec(p, 'writer', ['grep', ' /mem ', '/proc/mounts']), /tmpfs/);
  });

  it('a sidecar serves an emptyDir to the app: Running and Ready; beside a Job it stops once the Job ends', async () => {
    // A restartable init container (KEP-753) that never exits: the app starts once it is started.
    const sidecar = {
      name: 'web', image: BUSYBOX_IMAGE, restartPolicy: 'Always', command: ['httpd', '-f', '-p', '8082', '-h', '/srv'],
      volumeMounts: [{ name: 'shared', mountPath: '/srv' }], readinessProbe: { tcpSocket: { port: 8082 }, periodSeconds: 1 },
    };
    await h.createPod('sidecar', {
      volumes: [{ name: 'shared', emptyDir: {} }],
      initContainers: [sidecar],
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo from-app > /data/f; trap "exit 0" TERM; while :; do sleep 1 & wait $!; done'], volumeMounts: [{ name: 'shared', mountPath: '/data' }] }],
    });
    const p = await h.waitPod('sidecar', (p) => cond(p, 'Ready') === 'True' && p, 30_000);
    assert.equal(p.status?.phase, 'Running');
    assert.equal(cond(p, 'Initialized'), 'True');
    const web = p.status?.initContainerStatuses?.[0];
    assert.ok(web?.state?.running);
    assert.equal(web?.started, true);
    assert.equal(web?.ready, true);
    let body = '';
    for (let i = 0; i < 100 && !body.includes('from-app'); i++) {
      body = await exec(p, 'app', ['wget', '-qO-', 'http://127.0.0.1:8082/f']);
      if (!body.includes('from-app')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body.trim(), 'from-app');

    await h.createPod('sidecar-job', {
      restartPolicy: 'Never', volumes: [{ name: 'shared', emptyDir: {} }], initContainers: [sidecar],
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo done > /data/f; wget -qO- http://127.0.0.1:8082/f'], volumeMounts: [{ name: 'shared', mountPath: '/data' }] }],
    });
    const job = await h.waitPod('sidecar-job', (p) => p.status?.phase === 'Succeeded' && p, 30_000);
    assert.equal(cs(job)?.state?.terminated?.exitCode, 0);
    assert.ok(job.status?.initContainerStatuses?.[0]?.state?.terminated, 'the sidecar was stopped');
  });

  it('ConfigMap and Secret as env and files; a ConfigMap update reaches the mounted file', async () => {
    await h.client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-cfg' }, data: { MODE: 'fast', 'app.conf': 'v=1\n' } });
    await h.client.secrets('default').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-sec' }, data: { password: Buffer.from('hunter2').toString('base64') } });
    await h.createPod('cfg', {
      volumes: [{ name: 'conf', configMap: { name: 'app-cfg' } }, { name: 'sec', secret: { secretName: 'app-sec', defaultMode: 0o400 } }],
      containers: [{
        name: 'app', image: BUSYBOX_IMAGE, command: SLEEPER,
        envFrom: [{ configMapRef: { name: 'app-cfg' } }],
        env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-sec', key: 'password' } } }, { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
        volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'sec', mountPath: '/etc/sec' }],
      }],
    });
    const p = await h.waitPod('cfg', (p) => cond(p, 'Ready') === 'True' && p, 30_000);
    const env = await exec(p, 'app', ['env']);
    assert.match(env, /^MODE=fast$/m);
    assert.match(env, /^PASSWORD=hunter2$/m);
    assert.match(env, new RegExp(`^MY_IP=${p.status!.podIP!.replace(/\./g, '\\.')}$`, 'm'));
    assert.equal(await exec(p, 'app', ['cat', '/etc/sec/password']), 'hunter2');
    assert.match(await exec(p, 'app', ['stat', '-L', '-c', '%a', '/etc/sec/password']), /^400/);
    assert.equal(await exec(p, 'app', ['cat', '/etc/app/app.conf']), 'v=1\n');
    await h.client.configMaps('default').patch('app-cfg', 'merge', { data: { 'app.conf': 'v=2\n' } });
    const deadline = Date.now() + 15_000;
    while ((await exec(p, 'app', ['cat', '/etc/app/app.conf'])) !== 'v=2\n') {
      assert.ok(Date.now() < deadline, 'the update reached the mounted file');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('a failing liveness probe restarts the container, with events', async () => {
    await h.createPod('live', {
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: SLEEPER, livenessProbe: { httpGet: { port: 9999, path: '/healthz' }, periodSeconds: 1, failureThreshold: 2 } }],
    });
    const p = await h.waitPod('live', (p) => (cs(p)?.restartCount ?? 0) >= 1 && p, 30_000);
    assert.equal(cs(p)?.lastState?.terminated?.exitCode, 0, 'the TERM handler ran');
    const ev = await h.events('live');
    assert.ok(ev.some((e) => e.reason === 'Unhealthy' && /^Liveness probe failed: Get "http:\/\/[\d.]+:9999\/healthz": dial tcp [\d.]+:9999: connect: connection refused$/.test(e.message ?? '')), JSON.stringify(ev.map((e) => e.message)));
    assert.ok(ev.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'));
  });

  it('a failing readiness probe keeps the pod not Ready', async () => {
    await h.createPod('unready', {
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: SLEEPER, readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } }],
    });
    const p = await h.waitPod('unready', (p) => p.status?.phase === 'Running' && p, 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    const still = (await h.getPod('unready'))!;
    assert.equal(cond(still, 'Ready'), 'False');
    assert.equal(cs(still)?.ready, false);
    await exec(p, 'app', ['touch', '/tmp/ready']);
    await h.waitPod('unready', (p) => cond(p, 'Ready') === 'True', 15_000);
  });

  it('a crashing container ends in CrashLoopBackOff', async () => {
    await h.createPod('crash', { containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo dying; echo "bye bye" > /dev/termination-log; exit 3'] }] });
    const p = await h.waitPod('crash', (p) => (cs(p)?.restartCount ?? 0) >= 2 && cs(p)?.state?.waiting?.reason === 'CrashLoopBackOff' && p, 30_000);
    assert.equal(cs(p)?.lastState?.terminated?.exitCode, 3);
    assert.equal(cs(p)?.lastState?.terminated?.reason, 'Error');
    assert.equal(cs(p)?.lastState?.terminated?.message, 'bye bye\n', 'termination message from /dev/termination-log');
  });

  it('FallbackToLogsOnError puts the end of the log in the termination message', async () => {
    await h.createPod('fallback', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo line1; echo line2; exit 4'], terminationMessagePolicy: 'FallbackToLogsOnError' }],
    });
    const p = await h.waitPod('fallback', (p) => p.status?.phase === 'Failed' && p, 30_000);
    assert.equal(cs(p)?.state?.terminated?.message, 'line1\nline2\n', 'the log as kubectl logs prints it: full lines keep their newline');
  });

  it('a memory limit OOM-kills the container', async () => {
    await h.createPod('oom', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['tail', '/dev/zero'], resources: { limits: { memory: '16Mi' } } }],
    });
    const p = await h.waitPod('oom', (p) => p.status?.phase === 'Failed' && p, 30_000);
    // The pod cgroup carries the summed limit (every container has one).
    assert.equal(readFileSync(`/sys/fs/cgroup/memory${tc.cgroupRoot}/pod${p.metadata.uid}/memory.limit_in_bytes`, 'utf8').trim(), String(16 * 1024 * 1024));
    assert.equal(cs(p)?.state?.terminated?.reason, 'OOMKilled');
    assert.equal(cs(p)?.state?.terminated?.exitCode, 137);
  });

  it('pulls an image from a registry (imagePullPolicy Always, with an imagePullSecret)', async () => {
    const registry = await startTestRegistry();
    try {
      const image = await registry.pushTestImage('busybox', 'bosun/pulled:1');
      const auth = Buffer.from(JSON.stringify({ auths: { [registry.host]: { username: 'u', password: 'p' } } })).toString('base64');
      await h.client.secrets('default').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': auth } });
      await h.createPod('pulled', { imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'app', image, imagePullPolicy: 'Always', command: SLEEPER }] });
      const p = await h.waitPod('pulled', (p) => cond(p, 'Ready') === 'True' && p, 60_000);
      // As in Kubernetes, a pulled image's imageID is its repo digest.
      assert.equal(cs(p)!.imageID, `${registry.host}/bosun/pulled@${cs(p)!.imageID!.split('@')[1]}`);
      assert.match(cs(p)!.imageID!, /@sha256:[0-9a-f]{64}$/);
      const ev = await h.events('pulled');
      assert.ok(ev.some((e) => e.reason === 'Pulling' && e.message === `Pulling image "${image}"`));
      assert.ok(ev.some((e) => e.reason === 'Pulled' && e.message?.startsWith(`Successfully pulled image "${image}" in `)));
    } finally {
      await registry.stop();
    }
  });

  it('a bad image gives ErrImagePull, then ImagePullBackOff', async () => {
    await h.createPod('badimg', { containers: [{ name: 'app', image: '127.0.0.1:1/nope/missing:1' }] });
    await h.waitPod('badimg', (p) => cs(p)?.state?.waiting?.reason === 'ErrImagePull', 30_000);
    await h.waitPod('badimg', (p) => cs(p)?.state?.waiting?.reason === 'ImagePullBackOff', 30_000);
  });

  it('survives a containerd restart: the pod keeps its container and a later exit is still seen', async () => {
    await h.createPod('late-exit', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.2; done; exit 4'] }],
    });
    const running = await h.waitPod('late-exit', (p) => (cs(p)?.state?.running ? p : undefined), 30_000);
    const id = cs(running)!.containerID;
    await tc.restart(); // the agent's CRI connection and its event stream break; both must come back
    await exec(running, 'app', ['touch', '/tmp/go']);
    const done = await h.waitPod('late-exit', (p) => (cs(p)?.state?.terminated ? p : undefined), 30_000);
    assert.equal(cs(done)?.containerID, id, 'the same container, not a new one');
    assert.equal(cs(done)?.state?.terminated?.exitCode, 4);
    assert.equal(cs(done)?.restartCount, 0);
    assert.equal(done.status?.phase, 'Failed');
  });

  it('an agent killed and started again keeps the same containers running', async () => {
    const before = (await h.getPod('web'))!;
    const id = cs(before)!.containerID;
    await h.restartAgent();
    await new Promise((r) => setTimeout(r, 2500));
    const p = (await h.getPod('web'))!;
    assert.equal(cs(p)?.containerID, id);
    assert.equal(cs(p)?.restartCount, 0);
    assert.equal(cond(p, 'Ready'), 'True');
    const res = await getWhenListening(`http://${p.status!.podIP}:8080/`);
    assert.equal(res.status, 200);
  });

  it('deleting every pod leaves nothing behind', async () => {
    const pods = await h.client.pods<Pod>('default').list();
    const uids = pods.items.map((p) => p.metadata.uid!);
    // The network namespaces of this test's sandboxes (other tests on the host may make their own).
    const netns = new Set<string>();
    for (const sb of await tc.cri.listPodSandboxes()) {
      const path = (await tc.cri.podSandboxStatus(sb.id, { verbose: true })).netnsPath;
      if (path) netns.add(path.split('/').pop()!);
    }
    assert.ok(netns.size >= 3, `sandboxes with a netns: ${netns.size}`);
    await Promise.all(pods.items.map((p) => h.client.pods('default').delete(p.metadata.name!)));
    const deadline = Date.now() + 60_000;
    while ((await h.client.pods('default').list()).items.length) {
      assert.ok(Date.now() < deadline, 'every pod deleted by the agent');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(await tc.cri.listContainers(), []);
    assert.deepEqual(await tc.cri.listPodSandboxes(), []);
    assert.deepEqual(listNetns().filter((n) => netns.has(n)), []);
    assert.deepEqual(mountsUnder(h.dataDir), []);
    for (const uid of uids) assert.deepEqual(cgroupDirsExisting(`${tc.cgroupRoot}/pod${uid}`), [], `cgroup of ${uid}`);
    assert.deepEqual(readdirSync(join(h.dataDir, 'pods')), []);
    assert.ok(existsSync(h.dataDir));
  });
});
