import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from '../../api/kinds/index.js';
import type { RuntimeContainer } from '../runtime/pod-state.js';
import { containerFixtures, fixtureSandbox, FIXTURE_T0 } from '../testing/runtime-fixtures.js';
import { Backoff } from './backoff.js';
import { containerHash } from './container-config.js';
import { computePodActions, type PodAction } from './pod-actions.js';

/**
 * The pure half of a running pod's sync, table-tested against upstream kubelet's
 * computePodActions (pkg/kubelet/kuberuntime/kuberuntime_manager.go) and
 * computeInitContainerActions (kuberuntime_container.go): init containers one at a time, sidecars
 * started in init order and kept running, restartPolicy, CrashLoopBackOff, liveness/startup kills.
 */

const NOW = FIXTURE_T0.getTime() + 10_000; // fixture containers exit at T0 + 5 s
const APP: Container = { name: 'app', image: 'img:1' };
const SIDECAR: Container = { name: 'proxy', image: 'img:1', restartPolicy: 'Always' };
const INIT1: Container = { name: 'i1', image: 'img:1' };
const INIT2: Container = { name: 'i2', image: 'img:1' };
const DEBUG = { name: 'dbg', image: 'img:1', targetContainerName: 'app' };

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, status: Pod['status'] = { phase: 'Pending' }): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [APP], ...spec }, status } as Pod;
}

/** One line per action, short enough to read a plan at a glance. */
function show(a: PodAction): string {
  switch (a.kind) {
    case 'start': return `start ${a.container.name} ${a.type} #${a.restartCount}${a.stopUnlessStarted ? ' (stop unless started)' : ''}`;
    case 'restart': return `restart ${a.container.name} ${a.type} #${a.restartCount} keep ${a.keepId}${a.resetBackoff ? ' (back-off reset)' : ''}`;
    case 'kill': return `kill ${a.running.id} grace ${a.graceSeconds}`;
    case 'killPod': return 'killPod';
    case 'remove': return `remove ${a.id}`;
    case 'removeSandbox': return `removeSandbox ${a.id}`;
    case 'event': return `event ${a.reason}: ${a.message}`;
    case 'waiting': return a.waiting ? `waiting ${a.name} ${a.waiting.reason}: ${a.waiting.message}` : `clear ${a.name}`;
    case 'wake': return `wake ${a.ms}`;
  }
}

interface Case {
  name: string;
  pod: Pod;
  containers: (c: ReturnType<typeof containerFixtures>) => RuntimeContainer[];
  liveness?: string[];
  startupFailed?: string[];
  startupPassed?: string[];
  /** Container names whose back-off had one retry recorded at NOW (10 s delay). */
  inBackoff?: string[];
  /** Retries recorded for each inBackoff name (default 1): 4 make the delay 80 s. */
  retries?: number;
  oldSandbox?: boolean;
  want: string[];
}

const isInit = (n: string) => n !== 'app';

const cases: Case[] = [
  { name: 'a new pod starts every regular container', pod: pod({ containers: [APP, { name: 'b', image: 'img:1' }] }), containers: () => [], want: ['start app regular #0', 'start b regular #0'] },
  { name: 'init containers run one at a time: only the first starts', pod: pod({ initContainers: [INIT1, INIT2] }), containers: () => [], want: ['start i1 init #0'] },
  { name: 'a running init container is waited for', pod: pod({ initContainers: [INIT1, INIT2] }), containers: (c) => [c('i1', 'CONTAINER_RUNNING')], want: [] },
  { name: 'the next init container starts once the previous one succeeded', pod: pod({ initContainers: [INIT1, INIT2] }), containers: (c) => [c('i1', 'CONTAINER_EXITED')], want: ['start i2 init #0'] },
  { name: 'a failed init container with restartPolicy Never fails the pod: nothing more runs', pod: pod({ initContainers: [INIT1], restartPolicy: 'Never' }), containers: (c) => [c('i1', 'CONTAINER_EXITED', { exitCode: 1 })], want: [] },
  { name: 'a failed init container restarts (Always) when not backing off', pod: pod({ initContainers: [INIT1, INIT2] }), containers: (c) => [c('i1', 'CONTAINER_EXITED', { exitCode: 1 })], want: ['restart i1 init #1 keep c1'] },
  {
    name: 'a failed init container in back-off waits in CrashLoopBackOff', pod: pod({ initContainers: [INIT1] }), inBackoff: ['i1'],
    containers: (c) => [c('i1', 'CONTAINER_EXITED', { exitCode: 1 })],
    want: ['waiting i1 CrashLoopBackOff: back-off 10s restarting failed container=i1 pod=p_default(u1)', 'event BackOff: Back-off restarting failed container i1 in pod p_default(u1)', 'wake 5050'],
  },
  {
    // kuberuntime doBackOff prints backOff.Get(key), a Go time.Duration: "1m20s", not "80s".
    name: 'the CrashLoopBackOff message gives the delay as Go prints a duration', pod: pod(), inBackoff: ['app'], retries: 4,
    containers: (c) => [c('app', 'CONTAINER_EXITED', { exitCode: 1 })],
    want: ['waiting app CrashLoopBackOff: back-off 1m20s restarting failed container=app pod=p_default(u1)', 'event BackOff: Back-off restarting failed container app in pod p_default(u1)', 'wake 75050'],
  },
  { name: 'an init container created but never started is removed and the sync runs again', pod: pod({ initContainers: [INIT1] }), containers: (c) => [c('i1', 'CONTAINER_CREATED')], want: ['remove c1', 'wake 0'] },
  {
    name: 'a running container failing liveness is killed with the pod grace period', pod: pod({ terminationGracePeriodSeconds: 7 }), liveness: ['c1'],
    containers: (c) => [c('app', 'CONTAINER_RUNNING')], want: ['clear app', 'event Killing: Container app failed liveness probe, will be restarted', 'kill c1 grace 7', 'wake 0'],
  },
  {
    name: 'a running container failing its startup probe is killed', pod: pod(), startupFailed: ['c1'],
    containers: (c) => [c('app', 'CONTAINER_RUNNING')], want: ['clear app', 'event Killing: Container app failed startup probe, will be restarted', 'kill c1 grace 30', 'wake 0'],
  },
  {
    name: 'a running container made from another spec is killed', pod: pod(),
    containers: (c) => [c('app', 'CONTAINER_RUNNING', { specHash: 'other' })], want: ['clear app', 'event Killing: Container app definition changed, will be restarted', 'kill c1 grace 30', 'wake 0'],
  },
  { name: 'a running container of the current spec is left alone', pod: pod(), containers: (c) => [c('app', 'CONTAINER_RUNNING', { specHash: containerHash(APP) })], want: ['clear app'] },
  { name: 'an exited container restarts (Always) and counts one more restart', pod: pod(), containers: (c) => [c('app', 'CONTAINER_EXITED', { restartCount: 2 })], want: ['restart app regular #3 keep c1'] },
  { name: 'OnFailure does not restart a container that succeeded', pod: pod({ containers: [APP, { name: 'b', image: 'img:1' }], restartPolicy: 'OnFailure' }), containers: (c) => [c('app', 'CONTAINER_EXITED'), c('b', 'CONTAINER_RUNNING')], want: ['clear app', 'clear b'] },
  {
    name: 'a container that ran 10 minutes restarts at once, its back-off forgotten', pod: pod(), inBackoff: ['app'],
    containers: (c) => [c('app', 'CONTAINER_EXITED', { exitCode: 1, startedAt: new Date(FIXTURE_T0.getTime() - 600_000) })], want: ['restart app regular #1 keep c1 (back-off reset)'],
  },
  { name: 'the restart count continues from the status when the runtime lost the container', pod: pod({}, { phase: 'Running', containerStatuses: [{ name: 'app', containerID: 'containerd://gone', restartCount: 3 } as never] }), containers: () => [], want: ['start app regular #4'] },
  {
    name: 'a sidecar without a startup probe starts, and the next init container in the same pass if it did', pod: pod({ initContainers: [SIDECAR, INIT1] }),
    containers: () => [], want: ['start proxy init #0 (stop unless started)', 'start i1 init #0'],
  },
  {
    name: 'a sidecar with a startup probe holds the init sequence until the probe passed', pod: pod({ initContainers: [{ ...SIDECAR, startupProbe: { exec: { command: ['true'] } } }, INIT1] }),
    containers: () => [], want: ['start proxy init #0'],
  },
  {
    name: 'a running sidecar whose startup probe passed lets the init sequence go on', pod: pod({ initContainers: [{ ...SIDECAR, startupProbe: { exec: { command: ['true'] } } }, INIT1] }), startupPassed: ['c1'],
    containers: (c) => [c('proxy', 'CONTAINER_RUNNING')], want: ['clear proxy', 'start i1 init #0'],
  },
  {
    name: 'an exited sidecar restarts whatever the restartPolicy while a regular container runs', pod: pod({ initContainers: [SIDECAR], restartPolicy: 'Never' }),
    containers: (c) => [c('proxy', 'CONTAINER_EXITED'), c('app', 'CONTAINER_RUNNING')], want: ['restart proxy init #1 keep c1', 'clear app'],
  },
  {
    name: 'a sidecar failing liveness is killed', pod: pod({ initContainers: [SIDECAR] }), liveness: ['c1'],
    containers: (c) => [c('proxy', 'CONTAINER_RUNNING'), c('app', 'CONTAINER_RUNNING')],
    want: ['clear proxy', 'event Killing: Init container proxy failed liveness probe', 'kill c1 grace 30', 'wake 0', 'clear app'],
  },
  {
    name: 'once every regular container finished for good the running sidecars stop with the pod', pod: pod({ initContainers: [SIDECAR], restartPolicy: 'Never' }),
    containers: (c) => [c('proxy', 'CONTAINER_RUNNING'), c('app', 'CONTAINER_EXITED')], want: ['clear proxy', 'clear app', 'killPod'],
  },
  { name: 'sandboxes of earlier attempts go once everything was looked at', pod: pod(), oldSandbox: true, containers: (c) => [c('app', 'CONTAINER_RUNNING', { specHash: containerHash(APP) })], want: ['clear app', 'removeSandbox sb0'] },
  // Ephemeral containers, as kubelet's computePodActions (EphemeralContainersToStart: those without a
  // status of their name) and SyncPod step 5 (before the init containers).
  {
    name: 'a new ephemeral container starts once, before an init container that is still running', pod: pod({ initContainers: [INIT1], ephemeralContainers: [DEBUG] }),
    containers: (c) => [c('i1', 'CONTAINER_RUNNING')], want: ['start dbg ephemeral #0'],
  },
  {
    name: 'an ephemeral container that exited is never restarted, whatever the restartPolicy', pod: pod({ ephemeralContainers: [DEBUG] }),
    containers: (c) => [c('app', 'CONTAINER_RUNNING', { specHash: containerHash(APP) }), c('dbg', 'CONTAINER_EXITED', { exitCode: 1 })], want: ['clear app'],
  },
  {
    name: 'no ephemeral container starts in a pod whose containers finished for good', pod: pod({ restartPolicy: 'Never', ephemeralContainers: [DEBUG] }),
    containers: (c) => [c('app', 'CONTAINER_EXITED')], want: ['clear app'],
  },
];

describe('computePodActions (kubelet computePodActions)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const backoff = new Backoff(10_000, 300_000, () => NOW);
      for (const n of c.inBackoff ?? []) for (let k = 0; k < (c.retries ?? 1); k++) backoff.next(`u1/${n}`);
      const ids = (xs: string[] = []) => new Map(xs.map((id) => [id, 'probe failed']));
      const liveness = ids(c.liveness), startupFailed = ids(c.startupFailed);
      const containers = c.containers(containerFixtures((n) => (isInit(n) ? 'init' : 'regular'))).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      const old = { ...fixtureSandbox(false), id: 'sb0' };
      const state = { uid: 'u1', sandboxes: c.oldSandbox ? [fixtureSandbox(), old] : [fixtureSandbox()], containers };
      const plan = computePodActions({
        pod: c.pod, state, sandboxId: 'sb1', now: NOW, backoff,
        probes: { livenessFailure: (id) => liveness.get(id), startupFailure: (id) => startupFailed.get(id), startup: new Map((c.startupPassed ?? []).map((id) => [id, true])) },
      });
      assert.deepEqual(plan.map(show), c.want);
    });
  }
});
