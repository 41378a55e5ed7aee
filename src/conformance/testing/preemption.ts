/**
 * The steps of upstream's SchedulerPreemption conformance tests (test/e2e/scheduling/preemption.go)
 * on a file's simulated cluster: the priority classes of its BeforeEach, and the case both basic
 * preemption tests run (which pods fill the nodes, which one the preemptor must evict).
 */
import assert from 'node:assert/strict';
import type { Pod } from '../../api/kinds/index.js';
import { StatusError } from '../../api/status.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { nameAffinity, type PausePodConfig, type PausePods } from './pause-pods.js';
import type { SimCluster } from './sim-cluster.js';

/** SchedulerPreemption's BeforeEach classes: low 1, medium 100, high 1000. */
export const LOW = 'sched-preemption-low-priority';
export const MEDIUM = 'sched-preemption-medium-priority';
export const HIGH = 'sched-preemption-high-priority';

/** The three classes, each unless it exists. */
export async function createPreemptionPriorityClasses(client: KubeClient): Promise<void> {
  for (const [name, value] of [[LOW, 1], [MEDIUM, 100], [HIGH, 1000]] as const) {
    await client.resource(resources.priorityclasses).create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value })
      .catch((e: unknown) => (e instanceof StatusError && e.status.reason === 'AlreadyExists' ? undefined : Promise.reject(e)));
  }
}

/**
 * Both preemption tests: two pods per node taking 2 of 5 of the extended `resource` each (the first
 * low priority, the rest medium), then `preemptor` asking for 2 must evict exactly the low one.
 */
export async function preemptionCase(cluster: SimCluster, pp: PausePods, resource: string, preemptor: PausePodConfig): Promise<void> {
  await createPreemptionPriorityClasses(cluster.client);
  const pods: Pod[] = [];
  try {
    for (const node of cluster.nodes) {
      await pp.extendedResource(node, resource, '5');
      for (let j = 0; j < 2; j++) {
        const priority = pods.length === 0 ? LOW : MEDIUM;
        pods.push(await pp.create({ name: `pod${cluster.nodes.indexOf(node)}-${j}-${priority}`, priorityClassName: priority, resources: { [resource]: '2' }, affinity: nameAffinity(node) }));
      }
    }
    for (const p of pods) await pp.waitRunning(p.metadata.name!);
    await pp.create({ ...preemptor, resources: { [resource]: '2' } });
    await pp.waitRunning(preemptor.name, preemptor.namespace);
    const victim = await cluster.client.pods<Pod>(pp.namespace).get(pods[0]!.metadata.name!).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    assert.ok(!victim || victim.metadata.deletionTimestamp, 'the low priority pod was preempted');
    for (const p of pods.slice(1)) assert.equal((await cluster.client.pods<Pod>(pp.namespace).get(p.metadata.name!)).metadata.deletionTimestamp, undefined, `${p.metadata.name} kept`);
  } finally {
    if (preemptor.namespace) await cluster.client.pods(preemptor.namespace).delete(preemptor.name, { gracePeriodSeconds: 0 }).catch(() => {});
    await pp.deleteAll();
    for (const node of cluster.nodes) await pp.extendedResource(node, resource, null);
  }
}
