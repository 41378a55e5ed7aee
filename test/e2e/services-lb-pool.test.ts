/**
 * The built-in load balancer with an address pool (`bosun server --service-lb-pool`): each
 * LoadBalancer Service gets its own pool address as status.loadBalancer.ingress, the node's proxy
 * serves it (from the node and from a client outside the cluster routed through the node), and
 * the address goes back to the pool when the Service is deleted. Needs root; `npm run build` and
 * scripts/build-test-images.sh first.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../src/testing/node-server.js';
import { clientNetns, httpGet, startServicesNode, whoDeployment, type ServicesNode, stopServicesNode } from './services-harness.js';

let node: ServicesNode;
let netns: ReturnType<typeof clientNetns> | undefined;
// Two addresses of 198.51.100.0/24 (TEST-NET-2, routed nowhere): the proxy answers for them.
const base = randomInt(120) * 2;
const POOL = [`198.51.100.${base + 1}`, `198.51.100.${base + 2}`];

const lb = (name: string) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;

const ingressOf = async (name: string): Promise<string> =>
  node.k('get', 'svc', name, '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}');

describe('service LB with an address pool', { timeout: 120_000 }, () => {
  before(async () => {
    node = await startServicesNode({ extraArgs: ['--service-lb-pool', `${POOL[0]}-${POOL[1]}`] });
    await node.kubectl(['apply', '-f', '-'], { input: whoDeployment('web', 1) });
    await waitFor('a ready web pod', async () => (await node.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}')) === 'True', 90_000, 500);
  });
  after(async () => {
    netns?.remove();
    await stopServicesNode(node);
  });

  it('gives each Service its own pool address, serves it, and frees it on delete', async () => {
    await node.kubectl(['apply', '-f', '-'], { input: `${lb('a')}---${lb('b')}---${lb('c')}` });
    const a = await waitFor('a ingress', () => ingressOf('a'), 10_000);
    const b = await waitFor('b ingress', () => ingressOf('b'), 10_000);
    assert.deepEqual([a, b].sort(), [...POOL].sort());
    assert.equal(await ingressOf('c'), '', 'the pool has two addresses');
    assert.match(await node.k('get', 'svc', 'c'), /<pending>/);

    assert.match(await waitFor(`${a} from the node`, () => httpGet(a, 80), 10_000), /^web-/);
    netns = clientNetns(node.table);
    // The client's only route is through the node, which answers for the pool addresses.
    const outside = netns.exec(['wget', '-qO-', '-T', '3', `http://${b}/cgi-bin/who`]);
    assert.match(outside, /^web-/);

    await node.k('delete', 'svc', 'a');
    assert.equal(await waitFor('c to take the freed address', () => ingressOf('c'), 10_000), a);
    assert.match(await waitFor(`${a} serving c`, () => httpGet(a, 80), 10_000), /^web-/);
  });
});
