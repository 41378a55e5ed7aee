import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import type { ExecSyncResult } from '../runtime/types.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { ProbeManager, type ProbeEvent } from './probe-manager.js';

/**
 * Probe workers on the fake runtime's exec: thresholds, startup gating, one report per failure, fixed
 * rate. Time is a FakeClock (`pass` moves it and lets the probes its timers started finish), so each
 * result is checked at the exact period it turns over.
 */
describe('ProbeManager', () => {
  const rt = new FakeRuntime({ images: ['img'] });
  after(() => rt.close());

  async function runningContainer(name: string): Promise<string> {
    const sc = { metadata: { name: `p-${name}`, namespace: 'd', uid: `u-${name}`, attempt: 0 } };
    const sb = await rt.runPodSandbox(sc);
    const id = await rt.createContainer(sb, { metadata: { name, attempt: 0 }, image: 'img' }, sc);
    await rt.startContainer(id);
    return id;
  }

  async function pass(clock: FakeClock, ms: number): Promise<void> {
    clock.advance(ms);
    await new Promise((r) => setImmediate(r));
  }

  const result = (exitCode: number, stdout = ''): ExecSyncResult => ({ stdout: Buffer.from(stdout), stderr: Buffer.alloc(0), exitCode });

  it('readiness needs successThreshold successes, then failureThreshold failures to turn', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const id = await runningContainer('r');
    let probes = 0;
    let ok = true;
    rt.onExec(() => {
      probes++;
      return result(ok ? 0 : 1);
    });
    const turned: string[] = [];
    const pm = new ProbeManager({ runtime: rt, clock, onChange: (e) => turned.push(`${e.ok} after ${probes} at ${clock.now() - t0}`) });
    const pod = { metadata: { uid: 'u-r', name: 'p', namespace: 'd' }, spec: { containers: [] } } as unknown as Pod;
    const spec = { name: 'r', image: 'img', readinessProbe: { exec: { command: ['x'] }, periodSeconds: 1, successThreshold: 2, failureThreshold: 2 } };
    pm.sync(pod, '10.0.0.1', [{ id, name: 'r', startedAt: new Date(t0) }], [spec]);
    assert.equal(pm.readiness.get(id), false, 'readiness starts false');
    await pass(clock, 0);
    assert.equal(probes, 1, 'the first probe at once (no initial delay)');
    await pass(clock, 999);
    assert.deepEqual(turned, [], 'one success is not enough');
    await pass(clock, 1);
    assert.equal(pm.readiness.get(id), true);
    ok = false;
    await pass(clock, 1000);
    assert.equal(pm.readiness.get(id), true, 'one failure is not enough');
    await pass(clock, 1000);
    pm.stop();
    assert.equal(pm.readiness.get(id), false);
    assert.deepEqual(turned, ['true after 2 at 1000', 'false after 4 at 3000']);
  });

  it('liveness waits for the startup probe and reports a failure once', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const id = await runningContainer('l');
    let started = false;
    const calls: string[] = [];
    rt.onExec((_id, cmd) => {
      calls.push(`${cmd[0]}@${clock.now() - t0}`);
      return result(cmd[0] === 'startup' ? (started ? 0 : 1) : 1, 'nope');
    });
    const events: ProbeEvent[] = [];
    const pm = new ProbeManager({ runtime: rt, clock, onChange: (e) => events.push(e) });
    const pod = { metadata: { uid: 'u-l', name: 'p', namespace: 'd' }, spec: { containers: [] } } as unknown as Pod;
    const spec = {
      name: 'l', image: 'img',
      startupProbe: { exec: { command: ['startup'] }, periodSeconds: 1, failureThreshold: 10 },
      livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1, failureThreshold: 1 },
    };
    pm.sync(pod, '10.0.0.1', [{ id, name: 'l', startedAt: new Date(t0) }], [spec]);
    await pass(clock, 0);
    await pass(clock, 1000);
    assert.deepEqual(calls, ['startup@0', 'startup@1000'], 'no liveness probe before startup succeeded');
    started = true;
    for (let i = 0; i < 5; i++) await pass(clock, 1000); // further periods: no second report
    pm.stop();
    assert.equal(pm.livenessFailure(id), 'nope');
    assert.deepEqual(events.map((e) => `${e.type}:${e.ok}`), ['startup:true', 'liveness:false']);
    // The liveness tick at 2000 ran beside the startup probe that succeeded, so liveness starts at 3000.
    assert.deepEqual(calls, ['startup@0', 'startup@1000', 'startup@2000', 'live@3000']);
  });

  it('probes at a fixed rate: a slow probe does not push the next one back (kubelet ticker)', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const id = await runningContainer('slow');
    const starts: number[] = [];
    // Each probe takes 600 ms.
    rt.onExec(() => {
      starts.push(clock.now() - t0);
      return new Promise((r) => clock.setTimer(() => r(result(0)), 600));
    });
    const pm = new ProbeManager({ runtime: rt, clock, onChange: () => {} });
    const pod = { metadata: { uid: 'u-slow', name: 'p', namespace: 'd' }, spec: { containers: [] } } as unknown as Pod;
    const spec = { name: 'slow', image: 'img', readinessProbe: { exec: { command: ['x'] }, periodSeconds: 1 } };
    pm.sync(pod, '127.0.0.1', [{ id, name: 'slow', startedAt: new Date(t0) }], [spec]);
    for (let t = 0; t <= 4000; t += 100) await pass(clock, t === 0 ? 0 : 100);
    pm.stop();
    // Starts 1 s apart; after-completion scheduling would space them 1.6 s apart.
    assert.deepEqual(starts, [0, 1000, 2000, 3000, 4000]);
  });
});
