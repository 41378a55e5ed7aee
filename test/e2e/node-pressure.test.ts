/**
 * Node-pressure eviction on a real node (issue 16), as the kubelet's eviction manager does it
 * (pkg/kubelet/eviction): the node's memory.available threshold is set for this test just below
 * what the machine has available at its start (MemTotal minus the working set, the figure the
 * kubelet watches), so a BestEffort pod that keeps allocating crosses it. The BestEffort pod is
 * evicted (Failed, reason Evicted, upstream's message, an Evicted event) while a Guaranteed pod
 * within its requests keeps running; the node reports MemoryPressure, the node lifecycle
 * controller taints it memory-pressure:NoSchedule, the scheduler keeps a new pod off it, and the
 * agent's admission refuses a BestEffort pod bound to it directly.
 * The margin below today's available memory is wide (700Mi) so that other processes on a shared
 * machine neither cross it first nor keep it crossed; the hog grows until it is evicted, whatever
 * that margin turns out to be. Needs root; `npm run build` and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { meminfoUsage } from '../../src/agent/metrics/cgroup-usage.js';
import { useNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

const Mi = 1024 * 1024;

/** memory.available now, as the eviction manager computes it (src/agent/eviction/signals.ts). */
function memoryAvailable(): number {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(text)![1]) * 1024;
  return total - meminfoUsage(text)!.workingSet;
}

const thresholdMi = Math.max(64, Math.floor(memoryAvailable() / Mi) - 700);

const pod = (name: string, command: string[], resources?: object) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: name.replace(/^np-/, ''), image: 'bosun.test/busybox:1', command, ...(resources ? { resources } : {}) }] },
});

// 40 MiB more every second (each chunk a new 1 MiB string), up to 8 GiB: crosses the threshold within tens of seconds.
const HOG = ['awk', 'BEGIN { c = sprintf("%1048576s", ""); n = 0; while (n < 8192) { for (j = 0; j < 40; j++) a[n++] = c n; system("sleep 1") } system("sleep 3600") }'];

describe('node-pressure eviction on a real node', { timeout: 300_000 }, () => {
  const getNode = useNodeServer({ extraArgs: ['--eviction-hard', `memory.available<${thresholdMi}Mi`] });
  let node: NodeServer;
  before(() => {
    node = getNode();
  });

  it('evicts the BestEffort pod first, keeps the Guaranteed one, reports MemoryPressure and keeps new pods off', async () => {
    const guaranteed = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } };
    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: pod('np-guaranteed', ['sleep', '3600'], guaranteed) })).code, 0);
    const w = await node.kubectl(['wait', '--for=condition=Ready', 'pod/np-guaranteed', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(w.code, 0, w.stderr);
    assert.equal(await node.k('get', 'pod', 'np-guaranteed', '-o', 'jsonpath={.status.qosClass}'), 'Guaranteed');

    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: pod('np-hog', HOG) })).code, 0);
    const status = await waitFor('the BestEffort pod evicted', async () => {
      const s = JSON.parse(await node.k('get', 'pod', 'np-hog', '-o', 'jsonpath={.status}')) as {
        phase?: string; reason?: string; message?: string; qosClass?: string; conditions?: { type: string; status: string; reason?: string }[];
      };
      return s.phase === 'Failed' ? s : undefined;
    }, 200_000, 1000);
    assert.equal(status.qosClass, 'BestEffort');
    assert.equal(status.reason, 'Evicted');
    // As the kubelet with PodDisruptionConditions: the pod says why it went.
    assert.deepEqual(status.conditions?.filter((c) => c.type === 'DisruptionTarget').map((c) => [c.status, c.reason]), [['True', 'TerminationByKubelet']]);
    assert.match(status.message ?? '', /^The node was low on resource: memory\. Threshold quantity: \S+, available: \S+\. Container hog was using \S+, request is 0, has larger consumption of memory\. $/);

    const event = await node.k('get', 'events', '--field-selector', 'involvedObject.name=np-hog,reason=Evicted', '-o', 'jsonpath={.items[0].type} {.items[0].source.component} {.items[0].message}');
    assert.equal(event, `Warning kubelet ${status.message}`);

    const cond = JSON.parse(await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="MemoryPressure")]}')) as { status: string; reason: string };
    assert.deepEqual([cond.status, cond.reason], ['True', 'KubeletHasInsufficientMemory']);
    await waitFor('memory-pressure taint', async () =>
      (await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.spec.taints[*].key}')).split(' ').includes('node.kubernetes.io/memory-pressure'), 60_000, 500);

    // A new pod stays Pending: the scheduler's TaintToleration sees the pressure taint.
    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: pod('np-late', ['sleep', '3600']) })).code, 0);
    const msg = await waitFor('FailedScheduling of the new pod', async () =>
      (await node.k('get', 'events', '--field-selector', 'involvedObject.name=np-late,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}')) || undefined, 60_000, 500);
    assert.match(msg, /untolerated taint \{node\.kubernetes\.io\/memory-pressure: \}/);
    assert.equal(await node.k('get', 'pod', 'np-late', '-o', 'jsonpath={.status.phase}'), 'Pending');

    // A BestEffort pod bound to the node directly (past the scheduler) is refused by the agent's admission.
    const direct = JSON.parse(pod('np-direct', ['sleep', '3600'])) as { spec: { nodeName?: string } };
    direct.spec.nodeName = node.nodeName;
    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: JSON.stringify(direct) })).code, 0);
    const refused = await waitFor('the directly bound BestEffort pod refused', async () => {
      const out = await node.k('get', 'pod', 'np-direct', '-o', 'jsonpath={.status.phase}|{.status.reason}|{.status.message}');
      return out.startsWith('Failed|') ? out : undefined;
    }, 60_000, 500);
    assert.equal(refused, 'Failed|Evicted|Pod was rejected: The node had condition: [MemoryPressure]. ');

    // The Guaranteed pod, within its requests, was not touched.
    assert.equal(await node.k('get', 'pod', 'np-guaranteed', '-o', 'jsonpath={.status.phase} {.status.containerStatuses[0].restartCount}'), 'Running 0');
    const evictions = await node.k('get', 'events', '--field-selector', 'involvedObject.name=np-guaranteed,reason=Evicted', '-o', 'name');
    assert.equal(evictions, '');
  });
});
