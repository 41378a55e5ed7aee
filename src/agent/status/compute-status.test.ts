import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import type { RuntimeContainer } from '../runtime/pod-state.js';
import { computePodStatus, type StatusInput } from './compute-status.js';
import { containerFixtures, fixtureSandbox } from '../testing/runtime-fixtures.js';

const now = new Date('2026-01-01T00:00:10Z');

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, status: Pod['status'] = { phase: 'Pending' }): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'app', image: 'img:1' }], ...spec }, status,
  } as Pod;
}

const sandbox = fixtureSandbox;

const ctr = containerFixtures();

function input(p: Pod, containers: RuntimeContainer[], extra: Partial<StatusInput> = {}): StatusInput {
  return {
    pod: p, runtime: { sandboxes: [sandbox()], containers: [...containers].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) },
    readiness: new Map(), startup: new Map(), waiting: {}, hostIP: '192.168.1.2', now, ...extra,
  };
}

const condition = (s: ReturnType<typeof computePodStatus>, type: string) => s.conditions?.find((c) => c.type === type)?.status;

describe('computePodStatus: phase (kubelet getPhase)', () => {
  const cases: { name: string; spec?: Partial<NonNullable<Pod['spec']>>; containers: () => RuntimeContainer[]; waiting?: StatusInput['waiting']; terminating?: boolean; want: string }[] = [
    { name: 'nothing created yet', containers: () => [], want: 'Pending' },
    { name: 'running', containers: () => [ctr('app', 'CONTAINER_RUNNING')], want: 'Running' },
    { name: 'exit 0 with Never', spec: { restartPolicy: 'Never' }, containers: () => [ctr('app', 'CONTAINER_EXITED')], want: 'Succeeded' },
    { name: 'exit 1 with Never', spec: { restartPolicy: 'Never' }, containers: () => [ctr('app', 'CONTAINER_EXITED', { exitCode: 1, reason: 'Error' })], want: 'Failed' },
    { name: 'exit 1 with OnFailure restarts', spec: { restartPolicy: 'OnFailure' }, containers: () => [ctr('app', 'CONTAINER_EXITED', { exitCode: 1 })], want: 'Running' },
    { name: 'exit 0 with OnFailure', spec: { restartPolicy: 'OnFailure' }, containers: () => [ctr('app', 'CONTAINER_EXITED')], want: 'Succeeded' },
    { name: 'exit 0 with Always is restarting', containers: () => [ctr('app', 'CONTAINER_EXITED')], want: 'Running' },
    {
      name: 'crash loop back-off counts as stopped', containers: () => [ctr('app', 'CONTAINER_EXITED', { exitCode: 1 })],
      waiting: { app: { reason: 'CrashLoopBackOff', message: 'back-off' } }, want: 'Running',
    },
    { name: 'image pull error is pending', containers: () => [], waiting: { app: { reason: 'ErrImagePull' } }, want: 'Pending' },
    {
      name: 'init container running keeps Pending', spec: { initContainers: [{ name: 'init', image: 'img:1' }] },
      containers: () => [ctr('init', 'CONTAINER_RUNNING', { type: 'init' })], want: 'Pending',
    },
    {
      name: 'init container failed with Never', spec: { restartPolicy: 'Never', initContainers: [{ name: 'init', image: 'img:1' }] },
      containers: () => [ctr('init', 'CONTAINER_EXITED', { type: 'init', exitCode: 2 })], want: 'Failed',
    },
    {
      name: 'terminating with Always: exit 143 is Failed', terminating: true,
      containers: () => [ctr('app', 'CONTAINER_EXITED', { exitCode: 143, reason: 'Error' })], want: 'Failed',
    },
    {
      name: 'one running one exited with Never', spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i' }] },
      containers: () => [ctr('a', 'CONTAINER_RUNNING'), ctr('b', 'CONTAINER_EXITED', { exitCode: 1 })], want: 'Running',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = computePodStatus(input(pod(c.spec), c.containers(), { waiting: c.waiting ?? {}, terminating: c.terminating }));
      assert.equal(s.phase, c.want);
    });
  }

  it('a terminal phase is never left', () => {
    const s = computePodStatus(input(pod({}, { phase: 'Succeeded' }), [ctr('app', 'CONTAINER_RUNNING')]));
    assert.equal(s.phase, 'Succeeded');
  });
});

describe('computePodStatus: container statuses and conditions', () => {
  it('running container without probes is ready and started; pod is Ready with IPs', () => {
    const c = ctr('app', 'CONTAINER_RUNNING');
    const s = computePodStatus(input(pod(), [c]));
    const cs = s.containerStatuses![0]!;
    assert.deepEqual(cs.state, { running: { startedAt: '2026-01-01T00:00:00Z' } });
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.containerID, `containerd://${c.id}`);
    assert.equal(cs.imageID, 'sha256:abc');
    assert.equal(cs.image, 'img:1');
    assert.equal(s.podIP, '10.88.0.5');
    assert.deepEqual(s.podIPs, [{ ip: '10.88.0.5' }]);
    assert.equal(s.hostIP, '192.168.1.2');
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) assert.equal(condition(s, t), 'True', t);
  });

  it('readiness probe not yet passed: not ready, with the upstream reason and message', () => {
    const c = ctr('app', 'CONTAINER_RUNNING');
    const p = pod({ containers: [{ name: 'app', image: 'img:1', readinessProbe: { exec: { command: ['true'] } } }] });
    const s = computePodStatus(input(p, [c]));
    assert.equal(s.containerStatuses![0]!.ready, false);
    const ready = s.conditions!.find((x) => x.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'ContainersNotReady');
    assert.equal(ready.message, 'containers with unready status: [app]');
    const passed = computePodStatus(input(p, [c], { readiness: new Map([[c.id, true]]) }));
    assert.equal(condition(passed, 'Ready'), 'True');
  });

  it('startup probe gates started and ready', () => {
    const c = ctr('app', 'CONTAINER_RUNNING');
    const p = pod({ containers: [{ name: 'app', image: 'img:1', startupProbe: { exec: { command: ['true'] } } }] });
    const s = computePodStatus(input(p, [c]));
    assert.equal(s.containerStatuses![0]!.started, false);
    assert.equal(s.containerStatuses![0]!.ready, false);
  });

  it('restart: state from the newest, lastState from the previous, restartCount from the annotation', () => {
    const old = ctr('app', 'CONTAINER_EXITED', { exitCode: 137, reason: 'OOMKilled' });
    const cur = ctr('app', 'CONTAINER_RUNNING', { restartCount: 1 });
    const s = computePodStatus(input(pod(), [old, cur]));
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.restartCount, 1);
    assert.ok(cs.state?.running);
    assert.equal(cs.lastState?.terminated?.reason, 'OOMKilled');
    assert.equal(cs.lastState?.terminated?.exitCode, 137);
  });

  it('image and imageID are what the runtime resolved; the spec image until a container exists', () => {
    const p = pod({ containers: [{ name: 'app', image: 'busybox:1.36' }, { name: 'new', image: 'busybox:1.36' }] });
    const c = ctr('app', 'CONTAINER_RUNNING', { image: 'docker.io/library/busybox:1.36', imageRef: 'docker.io/library/busybox@sha256:d1' });
    const [app, fresh] = computePodStatus(input(p, [c])).containerStatuses!;
    assert.equal(app!.image, 'docker.io/library/busybox:1.36');
    assert.equal(app!.imageID, 'docker.io/library/busybox@sha256:d1');
    assert.equal(fresh!.image, 'busybox:1.36');
    assert.equal(fresh!.imageID, '');
  });

  it('CrashLoopBackOff: waiting with the last termination', () => {
    const c = ctr('app', 'CONTAINER_EXITED', { exitCode: 1, reason: 'Error', restartCount: 3 });
    const s = computePodStatus(input(pod(), [c], { waiting: { app: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u1)' } } }));
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.restartCount, 3);
    assert.equal(cs.ready, false);
  });

  it('init containers: pending ones block Initialized with the upstream message; regular ones wait PodInitializing', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] });
    const s = computePodStatus(input(p, [ctr('i1', 'CONTAINER_EXITED', { type: 'init' })]));
    const init = s.conditions!.find((c) => c.type === 'Initialized')!;
    assert.equal(init.status, 'False');
    assert.equal(init.message, 'containers with incomplete status: [i2]');
    assert.equal(s.initContainerStatuses![0]!.ready, true);
    assert.equal(s.initContainerStatuses![1]!.state?.waiting?.reason, 'PodInitializing');
    assert.equal(s.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
  });

  it('Succeeded pod: Ready False with reason PodCompleted; no sandbox keeps the old pod IP', () => {
    const p = pod({ restartPolicy: 'Never' }, { phase: 'Running', podIP: '10.88.0.9' });
    const s = computePodStatus({ ...input(p, [ctr('app', 'CONTAINER_EXITED')]), runtime: { sandboxes: [sandbox(false)], containers: [ctr('app', 'CONTAINER_EXITED')] } });
    assert.equal(s.phase, 'Succeeded');
    const ready = s.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'PodCompleted');
    assert.equal(s.podIP, '10.88.0.9');
    assert.equal(condition(s, 'PodReadyToStartContainers'), 'False');
  });

  it('lastTransitionTime stays when a condition keeps its status', () => {
    const p = pod({}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' }] });
    const s = computePodStatus(input(p, [ctr('app', 'CONTAINER_RUNNING')]));
    assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2020-01-01T00:00:00Z');
    assert.equal(s.conditions!.find((c) => c.type === 'ContainersReady')!.lastTransitionTime, '2026-01-01T00:00:10Z');
  });

  it('readiness gates: Ready waits for the gate condition', () => {
    const p = pod({ readinessGates: [{ conditionType: 'example.com/gate' }] });
    const s = computePodStatus(input(p, [ctr('app', 'CONTAINER_RUNNING')]));
    assert.equal(condition(s, 'ContainersReady'), 'True');
    assert.equal(condition(s, 'Ready'), 'False');
  });

  it('ephemeral containers: each reported in ephemeralContainerStatuses, never ready, counting for neither phase nor Ready', () => {
    const p = pod({ ephemeralContainers: [{ name: 'dbg', image: 'x', targetContainerName: 'app' }, { name: 'done', image: 'x' }, { name: 'new', image: 'x' }] });
    const s = computePodStatus(input(p, [ctr('app', 'CONTAINER_RUNNING'), ctr('dbg', 'CONTAINER_RUNNING'), ctr('done', 'CONTAINER_EXITED', { exitCode: 3, reason: 'Error' })], { waiting: { new: { reason: 'ErrImagePull', message: 'pull failed' } } }));
    assert.equal(s.phase, 'Running');
    assert.equal(condition(s, 'Ready'), 'True');
    assert.deepEqual(s.containerStatuses!.map((c) => c.name), ['app']);
    const [dbg, done, fresh] = s.ephemeralContainerStatuses!;
    assert.ok(dbg!.state?.running);
    assert.equal(dbg!.ready, false);
    assert.equal(done!.state?.terminated?.exitCode, 3);
    assert.deepEqual(fresh!.state, { waiting: { reason: 'ErrImagePull', message: 'pull failed' } });
    assert.equal(computePodStatus(input(pod(), [ctr('app', 'CONTAINER_RUNNING')])).ephemeralContainerStatuses, undefined);
  });
});
