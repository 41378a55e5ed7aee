/**
 * Preemption on a real node (`bosun server` binary, real containers, kubectl 1.32): a low-priority
 * pod takes most of the node's CPU; a pod of a higher PriorityClass asking for as much preempts it
 * (its container is stopped, the pod deleted with the DisruptionTarget condition, reason
 * PreemptionByScheduler) and then runs. Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import type { WatchEvent } from '../../src/api/meta.js';
import { KubeClient } from '../../src/client/index.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

let node: NodeServer;

const podYaml = (name: string, cpuMilli: number, priorityClass?: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { e2e: 'preempt' } },
  spec: {
    terminationGracePeriodSeconds: 1,
    ...(priorityClass ? { priorityClassName: priorityClass } : {}),
    containers: [{ name: 'c', image: 'bosun.test/busybox:1', command: ['sleep', '3600'], resources: { requests: { cpu: `${cpuMilli}m` } } }],
  },
});

const getPod = async (name: string): Promise<Pod | undefined> => {
  const r = await node.kubectl(['get', 'pod', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as Pod) : undefined;
};
const running = (p: Pod | undefined) => !!p && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('preemption on a real node', { timeout: 180_000 }, () => {
  before(async () => {
    node = await startNodeServer();
  });
  after(async () => {
    await node?.forceCleanup();
  });

  it('a higher-priority pod evicts a lower-priority one from a full node and runs', async () => {
    const n = JSON.parse(await node.k('get', 'node', node.nodeName, '-o', 'json')) as { status: { allocatable: Record<string, string> } };
    const cpu = n.status.allocatable.cpu!;
    const allocMilli = cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000;
    // Two of these cannot share the node.
    const want = Math.floor(allocMilli * 0.6);
    await node.kubectl(['apply', '-f', '-'], { input: podYaml('low', want) });
    await waitFor('low pod running', async () => running(await getPod('low')), 60_000);
    await node.k('create', 'priorityclass', 'e2e-urgent', '--value=100000');

    // Follow the victim through a watch: the DisruptionTarget condition comes before its deletion.
    const client = KubeClient.fromKubeconfig(node.kubeconfig);
    let marked: Pod | undefined;
    try {
      const list = await client.pods<Pod>('default').list({ fieldSelector: 'metadata.name=low' });
      const w = await client.pods<Pod>('default').watch({ fieldSelector: 'metadata.name=low', resourceVersion: list.metadata.resourceVersion });
      const r = await node.kubectl(['apply', '-f', '-'], { input: podYaml('urgent', want, 'e2e-urgent') });
      assert.equal(r.code, 0, r.stderr);
      for await (const ev of w as AsyncIterable<WatchEvent<Pod>>) {
        if (ev.type === 'ERROR') throw new Error(JSON.stringify(ev.object));
        if (ev.type !== 'BOOKMARK' && ev.object.status?.conditions?.some((c) => c.type === 'DisruptionTarget')) marked ??= ev.object;
        if (ev.type === 'DELETED') break;
      }
    } finally {
      client.close();
    }
    const urgent = await waitFor('urgent pod running', async () => {
      const p = await getPod('urgent');
      return running(p) && p;
    }, 60_000);
    assert.equal(urgent.spec?.priority, 100000);
    assert.equal(urgent.spec?.nodeName, node.nodeName);
    assert.equal(urgent.status?.nominatedNodeName, node.nodeName);
    assert.ok(marked, 'the victim carried DisruptionTarget before it went');
    const cond = marked.status!.conditions!.find((c) => c.type === 'DisruptionTarget')!;
    assert.deepEqual([cond.status, cond.reason], ['True', 'PreemptionByScheduler']);
    const events = await node.k('get', 'events', '--field-selector', 'reason=Preempted');
    assert.match(events, new RegExp(`Preempted by pod ${urgent.metadata.uid} on node ${node.nodeName}`));
    await node.k('delete', 'pod', 'urgent', '--wait');
    await node.k('delete', 'priorityclass', 'e2e-urgent');
  });
});
