/**
 * A manager running a real controller against an in-process API server: For(ConfigMap).Owns(Secret).
 * The reconciler keeps, for every ConfigMap labelled for the test, a Secret with the same data and a
 * controller ownerReference. Asserts the state of the world, not the calls made.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import type { KubeClient } from '../client/kube-client.js';
import { isAlreadyExists, isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventuallyWith } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { Manager } from './manager.js';

let env: ClientEnv;
let client: KubeClient;
const P = `mgr-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  env = await startClientEnv();
  ({ client } = env);
});
after(() => env?.stop());

const eventually = eventuallyWith({ intervalMs: 20 });

function mirrorManager(): Manager {
  const mgr = new Manager({ kubeconfig: env.ts.kubeconfig, logger: quietLogger, controllerDefaults: { workers: 2 } });
  const cmInformer = mgr.informers.informerFor(resources.configmaps, { labelSelector: `set=${P}` });
  const secretInformer = mgr.informers.informerFor(resources.secrets, { labelSelector: `set=${P}` });
  mgr.controller('mirror')
    .for(resources.configmaps, { labelSelector: `set=${P}` })
    .owns(resources.secrets, { labelSelector: `set=${P}` })
    .complete(async (req) => {
      const cm = cmInformer.indexer.get(`${req.namespace}/${req.name}`);
      if (!cm) return; // deleted: ownerReferences let garbage collection remove the secret
      const existing = secretInformer.indexer.get(`${req.namespace}/${req.name}`);
      const data = Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]));
      const secrets = mgr.client.secrets(req.namespace);
      if (!existing) {
        try {
          await secrets.create({
            apiVersion: 'v1', kind: 'Secret',
            metadata: {
              name: req.name, labels: { set: P },
              ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: cm.metadata.name!, uid: cm.metadata.uid!, controller: true }],
            },
            data,
          } as KubeObject);
        } catch (e) {
          if (!isAlreadyExists(e)) throw e; // the cache was behind; the watch event will requeue us
        }
      } else if (JSON.stringify(existing.data ?? {}) !== JSON.stringify(data)) {
        await secrets.update({ ...existing, data } as KubeObject);
      }
    });
  return mgr;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('For/Owns controller converges, repairs owned objects, and stops cleanly', async () => {
  const timersBefore = timers();
  const mgr = mirrorManager();
  await mgr.client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-a`, labels: { set: P } }, data: { k: 'v1' } });
  await mgr.start();
  const secrets = client.secrets('default');
  const secretData = async (name: string) => {
    try {
      const s = await secrets.get(name);
      return Buffer.from(String((s.data as Record<string, string> | undefined)?.k ?? ''), 'base64').toString();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  await eventually(async () => (await secretData(`${P}-a`)) === 'v1', 'secret created from the initial list');

  await client.configMaps('default').patch(`${P}-a`, 'merge', { data: { k: 'v2' } });
  await eventually(async () => (await secretData(`${P}-a`)) === 'v2', 'secret follows the configmap');

  // Owns: deleting the owned secret wakes the owner's reconcile, which recreates it
  await secrets.delete(`${P}-a`);
  await eventually(async () => (await secretData(`${P}-a`)) === 'v2', 'owned secret recreated');

  await client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-b`, labels: { set: P } }, data: { k: 'b' } });
  await eventually(async () => (await secretData(`${P}-b`)) === 'b', 'a second object');

  const ctl = mgr.controllers[0]!;
  assert.ok(ctl.reconciles >= 4);
  await mgr.stop();
  assert.equal(ctl.queue.isShuttingDown, true);
  assert.equal(Object.values(mgr.client.transport.agent.sockets).flat().length, 0, 'no sockets left open');
  // the server ends the closed watches on its side asynchronously; our own timers must all be gone
  await eventually(() => timers() <= timersBefore, 'no timers left behind');
  // after stop nothing reacts
  await client.configMaps('default').patch(`${P}-b`, 'merge', { data: { k: 'changed' } });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await secretData(`${P}-b`), 'b');
});

test('with leader election only one of two managers runs its controllers', async () => {
  const lease = `${P}-lease`;
  const mk = (identity: string) => {
    const mgr = new Manager({
      kubeconfig: env.ts.kubeconfig, logger: quietLogger,
      leaderElection: { namespace: 'default', name: lease, identity, leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 },
    });
    const runs: string[] = [];
    mgr.controller('noop').for(resources.configmaps, { labelSelector: `set=${P}-le` }).complete(async (req) => { runs.push(req.name); });
    return { mgr, runs };
  };
  const one = mk('one');
  const two = mk('two');
  await one.mgr.start();
  await two.mgr.start();
  await eventually(() => one.mgr.isLeader() !== two.mgr.isLeader(), 'exactly one leader');
  await client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-le-x`, labels: { set: `${P}-le` } } });
  const [leader, follower] = one.mgr.isLeader() ? [one, two] : [two, one];
  await eventually(() => leader.runs.includes(`${P}-le-x`), 'leader reconciles');
  assert.deepEqual(follower.runs, []);
  await leader.mgr.stop(); // releases the lease
  await eventually(() => follower.mgr.isLeader(), 'follower takes over');
  await eventually(() => follower.runs.includes(`${P}-le-x`), 'new leader reconciles the backlog');
  await follower.mgr.stop();
});
