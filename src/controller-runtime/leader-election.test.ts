/** Leader election between real electors on one Lease of an in-process API server. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../testing/test-cluster.js';
import { KubeClient } from '../client/kube-client.js';
import { eventuallyWith } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { FakeClock } from './clock/fake-clock.js';
import { LeaderElector, microTime, type Lease } from './leader-election.js';

let ts: TestServer;
const P = `le-${process.pid}-${Date.now().toString(36)}`;
const clients: KubeClient[] = [];

before(async () => {
  ts = await startTestServer();
});
after(async () => {
  for (const c of clients) c.close();
  await ts.stop();
});

const eventually = eventuallyWith({ timeoutMs: 15_000, intervalMs: 20 });

/** Two candidates, each with its own client (as two processes would have). */
function candidates(lease: string, extra: { releaseOnStop?: boolean; clock?: FakeClock } = {}) {
  const leading = new Set<string>();
  let overlap = false;
  const make = (identity: string) => {
    const client = KubeClient.fromKubeconfig(ts.kubeconfig);
    clients.push(client);
    return new LeaderElector(client, {
      namespace: 'default', name: lease, identity, logger: quietLogger,
      leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 150, ...extra,
      onStartedLeading: () => {
        if (leading.size > 0) overlap = true;
        leading.add(identity);
      },
      onStoppedLeading: () => { leading.delete(identity); },
    });
  };
  return { a: make('a'), b: make('b'), leading, overlap: () => overlap };
}

/**
 * Moves `clock` forward `ms` in steps of `stepMs`; after each step waits until the `running`
 * electors have finished the API calls the step woke and sleep again (one timer each).
 */
async function advance(clock: FakeClock, ms: number, running: () => number, stepMs = 50, until?: () => boolean): Promise<number> {
  let moved = 0;
  while (moved < ms && !until?.()) {
    clock.advance(stepMs);
    moved += stepMs;
    await eventually(() => clock.pendingTimers === running(), `${running()} electors asleep again`);
  }
  return moved;
}

test('only one of two candidates leads; the Lease records the holder', async () => {
  const clock = new FakeClock();
  const { a, b, leading, overlap } = candidates(`${P}-one`, { clock });
  a.start();
  b.start();
  await eventually(() => leading.size === 1 && clock.pendingTimers === 2, 'a leader');
  // several renew periods pass with exactly one leader
  await advance(clock, 1000, () => 2);
  assert.equal(leading.size, 1);
  assert.equal(overlap(), false);
  assert.equal([a, b].filter((e) => e.isLeader()).length, 1);
  const holder = [...leading][0]!;
  const lease = await clients[0]!.leases<Lease>('default').get(`${P}-one`);
  assert.equal(lease.spec?.holderIdentity, holder);
  assert.equal(lease.spec?.leaseDurationSeconds, 2);
  assert.ok(lease.spec?.renewTime && lease.spec.acquireTime);
  assert.match(lease.spec!.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  await a.stop();
  await b.stop();
});

test('failover: when the leader stops renewing, the other takes over once the lease expired by its clock', async () => {
  // Time is what this test is about: a fake clock drives renewals and expiry (client-go's
  // leaderelection_test.go uses a fake clock the same way).
  const clock = new FakeClock();
  const { a, b, leading, overlap } = candidates(`${P}-fail`, { releaseOnStop: false, clock });
  let running = 1;
  a.start();
  await eventually(() => a.isLeader() && clock.pendingTimers === 1, 'a leads');
  running = 2;
  b.start();
  await eventually(() => clock.pendingTimers === 2, 'b tried once');
  await advance(clock, 1000, () => running); // several renew periods of a
  assert.equal(b.isLeader(), false, 'b waits while a renews');
  await a.stop(); // stops renewing without releasing: like a crashed leader
  running = 1;
  const waited = await advance(clock, 5000, () => running, 50, () => b.isLeader());
  assert.ok(b.isLeader(), 'b takes over');
  // The Lease says 2 s (1.5 s rounded up); a renewed at most one retry period (150 ms) before it
  // stopped, and b times expiry from when it saw that renewal.
  assert.ok(waited >= 2000 - 150, `not before the lease could expire (after ${waited} ms)`);
  assert.ok(waited <= 2000 + 2 * 180, `soon after it expired (after ${waited} ms)`);
  assert.equal(overlap(), false);
  assert.deepEqual([...leading], ['b']);
  const lease = await clients[0]!.leases<Lease>('default').get(`${P}-fail`);
  assert.equal(lease.spec?.holderIdentity, 'b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  await b.stop();
});

test('release on stop hands over without waiting for expiry', async () => {
  const { a, b } = candidates(`${P}-release`);
  a.start();
  await eventually(() => a.isLeader(), 'a leads');
  b.start();
  await a.stop();
  const lease = await clients[0]!.leases<Lease>('default').get(`${P}-release`);
  assert.ok(lease.spec?.holderIdentity === '' || lease.spec?.holderIdentity === 'b' || lease.spec?.holderIdentity === undefined);
  await eventually(() => b.isLeader(), 'b leads', 1000);
  await b.stop();
});

test('a lease held by someone else that keeps renewing is never taken', async () => {
  const client = KubeClient.fromKubeconfig(ts.kubeconfig);
  clients.push(client);
  const leases = client.leases<Lease>('default');
  const name = `${P}-foreign`;
  let lease = await leases.create({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name },
    spec: { holderIdentity: 'other', leaseDurationSeconds: 1, renewTime: microTime(Date.now()), acquireTime: microTime(Date.now()) },
  });
  const clock = new FakeClock(Date.now());
  const e = new LeaderElector(client, { namespace: 'default', name, identity: 'me', logger: quietLogger, leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100, clock });
  e.start();
  await eventually(() => clock.pendingTimers === 1, 'a first attempt');
  for (let i = 0; i < 6; i++) {
    await advance(clock, 300, () => 1); // well within the Lease's 1 s, renewed each time
    lease = await leases.update({ ...lease, spec: { ...lease.spec, renewTime: microTime(clock.now()) } });
    assert.equal(e.isLeader(), false);
  }
  assert.equal(e.leader, 'other');
  await e.stop();
});
