import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodCondition } from '../../api/kinds/index.js';
import type { RuntimeContainer } from '../runtime/pod-state.js';
import { computePodStatus, type StatusInput } from './compute-status.js';
import { containerFixtures, fixtureSandbox } from '../testing/runtime-fixtures.js';

/**
 * Condition reasons and messages, default waiting reasons, the phase of containers waiting to
 * restart, and containerStatuses[].volumeMounts, as 1.32's kubelet writes them: status/generate.go
 * (GeneratePodInitializedCondition, GenerateContainersReadyCondition, GeneratePodReadyCondition),
 * kubelet_pods.go (getPhase, convertToAPIContainerStatuses).
 */

const now = new Date('2026-01-01T00:00:10Z');
const ctr = containerFixtures((n) => (n.startsWith('i') ? 'init' : 'regular'));

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, status: Pod['status'] = { phase: 'Pending' }): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'app', image: 'img:1' }], ...spec }, status,
  } as Pod;
}

function status(p: Pod, containers: RuntimeContainer[], extra: Partial<StatusInput> = {}) {
  return computePodStatus({
    pod: p, runtime: { sandboxes: [fixtureSandbox()], containers: [...containers].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) },
    readiness: new Map(), startup: new Map(), waiting: {}, hostIP: '192.168.1.2', now, ...extra,
  });
}

/** A condition without its lastTransitionTime: type, status, and reason/message when set. */
function show(s: ReturnType<typeof computePodStatus>, type: string): Omit<PodCondition, 'lastTransitionTime'> | undefined {
  const c = s.conditions?.find((x) => x.type === type);
  if (!c) return undefined;
  const { lastTransitionTime: _t, ...rest } = c;
  return rest;
}

const gate = (conditionType: string) => ({ conditionType });
const NEVER = { restartPolicy: 'Never' as const };

describe('pod conditions as status/generate.go words them', () => {
  const cases: {
    name: string; pod: Pod; containers: () => RuntimeContainer[]; waiting?: StatusInput['waiting'];
    want: Record<string, Omit<PodCondition, 'lastTransitionTime'>>;
  }[] = [
    {
      name: 'Failed pod: Ready and ContainersReady False with reason PodFailed and no message',
      pod: pod(NEVER), containers: () => [ctr('app', 'CONTAINER_EXITED', { exitCode: 1, reason: 'Error' })],
      want: {
        Ready: { type: 'Ready', status: 'False', reason: 'PodFailed' },
        ContainersReady: { type: 'ContainersReady', status: 'False', reason: 'PodFailed' },
        Initialized: { type: 'Initialized', status: 'True' },
      },
    },
    {
      name: 'Succeeded pod: Initialized True with reason PodCompleted, Ready False PodCompleted',
      pod: pod(NEVER), containers: () => [ctr('app', 'CONTAINER_EXITED')],
      want: {
        Initialized: { type: 'Initialized', status: 'True', reason: 'PodCompleted' },
        Ready: { type: 'Ready', status: 'False', reason: 'PodCompleted' },
        ContainersReady: { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' },
      },
    },
    {
      name: 'Succeeded pod with init containers: Initialized PodCompleted too',
      pod: pod({ ...NEVER, initContainers: [{ name: 'i1', image: 'img:1' }] }),
      containers: () => [ctr('i1', 'CONTAINER_EXITED'), ctr('app', 'CONTAINER_EXITED')],
      want: { Initialized: { type: 'Initialized', status: 'True', reason: 'PodCompleted' } },
    },
    {
      name: 'running pod: every condition True, without reason or message',
      pod: pod(), containers: () => [ctr('app', 'CONTAINER_RUNNING')],
      want: { Initialized: { type: 'Initialized', status: 'True' }, Ready: { type: 'Ready', status: 'True' }, ContainersReady: { type: 'ContainersReady', status: 'True' } },
    },
    {
      name: 'readiness gates: each gate not True is named, absent and False ones worded apart, joined by ", "',
      pod: pod({ readinessGates: [gate('a.io/missing'), gate('a.io/ok'), gate('a.io/off')] }, {
        phase: 'Running',
        conditions: [{ type: 'a.io/ok', status: 'True' }, { type: 'a.io/off', status: 'False' }],
      }),
      containers: () => [ctr('app', 'CONTAINER_RUNNING')],
      want: {
        Ready: {
          type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady',
          message: 'corresponding condition of pod readiness gate "a.io/missing" does not exist., the status of pod readiness gate "a.io/off" is not "True", but False',
        },
        ContainersReady: { type: 'ContainersReady', status: 'True' },
      },
    },
    {
      name: 'readiness gates all True: Ready',
      pod: pod({ readinessGates: [gate('a.io/ok')] }, { phase: 'Running', conditions: [{ type: 'a.io/ok', status: 'True' }] }),
      containers: () => [ctr('app', 'CONTAINER_RUNNING')],
      want: { Ready: { type: 'Ready', status: 'True' } },
    },
    {
      name: 'unready containers take precedence over the gates: Ready copies ContainersReady',
      pod: pod({ readinessGates: [gate('a.io/missing')], containers: [{ name: 'app', image: 'img:1', readinessProbe: { exec: { command: ['true'] } } }] }),
      containers: () => [ctr('app', 'CONTAINER_RUNNING')],
      want: { Ready: { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = status(c.pod, c.containers(), { waiting: c.waiting ?? {} });
      for (const [type, want] of Object.entries(c.want)) assert.deepEqual(show(s, type), want, type);
    });
  }
});

describe('container statuses as convertToAPIContainerStatuses writes them', () => {
  it('a pod with init containers shows PodInitializing for containers not yet created, also once its init containers are done', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'img:1' }] });
    const s = status(p, [ctr('i1', 'CONTAINER_EXITED')]);
    assert.equal(show(s, 'Initialized')?.status, 'True');
    assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'PodInitializing' } });
    // Without init containers: ContainerCreating.
    assert.deepEqual(status(pod(), []).containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
  });

  it('a container waiting to restart after exit 0 counts as stopped, not succeeded (getPhase): a terminating pod is Failed', () => {
    const p = pod({ containers: [{ name: 'app', image: 'img:1' }, { name: 'b', image: 'img:1' }] });
    const cs = () => [ctr('app', 'CONTAINER_EXITED'), ctr('b', 'CONTAINER_EXITED')];
    const s = status(p, cs(), { terminating: true, waiting: { app: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } } });
    assert.equal(s.phase, 'Failed');
    assert.equal(status(p, cs(), { terminating: true }).phase, 'Succeeded', 'both terminated with 0, none waiting');
  });

  it('containerStatuses and ephemeralContainerStatuses are sorted by name (SortedContainerStatuses), init containers keep spec order', () => {
    const p = pod({
      initContainers: [{ name: 'i2', image: 'img:1' }, { name: 'i1', image: 'img:1' }],
      containers: [{ name: 'web', image: 'img:1' }, { name: 'app', image: 'img:1' }, { name: 'b-2', image: 'img:1' }],
      ephemeralContainers: [{ name: 'zz', image: 'img:1' }, { name: 'dbg', image: 'img:1' }],
    });
    const s = status(p, []);
    assert.deepEqual(s.containerStatuses!.map((c) => c.name), ['app', 'b-2', 'web']);
    assert.deepEqual(s.ephemeralContainerStatuses!.map((c) => c.name), ['dbg', 'zz']);
    assert.deepEqual(s.initContainerStatuses!.map((c) => c.name), ['i2', 'i1']);
    // The unready list in the conditions still follows the spec.
    assert.equal(show(s, 'ContainersReady')?.message, 'containers with unready status: [web app b-2]');
  });

  it('the pod reason and message stay while the phase holds and go when it changes (generateAPIPodStatus)', () => {
    const p = pod({ restartPolicy: 'Never' }, { phase: 'Running', reason: 'Custom', message: 'set by an operator' });
    const running = status(p, [ctr('app', 'CONTAINER_RUNNING')]);
    assert.deepEqual([running.phase, running.reason, running.message], ['Running', 'Custom', 'set by an operator']);
    const done = status(p, [ctr('app', 'CONTAINER_EXITED')]);
    assert.deepEqual([done.phase, done.reason, done.message], ['Succeeded', undefined, undefined]);
  });

  it('volumeMounts: name and path of each mount; read-only ones with recursiveReadOnly Disabled (RecursiveReadOnlyMounts, on in 1.32)', () => {
    const p = pod({
      initContainers: [{ name: 'i1', image: 'img:1', volumeMounts: [{ name: 'v', mountPath: '/init' }] }],
      containers: [
        { name: 'app', image: 'img:1', volumeMounts: [{ name: 'v', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true, recursiveReadOnly: 'IfPossible' }] },
        { name: 'b', image: 'img:1' },
      ],
    });
    const s = status(p, [ctr('i1', 'CONTAINER_EXITED'), ctr('app', 'CONTAINER_RUNNING')]);
    assert.deepEqual(s.containerStatuses![0]!.volumeMounts, [
      { name: 'v', mountPath: '/data' },
      { name: 'cfg', mountPath: '/etc/cfg', readOnly: true, recursiveReadOnly: 'Disabled' },
    ]);
    assert.equal(s.containerStatuses![1]!.volumeMounts, undefined, 'no mounts, no field');
    assert.deepEqual(s.initContainerStatuses![0]!.volumeMounts, [{ name: 'v', mountPath: '/init' }]);
  });
});
