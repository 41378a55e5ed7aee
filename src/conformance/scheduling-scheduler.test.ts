/**
 * Upstream's sig-scheduling conformance tests of the scheduler (test/e2e/scheduling/predicates.go
 * and preemption.go), step by step, against a whole control plane with two simulated nodes (8 CPUs
 * each; the fleet reports bound pods Running, as the kubelet would the pause pods upstream runs):
 * resource limits, nodeSelector matching and not, the 0.0.0.0 hostPort conflict, preemption of a
 * lower-priority pod by a higher and by a critical one, and the PriorityClass endpoints.
 * "Not scheduled" is upstream's WaitForSchedulerAfterAction: the pod's FailedScheduling event.
 * Also [sig-node]'s two NoExecuteTaintManager conformance tests (taint eviction by the node lifecycle
 * controller), which need the same nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../api/kinds/index.js';
import { StatusError } from '../api/status.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { nameAffinity, pausePodSpec, PausePods, type PausePodConfig } from './testing/pause-pods.js';
import { createPreemptionPriorityClasses, HIGH, LOW, preemptionCase as runPreemptionCase } from './testing/preemption.js';
import { simClusterForFile } from './testing/sim-cluster.js';
import { nextDeletion, TaintEviction, taintPod } from './testing/taint-eviction.js';

const NS = 'cf-sched';
const cluster = simClusterForFile({ namespace: NS });
const FOO = 'scheduling.k8s.io/foo';
const uid = () => Math.random().toString(36).slice(2, 8);

const pp = new PausePods(() => cluster.client, NS);
const createPausePod = (c: PausePodConfig) => pp.create(c);
const waitRunning = (name: string, ns?: string) => pp.waitRunning(name, ns);
const waitNotScheduled = (name: string) => pp.waitNotScheduled(name);
const verifyResult = (scheduled: number, notScheduled: number) => pp.verifyResult(scheduled, notScheduled);
const deletePods = (ns?: string) => pp.deleteAll(ns);
const labelNode = (name: string, key: string, value: string | null) => pp.labelNode(name, key, value);

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

// preemption.go's BeforeEach classes and basic preemption case: testing/preemption.ts.
const ensurePriorityClasses = () => createPreemptionPriorityClasses(cluster.client);
const extendedResource = (node: string, qty: string | null) => pp.extendedResource(node, FOO, qty);
const preemptionCase = (preemptor: PausePodConfig) => runPreemptionCase(cluster, pp, FOO, preemptor);

test('[sig-scheduling] SchedulerPreemption [Serial] validates basic preemption works [Conformance]', async () => {
  await preemptionCase({ name: 'preemptor-pod', priorityClassName: HIGH });
});

test('[sig-scheduling] SchedulerPreemption [Serial] validates lower priority pod preemption by critical pod [Conformance]', async () => {
  await preemptionCase({ name: 'critical-pod', namespace: 'kube-system', priorityClassName: 'system-cluster-critical' });
});

test('[sig-scheduling] SchedulerPreemption [Serial] validates pod disruption condition is added to the preempted pod [Conformance]', async () => {
  await ensurePriorityClasses();
  const node = cluster.nodes[0]!;
  const testFinalizer = 'example.com/test-finalizer';
  await extendedResource(node, '1');
  try {
    await createPausePod({ name: 'victim-pod', priorityClassName: LOW, resources: { [FOO]: '1' }, finalizers: [testFinalizer], affinity: nameAffinity(node) });
    await waitRunning('victim-pod');
    await createPausePod({ name: 'preemptor-pod', priorityClassName: HIGH, resources: { [FOO]: '1' }, affinity: nameAffinity(node) });
    // WaitForPodTerminatingInNamespaceTimeout, then VerifyPodHasConditionWithType(DisruptionTarget).
    const victim = await eventually(async () => { const p = await cluster.client.pods<Pod>(NS).get('victim-pod'); return p.metadata.deletionTimestamp ? p : undefined; }, 'the victim terminating', 20_000);
    assert.ok(victim.status?.conditions?.some((c) => c.type === 'DisruptionTarget'), JSON.stringify(victim.status?.conditions));
  } finally {
    await cluster.client.pods(NS).patch('victim-pod', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]).catch(() => {});
    await deletePods();
    await extendedResource(node, null);
  }
});

test('[sig-scheduling] SchedulerPreemption [Serial] PreemptionExecutionPath runs ReplicaSets to verify preemption running path [Conformance]', async () => {
  const ns = 'cf-sched-path';
  const fakecpu = 'example.com/fakecpu';
  const node = cluster.nodes[0]!;
  await cluster.client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const pcs = cluster.client.resource(resources.priorityclasses);
  for (const i of [1, 2, 3, 4]) await pcs.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `p${i}` }, value: i });
  await extendedResource(node, null);
  await pp.extendedResource(node, fakecpu, '1000');
  // The informer of upstream's test: pod creations counted by ReplicaSet.
  const seen = [0, 0, 0];
  const w = await cluster.client.pods<Pod>(ns).watch({ resourceVersion: '0' });
  const counting = (async () => {
    for await (const ev of w) if (ev.type === 'ADDED') for (const i of [0, 1, 2]) if (ev.object.metadata.name!.startsWith(`rs-pod${i + 1}`)) seen[i]!++;
  })();
  const hostname = { 'kubernetes.io/hostname': node };
  try {
    for (const [i, qty] of [[1, '200'], [2, '300'], [3, '450']] as const) {
      const template = pausePodSpec({ name: `pod${i}`, labels: { name: `pod${i}` }, priorityClassName: `p${i}`, nodeSelector: hostname, resources: { [fakecpu]: qty } });
      await cluster.client.replicaSets(ns).create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `rs-pod${i}` }, spec: { replicas: 1, selector: { matchLabels: { name: `pod${i}` } }, template: { metadata: { labels: { name: `pod${i}` } }, spec: template.spec } } });
      await eventually(async () => (await cluster.client.replicaSets(ns).get(`rs-pod${i}`)).status?.availableReplicas === 1, `rs-pod${i} available`, 20_000);
    }
    await createPausePod({ name: 'pod4', namespace: ns, priorityClassName: 'p4', nodeSelector: hostname, resources: { [fakecpu]: '500' } });
    await eventually(async () => (await cluster.client.pods<Pod>(ns).get('pod4')).spec!.nodeName, 'pod4 bound', 20_000);
    // ReplicaSets 1 and 2 lose their pod once (and make another), 3 never.
    await eventually(() => { assert.ok(seen[0]! <= 2 && seen[1]! <= 2 && seen[2]! <= 1, `over-preempted: ${seen}`); return seen.join() === '2,2,1'; }, 'pod creations [2,2,1]', 20_000);
    // Not upstream's 5 s sleep: the replacements stay Unschedulable (nothing lower to preempt), so the counts hold.
    for (const i of [1, 2]) {
      const [p] = (await cluster.client.pods<Pod>(ns).list({ labelSelector: `name=pod${i}` })).items.filter((x) => !x.metadata.deletionTimestamp);
      await pp.waitNotScheduled(p!.metadata.name!, ns);
    }
    assert.deepEqual(seen, [2, 2, 1]);
  } finally {
    w.stop();
    await counting.catch(() => {});
    await cluster.client.replicaSets(ns).deleteCollection();
    await pp.deleteAll(ns);
    await cluster.client.namespaces().delete(ns);
    await pp.extendedResource(node, fakecpu, null);
    for (const i of [1, 2, 3, 4]) await pcs.delete(`p${i}`).catch(() => {});
  }
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

// ---- [sig-node] NoExecuteTaintManager (test/e2e/node/taints.go) on the same simulated nodes.
// upstream's tolerationSeconds are parameters of these tests (5 and 25 s, 10 s); they are shortened
// here, the steps and assertions kept. Deletions are read from a watch of the group's pods (upstream's
// informer DeleteFunc), in order.
const taints = new TaintEviction(() => cluster.client, NS);
const setTestTaint = (node: string, on: boolean) => taints.setTestTaint(node, on);
const watchGroup = (group: string) => taints.watchGroup(group);

test('[sig-node] NoExecuteTaintManager Multiple Pods [Serial] evicts pods with minTolerationSeconds [Disruptive] [Conformance]', async () => {
  const group = 'taint-eviction-b';
  const w = await watchGroup(group);
  let nodeName: string | undefined;
  try {
    // 1. two pods tolerating the taint, for 1 and 2 s (upstream: 5 and 25), on the same node.
    await cluster.client.pods<Pod>(NS).create(taintPod(`${group}1`, group, 1));
    nodeName = (await waitRunning(`${group}1`)).spec!.nodeName!;
    const hostname = (await cluster.client.nodes<Node>().get(nodeName)).metadata.labels?.['kubernetes.io/hostname'];
    assert.ok(hostname, `kubernetes.io/hostname label on node ${nodeName}`);
    await cluster.client.pods<Pod>(NS).create(taintPod(`${group}2`, group, 2, { 'kubernetes.io/hostname': hostname }));
    assert.equal((await waitRunning(`${group}2`)).spec!.nodeName, nodeName);
    // 2. taint the node; 3. both are evicted, as their tolerationSeconds say: the shorter first.
    await setTestTaint(nodeName, true);
    assert.deepEqual([await nextDeletion(w), await nextDeletion(w)], [`${group}1`, `${group}2`]);
  } finally {
    w.stop();
    if (nodeName) await setTestTaint(nodeName, false);
    await deletePods();
  }
});

// Upstream waits 75 s after removing the taint and expects no deletion. Here a witness pod with the same
// tolerationSeconds on the other node, tainted only after the removal, stands for that wait: its
// deadline comes after the one the tested pod would have had, so the first deletion the watch reports
// must be the witness's.
test('[sig-node] NoExecuteTaintManager Single Pod [Serial] removing taint cancels eviction [Disruptive] [Conformance]', async () => {
  const group = 'taint-eviction-4';
  const w = await watchGroup(group);
  const tainted: string[] = [];
  try {
    // 1. a pod with a short toleration (upstream 10 s, here 2 s), and the witness on the other node.
    await cluster.client.pods<Pod>(NS).create(taintPod(group, group, 2));
    const nodeName = (await waitRunning(group)).spec!.nodeName!;
    const other = cluster.nodes.find((n) => n !== nodeName)!;
    const witness = taintPod(`${group}-witness`, group, 2);
    witness.spec!.affinity = nameAffinity(other);
    await cluster.client.pods<Pod>(NS).create(witness);
    await waitRunning(`${group}-witness`);
    // 2. taint the pod's node; 3. the pod is queued, not yet evicted.
    tainted.push(nodeName);
    await setTestTaint(nodeName, true);
    assert.equal((await cluster.client.pods<Pod>(NS).get(group)).metadata.deletionTimestamp, undefined, 'not evicted before its toleration ends');
    // 4. remove the taint.
    await setTestTaint(nodeName, false);
    tainted.pop();
    // 5. the pod is not evicted once its toleration time has passed: the witness goes first.
    tainted.push(other);
    await setTestTaint(other, true);
    assert.equal(await nextDeletion(w), `${group}-witness`);
    assert.equal((await cluster.client.pods<Pod>(NS).get(group)).metadata.deletionTimestamp, undefined, 'the pod stays');
  } finally {
    w.stop();
    for (const n of tainted) await setTestTaint(n, false);
    await deletePods();
  }
});
