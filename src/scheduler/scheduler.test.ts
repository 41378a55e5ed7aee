/**
 * The scheduler against a real in-process API server: nodes are plain Node objects created
 * through the API (no agent), pods are bound through pods/binding, failures are reported on the pod.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeClient } from '../client/index.js';
import { resources } from '../client/resource-ref.js';
import { eventuallyWith } from '../testing/eventually.js';
import { startTestServer } from '../testing/test-cluster.js';
import type { Node, Pod } from './framework/types.js';
import { Scheduler } from './scheduler.js';
import { makeNode, makePod } from './testing/wrappers.js';

const PREFIX = 'schedtest';

const eventually = eventuallyWith({ timeoutMs: 15_000, intervalMs: 50 });

test('scheduler end to end against the API server', async (t) => {
  const server = await startTestServer();
  const client = KubeClient.fromKubeconfig(server.kubeconfig);
  const scheduler = new Scheduler({ client });
  const pods = client.pods<Pod>('default');
  const boundNode = (name: string) => eventually(async () => (await pods.get(name)).spec.nodeName || undefined, `${name} bound`);
  const eventsFor = async (name: string) => (await client.events('default').list()).items
    .filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === name) as Array<{ reason?: string; message?: string; type?: string }>;
  try {
    for (const i of [1, 2, 3]) await client.nodes<Node>().create(makeNode().name(`${PREFIX}-n${i}`).alloc({ cpu: '1', memory: '2Gi', pods: 10 }).obj());
    // Made before the scheduler starts, so its informer has it when the spreading test runs.
    await client.services('default').create({ metadata: { name: `${PREFIX}-spread` }, spec: { selector: { app: `${PREFIX}-spread` }, ports: [{ port: 80 }] } });
    await scheduler.start();

    await t.test('a pod that fits is bound and a Scheduled event recorded', async () => {
      await pods.create(makePod().name(`${PREFIX}-small`).req({ cpu: '500m', memory: '100Mi' }).obj());
      const node = await boundNode(`${PREFIX}-small`);
      assert.match(node, new RegExp(`^${PREFIX}-n[123]$`));
      const ev = await eventually(async () => (await eventsFor(`${PREFIX}-small`)).find((e) => e.reason === 'Scheduled'), 'Scheduled event');
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.message, `Successfully assigned default/${PREFIX}-small to ${node}`);
      // Written through events.k8s.io/v1, as kube-scheduler's recorder (tools/events).
      const v1 = (await client.resource(resources.eventsV1, 'default').list()).items.find((e) => e.regarding?.name === `${PREFIX}-small` && e.reason === 'Scheduled');
      assert.deepEqual([v1?.action, v1?.reportingController, v1?.reportingInstance?.startsWith('default-scheduler-')], ['Binding', 'default-scheduler', true]);
    });

    await t.test('a pod that fits nowhere stays Pending with PodScheduled=False and FailedScheduling', async () => {
      await pods.create(makePod().name(`${PREFIX}-big`).req({ cpu: '2' }).obj());
      const cond = await eventually(async () =>
        (await pods.get(`${PREFIX}-big`)).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'), 'PodScheduled=False');
      assert.equal(cond.reason, 'Unschedulable');
      assert.equal(cond.message, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
      const ev = await eventually(async () => (await eventsFor(`${PREFIX}-big`)).find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event');
      assert.equal(ev.type, 'Warning');
      assert.equal(ev.message, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
      assert.equal((await pods.get(`${PREFIX}-big`)).spec.nodeName ?? '', '');
      const described = await server.kubectl(['describe', 'pod', `${PREFIX}-big`]);
      assert.equal(described.code, 0, described.stderr);
      assert.match(described.stdout, /Status:\s+Pending/);
      assert.match(described.stdout, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\./);
    });

    await t.test('adding a node that fits moves the pending pod back and binds it', async () => {
      await client.nodes<Node>().create(makeNode().name(`${PREFIX}-large`).alloc({ cpu: '4', memory: '8Gi', pods: 10 }).obj());
      assert.equal(await boundNode(`${PREFIX}-big`), `${PREFIX}-large`);
    });

    await t.test('assumed pods count before the watch confirms them: a burst never overcommits', async () => {
      // 4 small nodes hold 1 cpu each = 4 pods of 900m besides what is there; create 6 at once.
      for (const i of [1, 2, 3, 4]) await client.nodes<Node>().create(makeNode().name(`${PREFIX}-b${i}`).label('pool', 'burst').alloc({ cpu: '1', memory: '1Gi', pods: 10 }).obj());
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => pods.create(makePod().name(`${PREFIX}-burst-${i}`).nodeSelector({ pool: 'burst' }).req({ cpu: '900m' }).obj())));
      await eventually(async () => {
        const all = (await pods.list()).items.filter((p) => p.metadata.name!.startsWith(`${PREFIX}-burst-`));
        return all.filter((p) => p.spec.nodeName).length >= 4 ? all : undefined;
      }, '4 burst pods bound');
      await sleep(300);
      const all = (await pods.list()).items.filter((p) => p.metadata.name!.startsWith(`${PREFIX}-burst-`));
      const nodes = all.map((p) => p.spec.nodeName).filter(Boolean);
      assert.equal(nodes.length, 4);
      assert.equal(new Set(nodes).size, 4, 'one 900m pod per 1-cpu node');
      const pending = all.filter((p) => !p.spec.nodeName);
      const cond = await eventually(async () =>
        (await pods.get(pending[0]!.metadata.name!)).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'), 'pending burst pod condition');
      assert.match(cond.message!, /^0\/8 nodes are available: 4 Insufficient cpu, 4 node\(s\) didn't match Pod's node affinity\/selector\. preemption: 0\/8 nodes are available: 4 No preemption victims found for incoming pod, 4 Preemption is not helpful for scheduling\.$/);
    });

    await t.test('deleting a bound pod frees its resources for a pending one', async () => {
      const victim = (await pods.list()).items.find((p) => p.metadata.name!.startsWith(`${PREFIX}-burst-`) && p.spec.nodeName)!;
      await pods.delete(victim.metadata.name!, { gracePeriodSeconds: 0 });
      await eventually(async () => {
        const all = (await pods.list()).items.filter((p) => p.metadata.name!.startsWith(`${PREFIX}-burst-`) && p.spec.nodeName);
        return all.length === 4 && !all.some((p) => p.metadata.name === victim.metadata.name) ? all : undefined;
      }, '5th burst pod bound');
    });

    await t.test('pods of another scheduler are left alone', async () => {
      await pods.create(makePod().name(`${PREFIX}-foreign`).schedulerName('other-scheduler').obj());
      await pods.create(makePod().name(`${PREFIX}-after-foreign`).obj());
      await boundNode(`${PREFIX}-after-foreign`); // created later and already handled
      await sleep(200);
      const foreign = await pods.get(`${PREFIX}-foreign`);
      assert.equal(foreign.spec.nodeName ?? '', '');
      assert.equal(foreign.status?.conditions?.find((c) => c.type === 'PodScheduled'), undefined);
    });

    await t.test('pods a Service selects spread over nodes (PodTopologySpread system defaults, hostname maxSkew 3)', async () => {
      // The big node holds 3 of the Service's pods and is the emptier one: resource scores alone pick it.
      await client.nodes<Node>().create(makeNode().name(`${PREFIX}-s-big`).label('pool', 'spread').alloc({ cpu: '64', memory: '64Gi', pods: 50 }).obj());
      await client.nodes<Node>().create(makeNode().name(`${PREFIX}-s-small`).label('pool', 'spread').alloc({ cpu: '8', memory: '8Gi', pods: 50 }).obj());
      const member = (name: string) => makePod().name(name).label('app', `${PREFIX}-spread`).nodeSelector({ pool: 'spread' }).req({ cpu: '100m', memory: '100Mi' });
      for (const i of [0, 1, 2]) await pods.create(member(`${PREFIX}-old-${i}`).node(`${PREFIX}-s-big`).obj());
      await eventually(async () => (scheduler.cache.snapshot().get(`${PREFIX}-s-big`)?.pods.length === 3 ? true : undefined), 'bound pods cached');
      await pods.create(member(`${PREFIX}-new`).obj());
      assert.equal(await boundNode(`${PREFIX}-new`), `${PREFIX}-s-small`);
    });

    await t.test('pod affinity namespaceSelector is matched against namespace labels', async () => {
      const ns = `${PREFIX}-blue`;
      await client.namespaces().create({ metadata: { name: ns, labels: { team: 'blue' } } });
      await client.pods<Pod>(ns).create(makePod().name('anchor').namespace(ns).label('app', 'anchor').nodeSelector({ pool: 'spread' }).obj());
      const anchorNode = await eventually(async () => (await client.pods<Pod>(ns).get('anchor')).spec.nodeName || undefined, 'anchor bound');
      const follower = makePod().name(`${PREFIX}-follower`).nodeSelector({ pool: 'spread' }).podAffinity('app', 'anchor').obj();
      follower.spec.affinity!.podAffinity!.requiredDuringSchedulingIgnoredDuringExecution![0]!.namespaceSelector = { matchLabels: { team: 'blue' } };
      await pods.create(follower);
      assert.equal(await boundNode(`${PREFIX}-follower`), anchorNode);
    });

    await t.test('a nomination preemption can no longer honour is cleared (upstream: PostFilter result with "")', async () => {
      const name = `${PREFIX}-stale-nominee`;
      await pods.create(makePod().name(name).req({ cpu: '100' }).obj());
      await eventually(async () => (await pods.get(name)).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'), 'first failure');
      // As if an earlier cycle had preempted for it on n1; nothing there can make room for 100 cpu now.
      await pods.patchStatus(name, 'merge', { status: { nominatedNodeName: `${PREFIX}-n1` } });
      await client.nodes<Node>().create(makeNode().name(`${PREFIX}-wake`).label('pool', 'none').alloc({ cpu: '1', memory: '1Gi', pods: 10 }).obj());
      await eventually(async () => ((await pods.get(name)).status?.nominatedNodeName ? undefined : true), 'nominatedNodeName cleared');
    });

    await t.test('a ReadWriteOncePod claim in use keeps a second pod Pending until its user goes (VolumeRestrictions)', async () => {
      const claimName = `${PREFIX}-rwop`;
      await client.resource(resources.persistentvolumes).create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${PREFIX}-rwop-pv` },
        spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOncePod'], hostPath: { path: '/tmp/unused' }, claimRef: { namespace: 'default', name: claimName } } });
      await client.resource(resources.persistentvolumeclaims, 'default').create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claimName },
        spec: { accessModes: ['ReadWriteOncePod'], volumeName: `${PREFIX}-rwop-pv`, storageClassName: '', resources: { requests: { storage: '1Gi' } } } });
      await client.resource(resources.persistentvolumeclaims, 'default').patchStatus(claimName, 'merge', { status: { phase: 'Bound', accessModes: ['ReadWriteOncePod'], capacity: { storage: '1Gi' } } });
      const withClaim = (name: string) => {
        const p = makePod().name(name).obj();
        p.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName } }];
        return p;
      };
      await pods.create(withClaim(`${PREFIX}-rwop-a`));
      await boundNode(`${PREFIX}-rwop-a`);
      await pods.create(withClaim(`${PREFIX}-rwop-b`));
      const cond = await eventually(async () =>
        (await pods.get(`${PREFIX}-rwop-b`)).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'), 'rwop-b PodScheduled=False');
      assert.match(cond.message ?? '', /^0\/(\d+) nodes are available: \1 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode\. /);
      await pods.delete(`${PREFIX}-rwop-a`, { gracePeriodSeconds: 0 });
      await boundNode(`${PREFIX}-rwop-b`);
    });
  } finally {
    await scheduler.stop();
    client.close();
    await server.stop();
  }
});
