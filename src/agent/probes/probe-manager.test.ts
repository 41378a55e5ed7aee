import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { ProbeManager, type ProbeEvent } from './probe-manager.js';

/** Probe workers on the fake runtime's exec: thresholds, startup gating, one report per failure. */
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

  const until = async (cond: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      assert.ok(Date.now() < deadline, 'condition reached in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('readiness needs successThreshold successes, then failureThreshold failures to turn', async () => {
    const id = await runningContainer('r');
    let probes = 0;
    let ok = true;
    rt.onExec(() => {
      probes++;
      return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: ok ? 0 : 1 };
    });
    const turned: string[] = []; // "<result> after <n> probes"
    const pm = new ProbeManager({ runtime: rt, onChange: (e) => turned.push(`${e.ok} after ${probes}`) });
    const pod = { metadata: { uid: 'u-r', name: 'p', namespace: 'd' }, spec: { containers: [] } } as unknown as Pod;
    const spec = { name: 'r', image: 'img', readinessProbe: { exec: { command: ['x'] }, periodSeconds: 1, successThreshold: 2, failureThreshold: 2 } };
    pm.sync(pod, '10.0.0.1', [{ id, name: 'r', startedAt: new Date() }], [spec]);
    assert.equal(pm.readiness.get(id), false, 'readiness starts false');
    await until(() => turned.length === 1);
    assert.equal(pm.readiness.get(id), true);
    ok = false;
    const failingFrom = probes;
    await until(() => turned.length === 2);
    pm.stop();
    assert.equal(pm.readiness.get(id), false);
    assert.deepEqual(turned, ['true after 2', `false after ${failingFrom + 2}`]);
  });

  it('liveness waits for the startup probe and reports a failure once', async () => {
    const id = await runningContainer('l');
    let started = false;
    const calls: string[] = [];
    rt.onExec((_id, cmd) => {
      calls.push(cmd[0]!);
      return { stdout: Buffer.from('nope'), stderr: Buffer.alloc(0), exitCode: cmd[0] === 'startup' ? (started ? 0 : 1) : 1 };
    });
    const events: ProbeEvent[] = [];
    const pm = new ProbeManager({ runtime: rt, onChange: (e) => events.push(e) });
    const pod = { metadata: { uid: 'u-l', name: 'p', namespace: 'd' }, spec: { containers: [] } } as unknown as Pod;
    const spec = {
      name: 'l', image: 'img',
      startupProbe: { exec: { command: ['startup'] }, periodSeconds: 1, failureThreshold: 10 },
      livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1, failureThreshold: 1 },
    };
    pm.sync(pod, '10.0.0.1', [{ id, name: 'l', startedAt: new Date() }], [spec]);
    await until(() => calls.filter((c) => c === 'startup').length >= 2);
    assert.ok(!calls.includes('live'), 'no liveness probe before startup succeeded');
    started = true;
    await until(() => events.length === 2);
    await new Promise((r) => setTimeout(r, 1200)); // a further period: no second report
    pm.stop();
    assert.equal(pm.livenessFailure(id), 'nope');
    assert.deepEqual(events.map((e) => `${e.type}:${e.ok}`), ['startup:true', 'liveness:false']);
  });

  it('probes at a fixed rate: a slow probe does not push the next one back (kubelet ticker)', async () => {
    const id = await runningContainer('slow');
    const starts: number[] = [];
    const server = createServer((_req, res) => {
      starts.push(Date.now());
      setTimeout(() => res.end('ok'), 600);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const pm = new ProbeManager({ runtime: rt, onChange: () => {} });
    const pod = { metadata: { uid: 'u-slow', name: 'p', namespace: 'd' }, spec: { containers: [] } } as unknown as Pod;
    const spec = { name: 'slow', image: 'img', readinessProbe: { httpGet: { path: '/', port }, periodSeconds: 1, timeoutSeconds: 5 } };
    try {
      pm.sync(pod, '127.0.0.1', [{ id, name: 'slow', startedAt: new Date() }], [spec]);
      await until(() => starts.length >= 4);
    } finally {
      pm.stop();
      server.close();
    }
    // Starts 1 s apart; after-completion scheduling would space them 1.6 s apart.
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    assert.ok(gaps.every((g) => g < 1400), `gaps between probe starts: ${gaps.join(', ')} ms`);
  });
});
