/**
 * The enforcer against an in-process API server, applying inside a throwaway network namespace
 * (as src/proxy/proxy.test.ts): pods, namespaces and policies written through the API shape the
 * table (a selected pod isolated, a peer's IP in its rule's set, the node's addresses accepted);
 * a label change moves a pod out of a set; a table deleted behind its back is put back; stop()
 * removes the table, or keeps it when asked; an egress named port follows the pods declaring it;
 * a denied packet shows in its pod's drop counter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../api/kinds/core/pod.js';
import type { NetworkPolicy } from '../api/kinds/networking/network-policy.js';
import type { KubeObject } from '../api/meta.js';
import { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { createNetns, netnsUnavailable } from '../proxy/testing/netns.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { startTestServer, type TestServer } from '../testing/test-cluster.js';
import { readPolicyDrops } from './drop-counters.js';
import { startNetworkPolicyEnforcer, type Enforcer } from './enforcer.js';

const TABLE = 'bosun-np-test';

describe('network policy enforcer', { skip: netnsUnavailable() }, () => {
  let ts: TestServer;
  let client: KubeClient;
  let ns: ReturnType<typeof createNetns>;
  let enforcer: Enforcer | undefined;
  const list = (): string => {
    try {
      return ns.exec('nft', ['list', 'table', 'ip', TABLE]);
    } catch {
      return '';
    }
  };
  const pods = () => client.resource<Pod>(resources.pods, 'default');
  async function runningPod(name: string, ip: string, labels: Record<string, string>, nodeName: string, ports?: { name: string; containerPort: number }[]): Promise<Pod> {
    const p = await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox', ports }] } } as Pod);
    return pods().updateStatus({ ...p, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } } as Pod);
  }

  /** Open WATCH requests on pods, from the server's apiserver_longrunning_requests gauge. */
  const podWatches = async (): Promise<number> => {
    const text = String((await client.transport.request({ method: 'GET', path: '/metrics' })).body);
    const line = text.split('\n').find((l) => l.startsWith('apiserver_longrunning_requests{verb="WATCH",group="",version="v1",resource="pods",'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };

  before(async () => {
    ts = await startTestServer();
    client = KubeClient.fromKubeconfig(ts.kubeconfig);
    ns = createNetns();
  });
  after(async () => {
    await enforcer?.stop();
    ns.remove();
    client.close();
    await ts.stop();
  });

  it('follows pods and policies, reinstalls a deleted table and removes it on stop', async () => {
    await client.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'np-a' }, spec: { podCIDR: '10.42.7.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.77.20' }] } } as KubeObject);
    await runningPod('np-server', '10.42.7.10', { app: 'web' }, 'np-a');
    await runningPod('np-client', '10.42.8.11', { role: 'client' }, 'np-b');
    enforcer = await startNetworkPolicyEnforcer({ client, nodeName: 'np-a', table: TABLE, netns: ns.name, logger: quietLogger, checkIntervalMs: 100 });
    assert.match(list(), /map isolated \{\n\t\ttype ipv4_addr : verdict\n\t\}/, 'no policy: nothing isolated');
    assert.equal(await podWatches(), 0, 'no policy: no cluster-wide pod watch (each node would pay for one)');

    await client.resource<NetworkPolicy>(resources.networkpolicies, 'default').create({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np-web' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 8080 }] }] },
    } as NetworkPolicy);
    await eventually(() => /10\.42\.7\.10 : jump pod-/.test(list()), 'the server isolated');
    assert.equal(await podWatches(), 1, 'a policy exists: pods are watched');
    assert.match(list(), /elements = \{ 10\.42\.8\.11 \}/);
    assert.match(list(), /ip saddr \{ 10\.42\.7\.1, 192\.168\.77\.20 \} accept/, 'the node and its bridge address');
    assert.match(list(), /tcp dport 8080 accept/);

    const c = await pods().get('np-client');
    await pods().update({ ...c, metadata: { ...c.metadata, labels: { role: 'other' } } } as Pod);
    await eventually(() => !list().includes('10.42.8.11'), 'the relabelled client out of the set');

    ns.exec('nft', ['delete', 'table', 'ip', TABLE]);
    await eventually(() => /10\.42\.7\.10 : jump pod-/.test(list()), 'the table reinstalled');

    await enforcer.stop({ keepRules: true });
    assert.match(list(), /10\.42\.7\.10 : jump pod-/, 'kept on request (a restarting agent)');
    enforcer = await startNetworkPolicyEnforcer({ client, nodeName: 'np-a', table: TABLE, netns: ns.name, logger: quietLogger });
    await enforcer.stop();
    enforcer = undefined;
    assert.equal(list(), '');
  });

  it('an egress named port follows the destination pods declaring it as they come and go', async () => {
    enforcer = await startNetworkPolicyEnforcer({ client, nodeName: 'np-a', table: TABLE, netns: ns.name, logger: quietLogger });
    await client.resource<NetworkPolicy>(resources.networkpolicies, 'default').create({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np-out' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }], ports: [{ protocol: 'TCP', port: 'sql' }] }] },
    } as NetworkPolicy);
    await eventually(() => /10\.42\.7\.10 : jump egress-/.test(list()), 'the server egress-isolated');
    assert.doesNotMatch(list(), /th dport/, 'no destination declares the name yet: nothing allowed');
    const db = await runningPod('np-db', '10.42.8.20', { role: 'db' }, 'np-b', [{ name: 'sql', containerPort: 5432 }]);
    await eventually(() => list().includes('10.42.8.20 . tcp . 5432'), 'the new destination\'s port, by its name');
    await pods().updateStatus({ ...db, status: { phase: 'Succeeded', podIP: '10.42.8.20', podIPs: [{ ip: '10.42.8.20' }] } } as Pod);
    await eventually(() => !list().includes('10.42.8.20'), 'gone with its pod');
    assert.match(list(), /10\.42\.7\.10 : jump egress-/, 'still isolated: the rule now allows nothing');

    // A real packet from the server's address, denied: its chain's drop counter counts it. The netns's
    // own traffic crosses the input hook, where egress is checked too (a pod's packets to its node).
    ns.exec('ip', ['addr', 'add', '10.42.7.10/32', 'dev', 'lo']);
    const before = (await readPolicyDrops(TABLE, { netns: ns.name })).egress['default/np-server'];
    assert.equal(before, 0, 'nothing dropped yet');
    ns.exec(process.execPath, ['-e', "const s = require('node:dgram').createSocket('udp4'); s.bind(0, '10.42.7.10', () => s.send('x', 9, '10.42.7.10', () => s.close()));"]);
    assert.equal((await readPolicyDrops(TABLE, { netns: ns.name })).egress['default/np-server'], 1, 'the datagram dropped by the policy');
    await enforcer.stop();
    enforcer = undefined;
  });
});
