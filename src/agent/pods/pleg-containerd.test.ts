/**
 * The PLEG on a real private containerd (needs root, containerd/runc/CNI plugins and
 * scripts/build-test-images.sh run first): a container that exits on its own after a short sleep is
 * reported by the relists its exit event brings, not by the safety net. containerd publishes the
 * task's exit (and delete) before its CRI plugin records the exit, so the relist right after the
 * event often still lists the container running; the announced exit is re-checked until it shows.
 * The period is long here (60 s, a 600 s safety net), so within the test only event-driven relists
 * run. The delays are printed, not asserted: they depend on the host's load.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quietLogger } from '../../testing/quiet-logger.js';
import { LABEL_MANAGED, LABEL_POD_UID } from '../runtime/labels.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { removeCgroupTree } from '../testing/host-state.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from '../testing/private-containerd.js';
import { Pleg } from './pleg.js';

const RUNS = 3;
let tc: TestContainerd;

describe('Pleg on a private containerd', () => {
  before(async () => {
    tc = await startTestContainerd();
  });
  after(async () => {
    await tc?.teardown();
  });

  it('reports a container that exits after a short sleep by the relists its exit event brings', async (t) => {
    const uid = `${tc.prefix}-pleg`;
    const labels = { [LABEL_MANAGED]: 'true', [LABEL_POD_UID]: uid };
    const sc = {
      metadata: { name: 'pleg', namespace: 'default', uid, attempt: 0 }, hostname: 'pleg', labels,
      logDirectory: `${tc.dir}/logs/${uid}`, cgroupParent: `${tc.cgroupRoot}/pod${uid}`,
    };
    // What the event stream announced, and each relist's view of the pod, with their times.
    const exited: Array<{ id: string; at: number }> = [];
    const seen: Array<{ sig: string; at: number }> = [];
    const rt: ContainerRuntime = Object.create(tc.cri, {
      watchChanges: {
        value: (h: { change(exited?: string): void; ended(err: Error): void }) => tc.cri.watchChanges({
          change: (id) => {
            if (id) exited.push({ id, at: performance.now() });
            h.change(id);
          },
          ended: (err) => h.ended(err),
        }),
      },
    });
    const pleg = new Pleg(rt, 60_000, (changed) => {
      if (changed.includes(uid)) seen.push({ sig: pleg.signature(uid) ?? '', at: performance.now() });
    }, quietLogger);
    pleg.start();
    const sid = await tc.cri.runPodSandbox(sc);
    const delays: string[] = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const cid = await tc.cri.createContainer(sid, {
          metadata: { name: 'brief', attempt: run }, image: BUSYBOX_IMAGE, logPath: `brief/${run}.log`, labels,
          // Runs until the exec below, then sleeps a little and exits.
          command: ['sh', '-c', 'until [ -e /tmp/go ]; do sleep 0.05; done; sleep 0.3'],
        }, sc);
        await tc.cri.startContainer(cid);
        // An exec'd process exiting is not the container's exit.
        assert.equal((await tc.cri.execSync(cid, ['touch', '/tmp/go'], 10)).exitCode, 0);
        const exitedSig = `c:${cid}:CONTAINER_EXITED`;
        const deadline = performance.now() + 20_000;
        while (!seen.some((s) => s.sig.includes(exitedSig)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        const report = seen.find((s) => s.sig.includes(exitedSig));
        const announced = exited.find((e) => e.id === cid);
        assert.ok(announced, `the stream announced the exit of ${cid}: ${JSON.stringify(exited)}`);
        assert.ok(report, `a relist reported the container exited: ${JSON.stringify(seen)}`);
        assert.ok(announced.at < report.at, 'announced, then reported');
        const st = await tc.cri.containerStatus(cid);
        assert.deepEqual([st.state, st.exitCode, st.reason], ['CONTAINER_EXITED', 0, 'Completed']);
        const wall = performance.timeOrigin + report.at;
        delays.push(`run ${run}: exit event -> reported ${(report.at - announced.at).toFixed(0)} ms, finishedAt -> reported ${(wall - st.finishedAt!.getTime()).toFixed(0)} ms`);
      }
      assert.deepEqual(exited.filter((e) => e.id !== sid).map((e) => e.id).length, RUNS, 'one announced exit per container, none for the exec');
    } finally {
      await pleg.stop();
      await tc.cri.stopPodSandbox(sid);
      await tc.cri.removePodSandbox(sid);
      removeCgroupTree(sc.cgroupParent);
    }
    for (const d of delays) t.diagnostic(d);
  });
});
