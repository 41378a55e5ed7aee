/**
 * Services on real containers through `bosun server`'s nftables proxy, driven by kubectl 1.32:
 * a ClusterIP answers from the node and from another pod, spreading requests over every ready
 * replica; a NodePort answers on the node address; a LoadBalancer Service gets the node's address
 * as its ingress (the built-in ServiceLB) and serves it, and with externalTrafficPolicy: Local a
 * client outside the cluster (its own network namespace) is seen with its real address, where
 * Cluster policy masquerades it, and its health check node port answers 200 with the local replica
 * count; deleting a Service removes its rules; SIGTERM to the server
 * removes the proxy's table. Needs root; `npm run build` and scripts/build-test-images.sh first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Service } from '../../src/api/kinds/core/service.js';
import { waitFor } from '../../src/testing/node-server.js';
import { CLIENT_POD, clientNetns, clientOf, podWget, hostnamesOf, httpGet, startServicesNode, whoDeployment, type ServicesNode, stopServicesNode } from './services-harness.js';

let node: ServicesNode;
let nodeIP: string;
let netns: ReturnType<typeof clientNetns> | undefined;

const REPLICAS = 3;
const svcYaml = (name: string, spec: string) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
  ${spec}
`;

async function getSvc(name: string): Promise<Service> {
  return JSON.parse(await node.k('get', 'svc', name, '-o', 'json')) as Service;
}

async function readyPodNames(): Promise<string[]> {
  const out = await node.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
  return out.split('\n').map((l) => l.split(' ')).filter(([, r]) => r === 'True').map(([n]) => n!);
}

describe('services: ClusterIP, NodePort, LoadBalancer on real pods', { timeout: 180_000 }, () => {
  before(async () => {
    node = await startServicesNode();
    nodeIP = await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
    await node.kubectl(['apply', '-f', '-'], { input: whoDeployment('web', REPLICAS) + '---' + CLIENT_POD });
    await node.kubectl(['apply', '-f', '-'], { input: svcYaml('web', 'type: ClusterIP') });
    await waitFor('3 ready web pods and the client', async () => (await readyPodNames()).length === REPLICAS
      && (await node.k('get', 'pod', 'client', '-o', 'jsonpath={.status.phase}')) === 'Running', 90_000, 500);
  });
  after(async () => {
    netns?.remove();
    await stopServicesNode(node);
  });

  it('a ClusterIP answers from the node and spreads requests over every ready replica', async () => {
    const ip = (await getSvc('web')).spec!.clusterIP!;
    const pods = await readyPodNames();
    await waitFor('the ClusterIP to answer', () => httpGet(ip, 80).then(() => true), 10_000);
    const seen = await hostnamesOf(() => httpGet(ip, 80), 60);
    assert.deepEqual([...new Set(seen)].sort(), [...pods].sort(), `60 requests reached ${JSON.stringify(Object.fromEntries(pods.map((p) => [p, seen.filter((s) => s === p).length])))}`);
  });

  it('a ClusterIP answers from another pod (kubectl exec wget), by address', async () => {
    const ip = (await getSvc('web')).spec!.clusterIP!;
    const pods = new Set(await readyPodNames());
    const seen = new Set<string>();
    for (let i = 0; i < 15; i++) seen.add((await node.k('exec', 'client', '--', ...podWget(`http://${ip}/cgi-bin/who`))).trim().split(' ')[0]!);
    for (const h of seen) assert.ok(pods.has(h), `answer from ${h}, not a web pod`);
    assert.ok(seen.size >= 2, `15 requests from a pod reached only ${[...seen].join(', ')}`);
  });

  it('a NodePort answers on the node address', async () => {
    await node.kubectl(['apply', '-f', '-'], { input: svcYaml('web-np', 'type: NodePort') });
    const port = (await getSvc('web-np')).spec!.ports![0]!.nodePort!;
    assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`);
    const body = await waitFor(`${nodeIP}:${port} to answer`, () => httpGet(nodeIP, port), 10_000);
    assert.ok((await readyPodNames()).includes(body.split(' ')[0]!), body);
  });

  it('a LoadBalancer Service gets the node address as ingress and serves it; Local policy keeps the client address', async () => {
    await node.kubectl(['apply', '-f', '-'], { input: svcYaml('web-lb', 'type: LoadBalancer') + '---' + svcYaml('web-local', 'type: LoadBalancer\n  externalTrafficPolicy: Local').replace('port: 80,', 'port: 8081,') });
    const ingressOf = async (name: string) => (await getSvc(name)).status?.loadBalancer?.ingress?.map((i) => i.ip).join(',');
    assert.equal(await waitFor('web-lb ingress', () => ingressOf('web-lb'), 10_000), nodeIP);
    assert.equal(await waitFor('web-local ingress', () => ingressOf('web-local'), 10_000), nodeIP);
    // kubectl shows it as the EXTERNAL-IP.
    assert.match(await node.k('get', 'svc', 'web-lb'), new RegExp(`LoadBalancer\\s+\\S+\\s+${nodeIP.replace(/\./g, '\\.')}\\s+80:`));

    netns = clientNetns(node.table);
    const fromOutside = (port: number): string => netns!.exec(['wget', '-qO-', '-T', '3', `http://${nodeIP}:${port}/cgi-bin/who`]).trim();
    const local = await waitFor('web-local from outside', () => fromOutside(8081), 10_000);
    assert.equal(clientOf(local), netns.address, `Local policy: the backend saw ${local}`);
    const cluster = await waitFor('web-lb from outside', () => fromOutside(80), 10_000);
    assert.notEqual(clientOf(cluster), netns.address, `Cluster policy masquerades: the backend saw ${cluster}`);
    // And from the node itself.
    assert.ok((await readyPodNames()).includes((await httpGet(nodeIP, 80)).split(' ')[0]!));
    // The proxy's health check node port tells a load balancer this node has the replicas (kube-proxy's service health server).
    const hc = (await getSvc('web-local')).spec!.healthCheckNodePort!;
    const res = await fetch(`http://${nodeIP}:${hc}/`);
    assert.deepEqual([res.status, await res.json()], [200, { service: { namespace: 'default', name: 'web-local' }, localEndpoints: REPLICAS, serviceProxyHealthy: true }]);
  });

  it('deleting a Service removes its rules', async () => {
    const np = await getSvc('web-np');
    const ip = np.spec!.clusterIP!;
    assert.match(node.nftTable(), new RegExp(`default/web-np/tcp/http`));
    assert.ok(node.nftTable().includes(ip));
    await node.k('delete', 'svc', 'web-np');
    await waitFor('the rules of web-np to go', () => !node.nftTable().includes('default/web-np/') && !node.nftTable().includes(`${ip} `), 5000, 100);
    assert.match(node.nftTable(), /default\/web\/tcp\/http/, 'the other Services keep theirs');
  });

  // The proxy table stays on SIGTERM, as kube-proxy's (test/e2e/node-killall.test.ts); stop() drops it after.
  it('SIGTERM to the server once its pods are gone leaves nothing of them behind', async () => {
    assert.notEqual(node.nftTable(), '');
    await node.k('delete', 'deployment', '--all', '--wait=false');
    const { exitCode, leftovers } = await node.stop();
    assert.equal(exitCode, 0, node.output());
    for (const [what, v] of Object.entries(leftovers)) assert.ok(Array.isArray(v) ? v.length === 0 : v === false, `left ${what}: ${JSON.stringify(v)}`);
  });
});
