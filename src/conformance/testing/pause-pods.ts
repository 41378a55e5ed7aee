/**
 * The pause pods of upstream's scheduling e2e tests (test/e2e/scheduling/predicates.go and
 * preemption.go: initPausePod, WaitForSchedulerAfterAction, verifyResult, AddExtendedResource) over
 * a client, for conformance files that run them against simulated nodes.
 */
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from '../../api/kinds/index.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { eventually } from '../../testing/eventually.js';

export type Affinity = NonNullable<Pod['spec']>['affinity'];

export interface PausePodConfig {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  resources?: Record<string, string>;
  priorityClassName?: string;
  finalizers?: string[];
  ports?: { containerPort: number; hostPort: number; hostIP?: string; protocol: 'TCP' }[];
}

/** A required node affinity on metadata.name (a matchFields term), as the preemption tests pin pods. */
export const nameAffinity = (node: string): Affinity => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } });

/** initPausePod: the pause image, requests = limits; the pod template of a pause ReplicaSet too. */
export function pausePodSpec(c: PausePodConfig): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: c.name, labels: c.labels ?? { name: c.name }, ...(c.finalizers ? { finalizers: c.finalizers } : {}) },
    spec: {
      containers: [{ name: c.name, image: 'registry.k8s.io/pause:3.10', ...(c.ports ? { ports: c.ports } : {}), ...(c.resources ? { resources: { requests: c.resources, limits: c.resources } } : {}) }],
      ...(c.nodeSelector ? { nodeSelector: c.nodeSelector } : {}), ...(c.affinity ? { affinity: c.affinity } : {}),
      ...(c.priorityClassName ? { priorityClassName: c.priorityClassName } : {}),
    },
  };
}

export class PausePods {
  /** `client` is read at each call (a file's cluster starts in its before hook). */
  constructor(private readonly client: () => KubeClient, readonly namespace: string) {}

  create(c: PausePodConfig): Promise<Pod> {
    return this.client().pods<Pod>(c.namespace ?? this.namespace).create(pausePodSpec(c));
  }

  /** e2epod.WaitForPodRunningInNamespace; resolves to the pod. */
  waitRunning(name: string, ns = this.namespace): Promise<Pod> {
    return eventually(async () => { const p = await this.client().pods<Pod>(ns).get(name); return p.status?.phase === 'Running' && p; }, `${name} running`, 20_000);
  }

  /** WaitForSchedulerAfterAction(..., false): a FailedScheduling event for the pod, which stays unbound. */
  async waitNotScheduled(name: string, ns = this.namespace): Promise<void> {
    await eventually(async () => (await this.client().events<Event>(ns).list({ fieldSelector: `involvedObject.name=${name}` })).items.some((e) => e.reason === 'FailedScheduling'), `FailedScheduling for ${name}`, 20_000);
    const p = await this.client().pods<Pod>(ns).get(name);
    assert.equal(p.spec!.nodeName ?? '', '', `${name} has no node`);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'False');
  }

  /** verifyResult: how many of the namespace's pods are bound, how many Unschedulable. */
  async verifyResult(scheduled: number, notScheduled: number): Promise<void> {
    const pods = (await this.client().pods<Pod>(this.namespace).list()).items.filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(pods.filter((p) => p.spec!.nodeName).length, scheduled, 'scheduled pods');
    assert.equal(pods.filter((p) => !p.spec!.nodeName && p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable')).length, notScheduled, 'not scheduled pods');
  }

  /** The framework's namespace cleanup between tests: every pod gone (grace 0), so the next test has the nodes to itself. */
  async deleteAll(ns = this.namespace): Promise<void> {
    const pods = this.client().pods<Pod>(ns);
    const names = (await pods.list()).items.map((p) => p.metadata.name!);
    await Promise.all(names.map((n) => pods.delete(n, { gracePeriodSeconds: 0 }).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)))));
    await eventually(async () => (await pods.list()).items.length === 0, `${ns}'s pods deleted`);
  }

  /** framework.AddOrUpdateLabelOnNode / RemoveLabelOffNode (null). */
  labelNode(name: string, key: string, value: string | null): Promise<Node> {
    return this.client().nodes<Node>().patch(name, 'strategic', { metadata: { labels: { [key]: value } } });
  }

  /** e2enode.AddExtendedResource (capacity and allocatable, as the kubelet would report it) or, with null, RemoveExtendedResource. */
  extendedResource(node: string, resource: string, qty: string | null): Promise<Node> {
    return this.client().nodes<Node>().patch(node, 'strategic', { status: { capacity: { [resource]: qty }, allocatable: { [resource]: qty } } }, { subresource: 'status' });
  }
}
