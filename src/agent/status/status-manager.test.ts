/**
 * The status manager against an in-process API server: it skips writes the API already has, but
 * never because of a pod copy that lags behind its own last write (an agent restarted, its pods
 * first reported Ready=False, then Ready=True again before the watch delivered the first write:
 * kubelet's status manager likewise compares with what it sent, not only with the informer), and it
 * puts back a status someone else changed (the node lifecycle controller marking pods not ready).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod, PodStatus } from '../../api/kinds/index.js';
import { KubeClient } from '../../client/kube-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { StatusManager } from './status-manager.js';
import { quietLogger } from '../../testing/quiet-logger.js';

let ts: TestServer;
let client: KubeClient;

before(async () => {
  ts = await startTestServer();
  client = KubeClient.fromKubeconfig(ts.kubeconfig);
});
after(async () => {
  client?.close();
  await ts?.stop();
});

const status = (ready: boolean): PodStatus => ({
  phase: 'Running',
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }],
});
const readyIn = async (name: string): Promise<string | undefined> =>
  (await client.pods<Pod>('default').get(name)).status?.conditions?.find((c) => c.type === 'Ready')?.status;

async function podWith(name: string, ready: boolean): Promise<Pod> {
  const pod = await client.pods<Pod>('default').create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] },
  } as Pod);
  const sm = new StatusManager(client, quietLogger);
  await sm.write(pod, status(ready));
  return client.pods<Pod>('default').get(name);
}

test('a status flipped back is written even when the pod copy still shows it', async () => {
  const stale = await podWith('flip', true);
  const sm = new StatusManager(client, quietLogger);
  await sm.write(stale, status(false));
  assert.equal(await readyIn('flip'), 'False');
  // The worker's copy is still the one from before the first write.
  await sm.write(stale, status(true));
  assert.equal(await readyIn('flip'), 'True');
});

test('a status changed by someone else since the last write is put back', async () => {
  const pod = await podWith('other', false);
  const sm = new StatusManager(client, quietLogger);
  await sm.write(pod, status(true));
  // The node lifecycle controller marks it not ready; the agent, still seeing it ready, says so again.
  await client.pods<Pod>('default').patchStatus('other', 'merge', { status: { conditions: status(false).conditions } });
  const changed = await client.pods<Pod>('default').get('other');
  await sm.write(changed, status(true));
  assert.equal(await readyIn('other'), 'True');
});

test('nothing is written when the API and the last write agree', async () => {
  const pod = await podWith('same', true);
  const sm = new StatusManager(client, quietLogger);
  const rv = pod.metadata.resourceVersion;
  await sm.write(pod, status(true));
  await sm.write(pod, status(true));
  assert.equal((await client.pods<Pod>('default').get('same')).metadata.resourceVersion, rv);
});

test("others' conditions set since the agent's pod copy survive its write (kubelet's status patch merges conditions by type)", async () => {
  const stale = await podWith('gates', false);
  // A controller sets its readiness gate condition after the agent's copy was taken.
  await client.pods<Pod>('default').patchStatus('gates', 'strategic', { status: { conditions: [{ type: 'example.com/lb', status: 'True' }] } });
  const sm = new StatusManager(client, quietLogger);
  await sm.write(stale, status(true));
  const got = (await client.pods<Pod>('default').get('gates')).status?.conditions ?? [];
  assert.deepEqual(got.map((c) => `${c.type}=${c.status}`).sort(), ['Ready=True', 'example.com/lb=True']);
});

test('a new pod IP replaces the old one in podIPs; fields no longer reported are cleared', async () => {
  const pod = await podWith('ips', true);
  const sm = new StatusManager(client, quietLogger);
  await sm.write(pod, { ...status(true), podIP: '10.88.0.5', podIPs: [{ ip: '10.88.0.5' }], hostIP: '192.168.1.2', hostIPs: [{ ip: '192.168.1.2' }] });
  const first = await client.pods<Pod>('default').get('ips');
  await sm.write(first, { ...status(true), podIP: '10.88.0.7', podIPs: [{ ip: '10.88.0.7' }], hostIP: '192.168.1.3', hostIPs: [{ ip: '192.168.1.3' }] });
  const second = await client.pods<Pod>('default').get('ips');
  assert.deepEqual(second.status?.podIPs, [{ ip: '10.88.0.7' }]);
  assert.deepEqual(second.status?.hostIPs, [{ ip: '192.168.1.3' }]);
  await sm.write(second, status(true));
  const third = (await client.pods<Pod>('default').get('ips')).status;
  assert.equal(third?.podIP, undefined);
  assert.equal(third?.podIPs, undefined);
});
