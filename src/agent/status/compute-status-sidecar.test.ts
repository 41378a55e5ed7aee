import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from '../../api/kinds/index.js';
import type { RuntimeContainer } from '../runtime/pod-state.js';
import { computePodStatus, type StatusInput } from './compute-status.js';
import { containerFixtures, fixtureSandbox } from '../testing/runtime-fixtures.js';

/**
 * Pod status with sidecars (restartable init containers), against upstream kubelet: getPhase in
 * pkg/kubelet/kubelet_pods.go, GeneratePodInitializedCondition / GenerateContainersReadyCondition
 * in pkg/kubelet/status/generate.go.
 */

const now = new Date('2026-01-01T00:00:10Z');
const SIDECAR: Container = { name: 'proxy', image: 'img:1', restartPolicy: 'Always' };

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, status: Pod['status'] = { phase: 'Pending' }): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { initContainers: [SIDECAR], containers: [{ name: 'app', image: 'img:1' }], ...spec }, status,
  } as Pod;
}

const sandbox = fixtureSandbox();

const ctr = containerFixtures((name) => (name === 'app' || name === 'b' ? 'regular' : 'init'));

function status(p: Pod, containers: RuntimeContainer[], extra: Partial<StatusInput> = {}) {
  return computePodStatus({
    pod: p, runtime: { sandboxes: [sandbox], containers: [...containers].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) },
    readiness: new Map(), startup: new Map(), waiting: {}, hostIP: '192.168.1.2', now, ...extra,
  });
}

const cond = (s: ReturnType<typeof computePodStatus>, type: string) => s.conditions?.find((c) => c.type === type);

describe('computePodStatus with sidecars: phase (kubelet getPhase)', () => {
  const probed: Container = { ...SIDECAR, startupProbe: { exec: { command: ['true'] } } };
  const cases: {
    name: string; spec?: Partial<NonNullable<Pod['spec']>>; containers: () => RuntimeContainer[];
    startup?: (cs: RuntimeContainer[]) => Map<string, boolean>; waiting?: StatusInput['waiting']; terminating?: boolean; want: string;
  }[] = [
    { name: 'nothing created yet', containers: () => [], want: 'Pending' },
    { name: 'sidecar running, app not yet created', containers: () => [ctr('proxy', 'CONTAINER_RUNNING')], want: 'Pending' },
    { name: 'sidecar and app running', containers: () => [ctr('proxy', 'CONTAINER_RUNNING'), ctr('app', 'CONTAINER_RUNNING')], want: 'Running' },
    {
      name: 'sidecar waiting on its startup probe keeps Pending', spec: { initContainers: [probed] },
      containers: () => [ctr('proxy', 'CONTAINER_RUNNING')], want: 'Pending',
    },
    {
      name: 'Never: app exited 0 while the sidecar still runs is Running (kubelet then stops the sidecar)',
      spec: { restartPolicy: 'Never' }, containers: () => [ctr('proxy', 'CONTAINER_RUNNING'), ctr('app', 'CONTAINER_EXITED')], want: 'Running',
    },
    {
      name: 'Never: app exited 0, sidecar stopped (143): Succeeded, the sidecar exit code does not count',
      spec: { restartPolicy: 'Never' },
      containers: () => [ctr('proxy', 'CONTAINER_EXITED', { exitCode: 143, reason: 'Error' }), ctr('app', 'CONTAINER_EXITED')], want: 'Succeeded',
    },
    {
      name: 'Never: app exited 1, sidecar stopped: Failed', spec: { restartPolicy: 'Never' },
      containers: () => [ctr('proxy', 'CONTAINER_EXITED', { exitCode: 143 }), ctr('app', 'CONTAINER_EXITED', { exitCode: 1, reason: 'Error' })], want: 'Failed',
    },
    {
      name: 'OnFailure: app exited 0, sidecar stopped: Succeeded', spec: { restartPolicy: 'OnFailure' },
      containers: () => [ctr('proxy', 'CONTAINER_EXITED', { exitCode: 137 }), ctr('app', 'CONTAINER_EXITED')], want: 'Succeeded',
    },
    {
      name: 'Never: a crashing sidecar before the app does not fail the pod', spec: { restartPolicy: 'Never' },
      containers: () => [ctr('proxy', 'CONTAINER_EXITED', { exitCode: 1, reason: 'Error' })],
      waiting: { proxy: { reason: 'CrashLoopBackOff' } }, want: 'Pending',
    },
    {
      name: 'sidecar in CrashLoopBackOff after initialization: the app keeps the pod Running',
      containers: () => [ctr('proxy', 'CONTAINER_EXITED', { exitCode: 1 }), ctr('app', 'CONTAINER_RUNNING')],
      waiting: { proxy: { reason: 'CrashLoopBackOff' } }, want: 'Running',
    },
    {
      name: 'terminating: everything stopped, app 143 -> Failed', terminating: true,
      containers: () => [ctr('proxy', 'CONTAINER_EXITED', { exitCode: 143 }), ctr('app', 'CONTAINER_EXITED', { exitCode: 143, reason: 'Error' })], want: 'Failed',
    },
    {
      name: 'regular init after the sidecar failed with Never: Failed',
      spec: { restartPolicy: 'Never', initContainers: [SIDECAR, { name: 'setup', image: 'img:1' }] },
      containers: () => [ctr('proxy', 'CONTAINER_RUNNING'), ctr('setup', 'CONTAINER_EXITED', { exitCode: 2, reason: 'Error' })], want: 'Failed',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const cs = c.containers();
      const s = status(pod(c.spec), cs, { waiting: c.waiting ?? {}, terminating: c.terminating, startup: c.startup?.(cs) ?? new Map() });
      assert.equal(s.phase, c.want);
    });
  }
});

describe('computePodStatus with sidecars: statuses and conditions (status/generate.go)', () => {
  it('a running sidecar is started and ready in initContainerStatuses; Initialized is True before the app runs', () => {
    const sc = ctr('proxy', 'CONTAINER_RUNNING');
    const s = status(pod(), [sc]);
    const ics = s.initContainerStatuses![0]!;
    assert.ok(ics.state?.running);
    assert.equal(ics.started, true);
    assert.equal(ics.ready, true);
    assert.equal(cond(s, 'Initialized')?.status, 'True');
    // convertToAPIContainerStatuses: any init container (sidecars too) makes the default waiting reason PodInitializing.
    assert.equal(s.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
  });

  it('Initialized waits for the sidecar startup probe, and for regular init containers to complete', () => {
    const p = pod({ initContainers: [{ ...SIDECAR, startupProbe: { exec: { command: ['true'] } } }, { name: 'setup', image: 'img:1' }] });
    const sc = ctr('proxy', 'CONTAINER_RUNNING');
    const before = status(p, [sc]);
    assert.equal(before.initContainerStatuses![0]!.started, false);
    assert.equal(cond(before, 'Initialized')?.status, 'False');
    assert.equal(cond(before, 'Initialized')?.message, 'containers with incomplete status: [proxy setup]');
    const started = status(p, [sc], { startup: new Map([[sc.id, true]]) });
    assert.equal(cond(started, 'Initialized')?.message, 'containers with incomplete status: [setup]');
    const done = status(p, [sc, ctr('setup', 'CONTAINER_EXITED')], { startup: new Map([[sc.id, true]]) });
    assert.equal(cond(done, 'Initialized')?.status, 'True');
    assert.equal(done.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
  });

  it('Ready and ContainersReady need the sidecar ready too (sidecars listed first)', () => {
    const p = pod({ initContainers: [{ ...SIDECAR, readinessProbe: { exec: { command: ['true'] } } }] });
    const sc = ctr('proxy', 'CONTAINER_RUNNING');
    const app = ctr('app', 'CONTAINER_RUNNING');
    const s = status(p, [sc, app]);
    assert.equal(s.initContainerStatuses![0]!.ready, false);
    assert.equal(cond(s, 'Ready')?.status, 'False');
    assert.equal(cond(s, 'ContainersReady')?.message, 'containers with unready status: [proxy]');
    const both = status(pod({ initContainers: [{ ...SIDECAR, readinessProbe: { exec: { command: ['true'] } } }], containers: [{ name: 'app', image: 'img:1', readinessProbe: { exec: { command: ['true'] } } }] }), [sc, app]);
    assert.equal(cond(both, 'Ready')?.message, 'containers with unready status: [proxy app]');
    const ok = status(p, [sc, app], { readiness: new Map([[sc.id, true]]) });
    assert.equal(cond(ok, 'Ready')?.status, 'True');
    assert.equal(cond(ok, 'ContainersReady')?.status, 'True');
  });

  it('a restarting sidecar after initialization: Initialized stays True, Ready turns False, exited sidecar is not ready', () => {
    const old = ctr('proxy', 'CONTAINER_EXITED', { exitCode: 0 });
    const app = ctr('app', 'CONTAINER_RUNNING');
    const s = status(pod(), [old, app], { waiting: { proxy: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } } });
    assert.equal(cond(s, 'Initialized')?.status, 'True');
    assert.equal(cond(s, 'Ready')?.status, 'False');
    const ics = s.initContainerStatuses![0]!;
    assert.equal(ics.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(ics.lastState?.terminated?.exitCode, 0);
    assert.equal(ics.ready, false);
    const exited = status(pod(), [ctr('proxy', 'CONTAINER_EXITED', { exitCode: 0 }), ctr('app', 'CONTAINER_RUNNING')]);
    assert.equal(exited.initContainerStatuses![0]!.ready, false, 'an exited sidecar is not ready even with exit code 0');
  });
});
