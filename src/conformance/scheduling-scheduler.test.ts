/**
 * Upstream's sig-scheduling conformance tests of the scheduler (test/e2e/scheduling/predicates.go
 * and preemption.go), step by step, against a whole control plane with two simulated nodes (8 CPUs
 * each; the fleet reports bound pods Running, as the kubelet would the pause pods upstream runs):
 * resource limits, nodeSelector matching and not, the 0.0.0.0 hostPort conflict, preemption of a
 * lower-priority pod by a higher and by a critical one, and the PriorityClass endpoints.
 * "Not scheduled" is upstream's WaitForSchedulerAfterAction: the pod's FailedScheduling event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from '../api/kinds/index.js';
import { StatusError } from '../api/status.js';
import { isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { simClusterForFile } from './testing/sim-cluster.js';

const NS = 'cf-sched';
const cluster = simClusterForFile({ namespace: NS });
const FOO = 'scheduling.k8s.io/foo';
const uid = () => Math.random().toString(36).slice(2, 8);

type Affinity = NonNullable<Pod['spec']>['affinity'];
interface PausePodConfig {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  resources?: Record<string, string>;
  priorityClassName?: string;
  ports?: { containerPort: number; hostPort: number; hostIP?: string; protocol: 'TCP' }[];
}

/** initPausePod: the pause image, requests = limits. */
const createPausePod = (c: PausePodConfig): Promise<Pod> => cluster.client.pods<Pod>(c.namespace ?? NS).create({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: c.name, labels: c.labels ?? { name: c.name } },
  spec: {
    containers: [{ name: c.name, image: 'registry.k8s.io/pause:3.10', ...(c.ports ? { ports: c.ports } : {}), ...(c.resources ? { resources: { requests: c.resources, limits: c.resources } } : {}) }],
    ...(c.nodeSelector ? { nodeSelector: c.nodeSelector } : {}), ...(c.affinity ? { affinity: c.affinity } : {}),
    ...(c.priorityClassName ? { priorityClassName: c.priorityClassName } : {}),
  },
});
/** e2epod.WaitForPodRunningInNamespace; resolves to the pod. */
const waitRunning = (name: string, ns = NS): Promise<Pod> =>
  eventually(async () => { const p = await cluster.client.pods<Pod>(ns).get(name); return p.status?.phase === 'Running' && p; }, `${name} running`, 20_000);
/** WaitForSchedulerAfterAction(..., false): a FailedScheduling event for the pod, which stays unbound. */
async function waitNotScheduled(name: string): Promise<void> {
  await eventually(async () => (await cluster.client.events<Event>(NS).list({ fieldSelector: `involvedObject.name=${name}` })).items.some((e) => e.reason === 'FailedScheduling'), `FailedScheduling for ${name}`, 20_000);
  const p = await cluster.client.pods<Pod>(NS).get(name);
  assert.equal(p.spec!.nodeName ?? '', '', `${name} has no node`);
  assert.equal(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'False');
}
/** verifyResult: how many of the namespace's pods are bound, how many Unschedulable. */
async function verifyResult(scheduled: number, notScheduled: number): Promise<void> {
  const pods = (await cluster.client.pods<Pod>(NS).list()).items.filter((p) => !p.metadata.deletionTimestamp);
  assert.equal(pods.filter((p) => p.spec!.nodeName).length, scheduled, 'scheduled pods');
  assert.equal(pods.filter((p) => !p.spec!.nodeName && p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable')).length, notScheduled, 'not scheduled pods');
}
/** The framework's namespace cleanup between tests: the pods gone (grace 0), so the next test has the nodes to itself. */
async function deletePods(ns = NS): Promise<void> {
  const pods = cluster.client.pods<Pod>(ns);
  const names = (await pods.list()).items.map((p) => p.metadata.name!);
  await Promise.all(names.map((n) => pods.delete(n, { gracePeriodSeconds: 0 }).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)))));
  await eventually(async () => (await pods.list()).items.length === 0, `${ns}'s pods deleted`);
}
const labelNode = (name: string, key: string, value: string | null) => cluster.client.nodes<Node>().patch(name, 'strategic', { metadata: { labels: { [key]: value } } });
const nameAffinity = (node: string): Affinity => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } });

test('[sig-scheduling] SchedulerPredicates [Serial] validates resource limits of pods that are allowed to run [Conformance]', async () => {
  const nodes = (await cluster.client.nodes<Node>().list()).items;
  const milli = (v: string | number) => { const q = String(v); return (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000); };
  let max = 0;
  const allocatable = new Map<string, number>();
  for (const n of nodes) {
    if (n.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') continue;
    await labelNode(n.metadata.name!, 'node', n.metadata.name!);
    const cpu = milli(n.status.allocatable!.cpu!);
    allocatable.set(n.metadata.name!, cpu);
    max = Math.max(max, cpu);
  }
  try {
    for (const p of (await cluster.client.pods<Pod>().list()).items) {
      if (!allocatable.has(p.spec!.nodeName ?? '') || ['Succeeded', 'Failed'].includes(p.status?.phase ?? '')) continue;
      const req = p.spec!.containers.reduce((sum, c) => sum + milli(c.resources?.requests?.cpu ?? '0'), 0);
      allocatable.set(p.spec!.nodeName!, allocatable.get(p.spec!.nodeName!)! - req);
    }
    const fillers = [...allocatable].map(([node, cpu]) => createPausePod({
      name: `filler-pod-${uid()}`, resources: { cpu: `${Math.floor((cpu * 7) / 10)}m` },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node', operator: 'In', values: [node] }] }] } } },
    }));
    for (const p of await Promise.all(fillers)) await waitRunning(p.metadata.name!);
    await createPausePod({ name: 'additional-pod', labels: { name: 'additional' }, resources: { cpu: `${Math.floor((max * 5) / 10)}m` } });
    await waitNotScheduled('additional-pod');
    await verifyResult(allocatable.size, 1);
  } finally {
    for (const n of allocatable.keys()) await labelNode(n, 'node', null);
    await deletePods();
  }
});

test('[sig-scheduling] SchedulerPredicates [Serial] validates that NodeSelector is respected if not matching [Conformance]', async () => {
  try {
    await createPausePod({ name: 'restricted-pod', labels: { name: 'restricted' }, nodeSelector: { label: 'nonempty' } });
    await waitNotScheduled('restricted-pod');
    await verifyResult(0, 1);
  } finally {
    await deletePods();
  }
});

test('[sig-scheduling] SchedulerPredicates [Serial] validates that NodeSelector is respected if matching [Conformance]', async () => {
  // GetNodeThatCanRunPod: a pod without constraints, deleted once placed.
  const probe = await createPausePod({ name: 'without-label' });
  const nodeName = (await waitRunning(probe.metadata.name!))!.spec!.nodeName!;
  await deletePods();
  const key = `kubernetes.io/e2e-${uid()}`;
  await labelNode(nodeName, key, '42');
  try {
    await createPausePod({ name: 'with-labels', nodeSelector: { [key]: '42' } });
    assert.equal((await waitRunning('with-labels'))!.spec!.nodeName, nodeName);
  } finally {
    await labelNode(nodeName, key, null);
    await deletePods();
  }
});

test('[sig-scheduling] SchedulerPredicates [Serial] validates that there exists conflict between pods with same hostPort and protocol but one using 0.0.0.0 hostIP [Conformance]', async () => {
  const probe = await createPausePod({ name: 'without-label' });
  const nodeName = (await waitRunning(probe.metadata.name!))!.spec!.nodeName!;
  await deletePods();
  const key = `kubernetes.io/e2e-${uid()}`;
  await labelNode(nodeName, key, '95');
  const node = await cluster.client.nodes<Node>().get(nodeName);
  const hostIP = node.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
  const port = 54322;
  try {
    await createPausePod({ name: 'pod4', nodeSelector: { [key]: '95' }, ports: [{ containerPort: 8080, hostPort: port, hostIP: '0.0.0.0', protocol: 'TCP' }] });
    assert.equal((await waitRunning('pod4'))!.spec!.nodeName, nodeName);
    await createPausePod({ name: 'pod5', nodeSelector: { [key]: '95' }, ports: [{ containerPort: 8080, hostPort: port, hostIP, protocol: 'TCP' }] });
    await waitNotScheduled('pod5');
  } finally {
    await labelNode(nodeName, key, null);
    await deletePods();
  }
});

/** SchedulerPreemption's BeforeEach classes: low 1, medium 100, high 1000. */
const LOW = 'sched-preemption-low-priority';
const MEDIUM = 'sched-preemption-medium-priority';
const HIGH = 'sched-preemption-high-priority';
async function ensurePriorityClasses(): Promise<void> {
  for (const [name, value] of [[LOW, 1], [MEDIUM, 100], [HIGH, 1000]] as const) {
    await cluster.client.resource(resources.priorityclasses).create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value })
      .catch((e: unknown) => (e instanceof StatusError && e.status.reason === 'AlreadyExists' ? undefined : Promise.reject(e)));
  }
}
/** e2enode.AddExtendedResource (capacity and allocatable, as the kubelet would report it) or, with null, RemoveExtendedResource. */
const extendedResource = (node: string, qty: string | null) =>
  cluster.client.nodes<Node>().patch(node, 'strategic', { status: { capacity: { [FOO]: qty }, allocatable: { [FOO]: qty } } }, { subresource: 'status' });

/**
 * Both preemption tests: two pods per node taking 2 of 5 `scheduling.k8s.io/foo` each (the first
 * low priority, the rest medium), then `preemptor` asking for 2 must evict exactly the low one.
 */
async function preemptionCase(preemptor: PausePodConfig): Promise<void> {
  await ensurePriorityClasses();
  const pods: Pod[] = [];
  try {
    for (const node of cluster.nodes) {
      await extendedResource(node, '5');
      for (let j = 0; j < 2; j++) {
        const priority = pods.length === 0 ? LOW : MEDIUM;
        pods.push(await createPausePod({ name: `pod${cluster.nodes.indexOf(node)}-${j}-${priority}`, priorityClassName: priority, resources: { [FOO]: '2' }, affinity: nameAffinity(node) }));
      }
    }
    for (const p of pods) await waitRunning(p.metadata.name!);
    await createPausePod({ ...preemptor, resources: { [FOO]: '2' } });
    await waitRunning(preemptor.name, preemptor.namespace);
    const victim = await cluster.client.pods<Pod>(NS).get(pods[0]!.metadata.name!).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    assert.ok(!victim || victim.metadata.deletionTimestamp, 'the low priority pod was preempted');
    for (const p of pods.slice(1)) assert.equal((await cluster.client.pods<Pod>(NS).get(p.metadata.name!)).metadata.deletionTimestamp, undefined, `${p.metadata.name} kept`);
  } finally {
    if (preemptor.namespace) await cluster.client.pods(preemptor.namespace).delete(preemptor.name, { gracePeriodSeconds: 0 }).catch(() => {});
    await deletePods();
    for (const node of cluster.nodes) await extendedResource(node, null);
  }
}

test('[sig-scheduling] SchedulerPreemption [Serial] validates basic preemption works [Conformance]', async () => {
  await preemptionCase({ name: 'preemptor-pod', priorityClassName: HIGH });
});

test('[sig-scheduling] SchedulerPreemption [Serial] validates lower priority pod preemption by critical pod [Conformance]', async () => {
  await preemptionCase({ name: 'critical-pod', namespace: 'kube-system', priorityClassName: 'system-cluster-critical' });
});

test('[sig-scheduling] SchedulerPreemption [Serial] PriorityClass endpoints verify PriorityClass endpoints can be operated with different HTTP methods [Conformance]', async () => {
  const pcs = cluster.client.resource(resources.priorityclasses);
  const testUUID = uid();
  const created = [];
  for (const i of [1, 2]) created.push(await pcs.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `p${i}`, labels: { e2e: testUUID } }, value: i }));
  const [pc1, pc2] = created as [typeof created[0], typeof created[0]];
  try {
    // 1. Patch/Update on immutable fields fail (the patch as CreateTwoWayMergePatch makes it).
    const invalid = (e: unknown) => e instanceof StatusError && e.status.code === 422 && e.message.includes('value');
    await assert.rejects(pcs.patch('p1', 'strategic', { value: pc1.value * 10 }), invalid);
    await assert.rejects(pcs.update({ ...pc2, value: pc2.value * 10 }), invalid);
    // 2. Patch/Update on mutable fields succeed.
    const newDesc = 'updated description';
    await pcs.patch('p1', 'strategic', { description: newDesc });
    await pcs.update({ ...pc2, description: newDesc });
    // 3. List, 4. the fields read back.
    await pcs.list();
    for (const pc of [pc1, pc2]) {
      const live = await pcs.get(pc.metadata.name!);
      assert.equal(live.value, pc.value);
      assert.equal(live.description, newDesc);
      assert.ok(BigInt(pc.metadata.resourceVersion!) < BigInt(live.metadata.resourceVersion!), 'a larger resourceVersion');
    }
  } finally {
    await pcs.deleteCollection({ labelSelector: `e2e=${testUUID}` });
  }
});
