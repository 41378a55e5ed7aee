/**
 * The steps of upstream's NoExecuteTaintManager conformance tests (test/e2e/node/taints.go): the
 * test's NoExecute taint, pause pods tolerating it for a while, putting it on and off a node, and
 * reading the evictions from a watch of one group of pods (upstream's informer DeleteFunc), in order.
 */
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { pausePodSpec } from './pause-pods.js';
import { WatchReader } from './watch-reader.js';

export const TAINT = { key: 'kubernetes.io/e2e-evict-taint-key', value: 'evictTaintVal', effect: 'NoExecute' } as const;

/** createPodForTaintsTest(true, seconds, ...): the pause pod tolerating the test taint for `seconds`. */
export function taintPod(name: string, group: string, seconds: number, nodeSelector?: Record<string, string>): Pod {
  const pod = pausePodSpec({ name, labels: { group }, ...(nodeSelector ? { nodeSelector } : {}) });
  pod.spec!.tolerations = [{ ...TAINT, tolerationSeconds: seconds }];
  pod.spec!.terminationGracePeriodSeconds = 1;
  return pod;
}

/** The next pod deletion the watch reports (other events skipped). */
export async function nextDeletion(w: WatchReader<Pod>): Promise<string> {
  for (;;) {
    const ev = await w.next('a pod deletion');
    if (ev.type === 'DELETED') return ev.object.metadata.name!;
  }
}

export class TaintEviction {
  /** `client` is read at each call (a file's cluster starts in its before hook). */
  constructor(private readonly client: () => KubeClient, readonly namespace: string) {}

  /** e2enode.AddOrUpdateTaintOnNode (timeAdded now) / RemoveTaintOffNode, then ExpectNodeHasTaint / its absence. */
  async setTestTaint(node: string, on: boolean): Promise<void> {
    const nodes = this.client().nodes<Node>();
    const others = ((await nodes.get(node)).spec?.taints ?? []).filter((t) => t.key !== TAINT.key);
    await nodes.patch(node, 'merge', { spec: { taints: on ? [...others, { ...TAINT, timeAdded: new Date().toISOString() }] : others } });
    assert.equal(((await nodes.get(node)).spec?.taints ?? []).some((t) => t.key === TAINT.key && t.effect === 'NoExecute'), on);
  }

  /** A watch of the namespace's pods labelled group=`group`, from now. */
  async watchGroup(group: string): Promise<WatchReader<Pod>> {
    const rv = (await this.client().pods<Pod>(this.namespace).list({ labelSelector: `group=${group}` })).metadata.resourceVersion;
    return new WatchReader(await this.client().watch<Pod>(resources.pods, this.namespace, { labelSelector: `group=${group}`, resourceVersion: rv }), 60_000);
  }
}
