import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerStatus, Lease, Node, Pod } from '../../api/kinds/index.js';
import { eventually } from '../../testing/eventually.js';
import { cond, cs, fakeNodeForFile, h, IMG, rt } from '../testing/pod-lifecycle-env.js';
import { configSourceTests } from '../testing/pod-config-source-tests.js';
import { admissionTests } from '../testing/pod-admission-tests.js';

/**
 * The node agent on the fake runtime against a real in-process API server: pod lifecycle, restart
 * policies and back-off, probes, deletion, adoption after an agent restart, orphans, image pulls,
 * ConfigMap/Secret sources (testing/pod-config-source-tests.ts, declared here). The same behaviours
 * run on containerd in agent-containerd.test.ts. The node: testing/pod-lifecycle-env.ts.
 */

describe('node agent on the fake runtime', () => {
  fakeNodeForFile();

  it('registers the node with capacity, conditions, node info and a lease', async () => {
    const node = await h.client.nodes<Node>().get(h.nodeName);
    assert.equal(node.status?.capacity?.pods, '110');
    assert.match(String(node.status?.capacity?.memory), /^\d+Ki$/);
    assert.ok(Number(node.status?.capacity?.cpu) >= 1);
    assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.32.0-bosun');
    assert.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'fake://0.0.1');
    assert.deepEqual(node.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    assert.deepEqual(node.status?.addresses?.map((a) => a.type), ['InternalIP', 'Hostname']);
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], h.nodeName);
    const lease = await h.client.leases<Lease>('kube-node-lease').get(h.nodeName);
    assert.equal(lease.spec?.holderIdentity, h.nodeName);
    const first = lease.spec?.renewTime;
    await eventually(async () => (await h.client.leases<Lease>('kube-node-lease').get(h.nodeName)).spec?.renewTime !== first, 'lease renewed');
  });

  it('runs a pod: Running and Ready with pod IP, container ids, events in order', async () => {
    await h.createPod('web', { containers: [{ name: 'app', image: IMG, env: [{ name: 'A', value: 'x' }, { name: 'B', value: '$(A)-y' }] }] });
    const p = await h.waitPod('web', (p) => cond(p, 'Ready') === 'True' && p);
    assert.equal(p.status?.phase, 'Running');
    assert.match(p.status?.podIP ?? '', /^10\.88\.0\.\d+$/);
    assert.equal(p.status?.hostIP, h.agent.hostIP);
    assert.ok(p.status?.startTime);
    const c = cs(p)!;
    assert.match(c.containerID ?? '', /^fake:\/\/[0-9a-f]{64}$/);
    assert.ok(c.state?.running?.startedAt);
    assert.equal(c.restartCount, 0);
    assert.equal(c.ready, true);
    assert.match(c.imageID ?? '', /^sha256:/);
    const list = await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! } });
    assert.deepEqual(list.map((x) => `fake://${x.id}`), [c.containerID]);
    const sb = (await rt.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! } }))[0]!;
    assert.equal((await rt.podSandboxStatus(sb.id)).ip, p.status?.podIP);
    const reasons = (await h.events('web')).map((e) => e.reason);
    for (const r of ['Pulled', 'Created', 'Started']) assert.ok(reasons.includes(r), `event ${r} in ${reasons}`);
  });

  it('reports the image the runtime resolved (toKubeContainerStatus): the tag normalized, imageID the repo digest', async () => {
    const digest = `docker.io/library/busybox@sha256:${'d'.repeat(64)}`;
    rt.addImage('busybox:1.36', { repoDigests: [digest] });
    await h.createPod('resolved', { containers: [{ name: 'app', image: 'busybox:1.36' }] });
    const p = await h.waitPod('resolved', (p) => cs(p)?.state?.running && p);
    assert.equal(cs(p)?.image, 'docker.io/library/busybox:1.36');
    assert.equal(cs(p)?.imageID, digest);
  });

  admissionTests();

  it('a container that fails to start waits in RunContainerError with the runtime\'s description, its StartError as lastState', async () => {
    rt.setBehaviour('nostart', { startError: 'exec: "nope": executable file not found in $PATH' });
    // Every status written, through a watch: RunContainerError lasts until the next attempt.
    const watch = await h.client.pods<Pod>('default').watch({ fieldSelector: 'metadata.name=nostart' });
    const seen: ContainerStatus[] = [];
    const pump = (async () => {
      for await (const ev of watch) if (ev.type !== 'ERROR' && cs(ev.object, 'nostart')) seen.push(cs(ev.object, 'nostart')!);
    })();
    try {
      await h.createPod('nostart', { containers: [{ name: 'nostart', image: IMG }] });
      const failed = await eventually(() => seen.find((c) => c.state?.waiting?.reason === 'RunContainerError'), 'a RunContainerError status');
      // The kubelet's grpcstatus Message(): the description without the rpc error words.
      assert.equal(failed.state?.waiting?.message, 'failed to create containerd task: exec: "nope": executable file not found in $PATH');
      assert.equal(failed.lastState?.terminated?.reason, 'StartError');
      assert.equal(failed.lastState?.terminated?.exitCode, 128);
      assert.ok((await h.events('nostart')).some((e) => e.reason === 'Failed' && e.message === `Error: ${failed.state?.waiting?.message}`));
    } finally {
      watch.stop();
      await pump.catch(() => undefined);
      await h.client.pods('default').delete('nostart');
    }
  });

  it('restartPolicy Never: exit 0 -> Succeeded and the sandbox is stopped; exit 1 -> Failed', async () => {
    rt.setBehaviour('ok-job', { exitCode: 0, afterMs: 50 });
    rt.setBehaviour('bad-job', { exitCode: 1, afterMs: 50 });
    await h.createPod('job-ok', { restartPolicy: 'Never', containers: [{ name: 'ok-job', image: IMG }] });
    await h.createPod('job-bad', { restartPolicy: 'Never', containers: [{ name: 'bad-job', image: IMG }] });
    const ok = await h.waitPod('job-ok', (p) => p.status?.phase === 'Succeeded' && p);
    assert.equal(cs(ok, 'ok-job')?.state?.terminated?.reason, 'Completed');
    const bad = await h.waitPod('job-bad', (p) => p.status?.phase === 'Failed' && p);
    assert.equal(cs(bad, 'bad-job')?.state?.terminated?.exitCode, 1);
    assert.equal(cs(bad, 'bad-job')?.state?.terminated?.reason, 'Error');
    const sandboxStates = async () => (await rt.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': ok.metadata.uid! } })).map((s) => s.state);
    await eventually(async () => (await sandboxStates()).join() === 'SANDBOX_NOTREADY', 'sandbox stopped', 5000);
    assert.equal(bad.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  });

  it('a crashing container restarts, then waits in CrashLoopBackOff with the last termination', async () => {
    rt.setBehaviour('crasher', { exitCode: 3, afterMs: 20 });
    await h.createPod('crash', { containers: [{ name: 'crasher', image: IMG }] });
    const p = await h.waitPod('crash', (p) => {
      const c = cs(p, 'crasher');
      return c && (c.restartCount ?? 0) >= 2 && c.state?.waiting?.reason === 'CrashLoopBackOff' && p;
    });
    const c = cs(p, 'crasher')!;
    assert.equal(c.lastState?.terminated?.exitCode, 3);
    // A Go duration, as the kubelet prints backOff.Get(): 600ms, 10s, 1m20s.
    assert.match(c.state?.waiting?.message ?? '', /^back-off (\d+ms|\d+(\.\d+)?s|\d+m\d+(\.\d+)?s) restarting failed container=crasher pod=crash_default\(/);
    assert.equal(p.status?.phase, 'Running');
    const ev = await h.events('crash');
    assert.ok(ev.some((e) => e.reason === 'BackOff' && e.message?.startsWith('Back-off restarting failed container crasher in pod crash_default(')));
    // Only the newest exited container is kept for lastState (plus a running or pending one).
    const kept = (await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! } }));
    assert.ok(kept.length <= 2, `kept ${kept.length}`);
  });

  it('OOM-killed containers report OOMKilled', async () => {
    rt.setBehaviour('hog', { oom: true, afterMs: 30 });
    await h.createPod('oom', { restartPolicy: 'Never', containers: [{ name: 'hog', image: IMG, resources: { limits: { memory: '16Mi' } } }] });
    const p = await h.waitPod('oom', (p) => p.status?.phase === 'Failed' && p);
    assert.equal(cs(p, 'hog')?.state?.terminated?.reason, 'OOMKilled');
    assert.equal(cs(p, 'hog')?.state?.terminated?.exitCode, 137);
  });

  it('init containers run one at a time, in order, before the app', async () => {
    rt.setBehaviour('init-a', { exitCode: 0, afterMs: 30 });
    rt.setBehaviour('init-b', { exitCode: 0, afterMs: 30 });
    const before = rt.calls.length;
    await h.createPod('inits', {
      initContainers: [{ name: 'init-a', image: IMG }, { name: 'init-b', image: IMG }],
      containers: [{ name: 'main', image: IMG }],
    });
    const p = await h.waitPod('inits', (p) => p.status?.phase === 'Running' && cond(p, 'Initialized') === 'True' && p);
    const order = rt.calls.slice(before).filter((c) => /^CreateContainer:(init-a|init-b|main)$/.test(c));
    assert.deepEqual(order, ['CreateContainer:init-a', 'CreateContainer:init-b', 'CreateContainer:main']);
    assert.equal(p.status?.initContainerStatuses?.[1]?.state?.terminated?.reason, 'Completed');
  });

  it('liveness failures restart the container with Unhealthy and Killing events', async () => {
    let failing = true;
    rt.onExec((_id, cmd) => ({ stdout: Buffer.from(cmd.join(' ') === 'check-live' && failing ? 'not alive' : ''), stderr: Buffer.alloc(0), exitCode: cmd.join(' ') === 'check-live' && failing ? 1 : 0 }));
    await h.createPod('live', {
      containers: [{ name: 'app', image: IMG, livenessProbe: { exec: { command: ['check-live'] }, periodSeconds: 1, failureThreshold: 1 } }],
    });
    const p = await h.waitPod('live', (p) => (cs(p)?.restartCount ?? 0) >= 1 && p);
    failing = false;
    const ev = await h.events('live');
    assert.ok(ev.some((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: not alive'), JSON.stringify(ev.map((e) => e.message)));
    assert.ok(ev.some((e) => e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'));
    assert.equal(cs(p)?.lastState?.terminated?.exitCode, 143);
  });

  it('readiness drives the Ready condition both ways', async () => {
    let ready = false;
    rt.onExec((_id, cmd) => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: cmd[0] === 'ready?' && !ready ? 1 : 0 }));
    await h.createPod('ready', {
      containers: [{ name: 'app', image: IMG, readinessProbe: { exec: { command: ['ready?'] }, periodSeconds: 1, failureThreshold: 1 } }],
    });
    const p = await h.waitPod('ready', (p) => p.status?.phase === 'Running' && p);
    assert.equal(cond(p, 'Ready'), 'False');
    assert.equal(cs(p)?.ready, false);
    ready = true;
    await h.waitPod('ready', (p) => cond(p, 'Ready') === 'True');
    ready = false;
    const down = await h.waitPod('ready', (p) => cond(p, 'Ready') === 'False' && p);
    assert.equal(down.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'ContainersNotReady');
    assert.equal(cs(down)?.restartCount, 0, 'readiness never restarts');
  });

  it('image pull errors: ErrImagePull, then ImagePullBackOff; Never with a missing image', async () => {
    rt.setImageMissing('bosun.test/missing:1');
    await h.createPod('badimg', { containers: [{ name: 'app', image: 'bosun.test/missing:1' }] });
    const failed = await h.waitPod('badimg', (p) => cs(p)?.state?.waiting?.reason === 'ErrImagePull' && p);
    const p = await h.waitPod('badimg', (p) => cs(p)?.state?.waiting?.reason === 'ImagePullBackOff' && p);
    // 1.32's image manager: the waiting message is the runtime's error; in back-off it is repeated
    // after the back-off words (prevPullErrMsg, kubernetes#127918), the event keeps only those.
    const pullError = cs(failed)?.state?.waiting?.message ?? '';
    // The CRI client's error text (evalCRIPullErr's fallback err.Error()): grpc-go's status words.
    assert.equal(pullError, 'rpc error: code = NotFound desc = failed to pull and unpack image "bosun.test/missing:1": failed to resolve reference "bosun.test/missing:1": not found');
    assert.equal(cs(p)?.state?.waiting?.message, `Back-off pulling image "bosun.test/missing:1": ErrImagePull: ${pullError}`);
    assert.equal(p.status?.phase, 'Pending');
    const ev = await h.events('badimg');
    assert.ok(ev.some((e) => e.reason === 'Failed' && e.message === `Failed to pull image "bosun.test/missing:1": ${pullError}`));
    assert.ok(ev.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "bosun.test/missing:1"'));
    await h.createPod('never', { containers: [{ name: 'app', image: 'bosun.test/absent:1', imagePullPolicy: 'Never' }] });
    await h.waitPod('never', (p) => cs(p)?.state?.waiting?.reason === 'ErrImageNeverPull');
  });

  configSourceTests();

  it('deletion: containers stopped, everything removed, then the pod is deleted for good', async () => {
    const pod = await h.createPod('gone', { containers: [{ name: 'app', image: IMG }] });
    await h.waitPod('gone', (p) => p.status?.phase === 'Running');
    await h.client.pods('default').delete('gone');
    await eventually(async () => !(await h.getPod('gone')), 'pod deleted', 15_000);
    const uid = pod.metadata.uid!;
    assert.deepEqual(await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    assert.deepEqual(await rt.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': uid } }), []);
    const { existsSync } = await import('node:fs');
    assert.equal(existsSync(`${h.dataDir}/pods/${uid}`), false);
    assert.ok((await h.events('gone')).some((e) => e.reason === 'Killing' && e.message === 'Stopping container app'));
  });

  it('an agent restart adopts running containers without restarting them', async () => {
    const pod = await h.createPod('keep', { containers: [{ name: 'app', image: IMG }] });
    const before = await h.waitPod('keep', (p) => cond(p, 'Ready') === 'True' && cs(p)!.containerID);
    const creates = () => rt.calls.filter((c) => c === 'CreateContainer:app' || c === 'RunPodSandbox:keep').length;
    const n = creates();
    await h.restartAgent();
    await new Promise((r) => setTimeout(r, 1500));
    const p = (await h.getPod('keep'))!;
    assert.equal(cs(p)?.containerID, before);
    assert.equal(cs(p)?.restartCount, 0);
    assert.equal(creates(), n, 'no container or sandbox created after the restart');
    assert.equal(p.metadata.uid, pod.metadata.uid);
  });

  it('postStart failure kills the container; preStop runs on deletion', async () => {
    const seen: string[] = [];
    rt.onExec((_id, cmd) => {
      seen.push(cmd.join(' '));
      return { stdout: Buffer.from(cmd[0] === 'post-fail' ? 'boom' : ''), stderr: Buffer.alloc(0), exitCode: cmd[0] === 'post-fail' ? 1 : 0 };
    });
    await h.createPod('hooks', { containers: [{ name: 'app', image: IMG, lifecycle: { postStart: { exec: { command: ['post-fail'] } } } }] });
    await h.waitPod('hooks', (p) => (cs(p)?.restartCount ?? 0) >= 1);
    const ev = await h.events('hooks');
    assert.ok(ev.some((e) => e.reason === 'FailedPostStartHook' && e.message === 'PostStartHook failed: boom'), JSON.stringify(ev.map((e) => e.message)));

    await h.createPod('prestop', { containers: [{ name: 'app', image: IMG, lifecycle: { preStop: { exec: { command: ['say-bye'] } } } }] });
    await h.waitPod('prestop', (p) => p.status?.phase === 'Running');
    await h.client.pods('default').delete('prestop');
    await eventually(async () => !(await h.getPod('prestop')), 'prestop pod deleted');
    assert.ok(seen.includes('say-bye'), 'preStop ran');
  });

  it('a startup probe holds started and liveness until it passes', async () => {
    let up = false;
    rt.onExec((_id, cmd) => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: cmd[0] === 'started?' && !up ? 1 : cmd[0] === 'live?' ? 1 : 0 }));
    await h.createPod('startup', {
      containers: [{
        name: 'app', image: IMG,
        startupProbe: { exec: { command: ['started?'] }, periodSeconds: 1, failureThreshold: 30 },
        livenessProbe: { exec: { command: ['live?'] }, periodSeconds: 1, failureThreshold: 1 },
      }],
    });
    const p = await h.waitPod('startup', (p) => p.status?.phase === 'Running' && p);
    await new Promise((r) => setTimeout(r, 2500));
    const held = (await h.getPod('startup'))!;
    assert.equal(cs(held)?.started, false);
    assert.equal(cs(held)?.restartCount, 0, 'liveness did not run before startup passed');
    up = true;
    await h.waitPod('startup', (p) => cs(p)?.started === true || (cs(p)?.restartCount ?? 0) > 0);
    // Now liveness runs (and fails): the container restarts.
    await h.waitPod('startup', (p) => (cs(p)?.restartCount ?? 0) >= 1);
    assert.ok(p.metadata.uid);
  });

  it('OnFailure restarts failed containers but not succeeded ones', async () => {
    rt.setBehaviour('flaky', { exitCode: 1, afterMs: 30 });
    await h.createPod('onfail', { restartPolicy: 'OnFailure', containers: [{ name: 'flaky', image: IMG }] });
    await h.waitPod('onfail', (p) => (cs(p, 'flaky')?.restartCount ?? 0) >= 1);
    rt.setBehaviour('done-ok', { exitCode: 0, afterMs: 30 });
    await h.createPod('onfail-ok', { restartPolicy: 'OnFailure', containers: [{ name: 'done-ok', image: IMG }] });
    const p = await h.waitPod('onfail-ok', (p) => p.status?.phase === 'Succeeded' && p);
    assert.equal(cs(p, 'done-ok')?.restartCount, 0);
  });

  it('activeDeadlineSeconds fails the pod with DeadlineExceeded and stops it', async () => {
    await h.createPod('deadline', { activeDeadlineSeconds: 2, containers: [{ name: 'app', image: IMG }] });
    const p = await h.waitPod('deadline', (p) => p.status?.phase === 'Failed' && p, 15_000);
    assert.equal(p.status?.reason, 'DeadlineExceeded');
    assert.equal(p.status?.message, 'Pod was active on the node longer than the specified deadline');
    const running = (await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! }, state: 'CONTAINER_RUNNING' }));
    assert.deepEqual(running, []);
  });

  it('a host-network pod reports the node address as its pod IP', async () => {
    await h.createPod('hostnet', { hostNetwork: true, containers: [{ name: 'app', image: IMG }] });
    const p = await h.waitPod('hostnet', (p) => p.status?.phase === 'Running' && p);
    assert.equal(p.status?.podIP, h.agent.hostIP);
  });

  it('containers of pods the API no longer has are stopped and removed', async () => {
    const id = await rt.runPodSandbox({
      metadata: { name: 'ghost', namespace: 'default', uid: 'ghost-uid', attempt: 0 },
      labels: { 'bosun.io/managed': 'true', 'io.kubernetes.pod.uid': 'ghost-uid' },
    });
    await eventually(async () => (await rt.listPodSandboxes({ id })).length === 0, 'orphan sandbox removed');
  });
});
