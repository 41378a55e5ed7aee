/**
 * Upstream's [sig-node] Container Runtime restart-policy test (test/e2e/common/node/runtime.go) and
 * InitContainer conformance tests (init_container.go), declared into the describe of
 * conformance-node-pods.test.ts so they share its node and namespace.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import {
  createAndWatchUntil, isRunningReady, SLEEP_FOREVER, uniqueName, waitForPod, type NodeConformance,
} from './conformance-node-harness.js';
import { condition, ctr, gone, podOf } from './conformance-node-pods-harness.js';

/** Declares the runtime.go and init_container.go tests in the caller's describe; `ctx` is read once its node has started. */
export function initContainerConformanceTests(ctx: () => NodeConformance): void {
  // runtime.go
  it('[sig-node] Container Runtime blackbox test when starting a container that exits should run with the expected status [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    // It fails at the 1st run, succeeds at the 2nd, then runs for ever (the count kept in a memory emptyDir).
    const script = 'f=/restart-count/restartCount\ncount=$(echo \'hello\' >> $f ; wc -l $f | awk {\'print $1\'})\nif [ $count -eq 1 ]; then\n\texit 1\nfi\nif [ $count -eq 2 ]; then\n\texit 0\nfi\nwhile true; do sleep 1; done\n';
    const cases = [
      { name: 'terminate-cmd-rpa', restartPolicy: 'Always', phase: 'Running', state: 'running', restartCount: 2, ready: true },
      { name: 'terminate-cmd-rpof', restartPolicy: 'OnFailure', phase: 'Succeeded', state: 'terminated', restartCount: 1, ready: false },
      { name: 'terminate-cmd-rpn', restartPolicy: 'Never', phase: 'Failed', state: 'terminated', restartCount: 0, ready: false },
    ] as const;
    await Promise.all(cases.map(async (tc) => {
      const name = uniqueName(tc.name);
      await c.client.pods(c.ns).create(podOf(name, {
        restartPolicy: tc.restartPolicy, volumes: [{ name: 'restart-count', emptyDir: { medium: 'Memory' } }],
        containers: [ctr(tc.name, ['sh', '-c', script], { volumeMounts: [{ name: 'restart-count', mountPath: '/restart-count' }] })],
      }));
      await waitForPod(c, name, `restartCount ${tc.restartCount}`, (p) => p.status?.containerStatuses?.[0]?.restartCount === tc.restartCount);
      const p = await waitForPod(c, name, `phase ${tc.phase}`, (p) => p.status?.phase === tc.phase && (tc.phase !== 'Running' || isRunningReady(p)) && p);
      assert.equal(condition(p, 'Ready')?.status === 'True', tc.ready);
      const st = p.status!.containerStatuses![0]!;
      assert.equal(st.restartCount, tc.restartCount);
      assert.ok(st.state?.[tc.state], `${tc.name}: state ${tc.state}: ${JSON.stringify(st.state)}`);
      await c.client.pods(c.ns).delete(name);
      await gone(c, name);
    }));
  });

  // init_container.go: the containerInitInvariant of every observed state (init containers in
  // order, each done before the next starts; no app container before all of them succeeded).
  const checkInitInvariant = (seen: Pod[]) => {
    for (const p of seen) {
      const inits = p.status?.initContainerStatuses ?? [];
      const appStarted = (p.status?.containerStatuses ?? []).some((s) => s.state?.running || s.state?.terminated);
      if (appStarted) for (const s of inits) assert.equal(s.state?.terminated?.exitCode, 0, `app container started before init ${s.name} succeeded`);
      inits.forEach((s, i) => {
        if (i > 0 && (s.state?.running || s.state?.terminated)) assert.equal(inits[i - 1]!.state?.terminated?.exitCode, 0, `init ${s.name} started before ${inits[i - 1]!.name} succeeded`);
      });
    }
  };
  // Both invoke-init-containers tests: the invariant held throughout, and at the end the pod is
  // Initialized with its two init containers ready and exited 0.
  const expectInitsSucceeded = (pod: Pod, seen: Pod[]) => {
    checkInitInvariant(seen);
    assert.equal(condition(pod, 'Initialized')?.status, 'True');
    assert.equal(pod.status!.initContainerStatuses!.length, 2);
    for (const s of pod.status!.initContainerStatuses!) {
      assert.ok(s.ready, `init container ${s.name} should be in Ready status`);
      assert.equal(s.state?.terminated?.exitCode, 0);
    }
  };
  const initPod = (restartPolicy: 'Never' | 'Always', init1: string, init2: string, run1: string[]) => podOf(uniqueName('pod-init'), {
    restartPolicy, initContainers: [ctr('init1', [init1]), ctr('init2', [init2])], containers: [ctr('run1', run1)],
  }, { name: 'foo', time: String(Date.now()) });

  it('[sig-node] InitContainer [NodeConformance] should invoke init containers on a RestartNever pod [Conformance]', async () => {
    const c = ctx();
    const { pod, seen } = await createAndWatchUntil(c, initPod('Never', '/bin/true', '/bin/true', ['/bin/true']), [(p) => p.status?.phase === 'Succeeded']);
    expectInitsSucceeded(pod, seen);
  });

  it('[sig-node] InitContainer [NodeConformance] should invoke init containers on a RestartAlways pod [Conformance]', async () => {
    const c = ctx();
    const { pod, seen } = await createAndWatchUntil(c, initPod('Always', '/bin/true', '/bin/true', SLEEP_FOREVER), [(p) => p.status?.phase === 'Running']);
    expectInitsSucceeded(pod, seen);
    await c.client.pods(c.ns).delete(pod.metadata.name!);
  });

  it('[sig-node] InitContainer [NodeConformance] should not start app containers if init containers fail on a RestartAlways pod [Conformance]', async () => {
    const c = ctx();
    const waitingInitializing = (p: Pod) => {
      for (const s of p.status?.containerStatuses ?? []) assert.equal(s.state?.waiting?.reason, 'PodInitializing', `container ${s.name} should wait with PodInitializing: ${JSON.stringify(s.state)}`);
      const inits = p.status?.initContainerStatuses ?? [];
      if (inits.length !== 2) return false;
      assert.equal(inits[1]!.state?.waiting?.reason, 'PodInitializing', `second init container: ${JSON.stringify(inits[1]!.state)}`);
      assert.ok(!(inits[0]!.state?.terminated?.exitCode === 0), 'first init container should have exitCode != 0');
      return true;
    };
    const { pod, seen } = await createAndWatchUntil(c, initPod('Always', '/bin/false', '/bin/true', SLEEP_FOREVER), [
      (p) => waitingInitializing(p) && !!p.status!.initContainerStatuses![0]!.lastState?.terminated,
      // Upstream "verify we get two restarts" (it waits for a count of 3: the kubelet's back-off of 10 s
      // then 20 s would add 20 s to this file for the third).
      (p) => waitingInitializing(p) && p.status!.initContainerStatuses![0]!.restartCount! >= 2,
    ]);
    checkInitInvariant(seen);
    assert.equal(pod.status?.phase, 'Pending');
    const init = condition(pod, 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.reason, 'ContainersNotInitialized');
    assert.equal(init?.message, 'containers with incomplete status: [init1 init2]');
    assert.equal(pod.status!.initContainerStatuses!.length, 2);
    await c.client.pods(c.ns).delete(pod.metadata.name!);
  });

  it('[sig-node] InitContainer [NodeConformance] should not start app containers and fail the pod if init containers fail on a RestartNever pod [Conformance]', async () => {
    const c = ctx();
    const { pod, seen } = await createAndWatchUntil(c, initPod('Never', '/bin/true', '/bin/false', ['/bin/true']), [(p) => {
      for (const s of p.status?.containerStatuses ?? []) assert.equal(s.state?.waiting?.reason, 'PodInitializing', `app container ${s.name} started: ${JSON.stringify(s.state)}`);
      const inits = p.status?.initContainerStatuses ?? [];
      if (inits.length !== 2 || !inits[1]!.state?.terminated) return false;
      assert.equal(inits[0]!.state?.terminated?.exitCode, 0, 'first init container should have exitCode 0');
      assert.notEqual(inits[1]!.state!.terminated!.exitCode, 0, 'second init container should have a non-zero exit code');
      return p.status?.phase === 'Failed';
    }]);
    checkInitInvariant(seen);
    assert.equal(pod.status?.phase, 'Failed');
    const init = condition(pod, 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.reason, 'ContainersNotInitialized');
    assert.equal(init?.message, 'containers with incomplete status: [init2]');
  });
}
