/**
 * The whole service path on a real kernel: pods (HTTP servers on addresses in a throwaway network
 * namespace) -> EndpointSlice controller -> proxy -> nftables -> connections to the ClusterIP.
 * Requests spread over both ready pods; a pod that turns not Ready stops receiving traffic; a
 * deleted Service stops answering. A connection attempt that a dead endpoint never answered does
 * not capture a later connection from the same source port once the endpoint is gone, whether it
 * went to the ClusterIP or to a NodePort. loadBalancerSourceRanges drop other sources at the
 * LoadBalancer IP; the health check node port of an externalTrafficPolicy Local Service reports the
 * node's ready local endpoints; pods reach a Local-policy NodePort with no endpoint on this node;
 * ClientIP affinity pins a client.
 */
import type { ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../api/kinds/core/pod.js';
import { KubeClient } from '../client/kube-client.js';
import { Manager } from '../controller-runtime/manager.js';
import { addEndpointSliceController } from '../controllers/endpointslice/endpointslice-controller.js';
import { startTestServer, type TestServer } from '../testing/test-cluster.js';
import { startProxy, type Proxy } from './proxy.js';
import { createNetns, netnsUnavailable } from './testing/netns.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { eventuallyWith } from '../testing/eventually.js';

/** The node's address, where its NodePorts answer. */
const NODE_IP = '10.42.0.100';

/** Each check runs a client in the netns: every 50 ms is often enough. */
const eventually = eventuallyWith({ intervalMs: 50 });

/** Answers its name, or at /who the client address it sees. */
const SERVER = `require('node:http').createServer((q, r) => r.end(q.url === '/who' ? q.socket.remoteAddress : process.argv[2])).listen(8080, process.argv[1], () => console.log('listening'))`;
const CLIENT = `
const http = require('node:http');
const [host, n] = [process.argv[1], Number(process.argv[2])];
const out = [];
function one(i) {
  if (i >= n) return console.log(JSON.stringify(out));
  const req = http.get({ host, port: 80, path: '/', agent: false, timeout: 1000 }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => { out.push(b); one(i + 1); }); });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => { out.push('ERR ' + e.message); one(i + 1); });
}
one(0);
`;
/** One request to argv[1]:argv[2] from address argv[3] (path argv[4], default /): the body, or ERR and why. */
const FROM_CLIENT = `
const req = require('node:http').get({ host: process.argv[1], port: Number(process.argv[2]), path: process.argv[4] ?? '/', agent: false, localAddress: process.argv[3], timeout: 500 }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(b)); });
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => console.log('ERR ' + e.message));
`;
/** A LoadBalancer IP and a client outside the cluster, both reached through lo. */
const LB_IP = '198.51.100.10';
const OUTSIDE_IP = '203.0.113.5';
/** One request from a fixed source port (to port 80, or argv[3]): the body, or ERR and why. */
const FIXED_PORT_CLIENT = `
const req = require('node:http').get({ host: process.argv[1], port: Number(process.argv[3] ?? 80), path: '/', agent: false, localPort: Number(process.argv[2]), timeout: 500 }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(b)); });
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (e) => console.log('ERR ' + e.message));
`;

describe('service path through the kernel', { skip: netnsUnavailable() }, () => {
  let ts: TestServer;
  let client: KubeClient;
  let mgr: Manager;
  let proxy: Proxy;
  let ns: ReturnType<typeof createNetns>;
  const servers: ChildProcess[] = [];

  before(async () => {
    ns = createNetns();
    ns.exec('ip', ['addr', 'add', '10.42.0.11/32', 'dev', 'lo']);
    ns.exec('ip', ['addr', 'add', '10.42.0.12/32', 'dev', 'lo']);
    ns.exec('ip', ['addr', 'add', '10.42.0.99/32', 'dev', 'lo']);
    ns.exec('ip', ['addr', 'add', `${NODE_IP}/32`, 'dev', 'lo']);
    ns.exec('ip', ['route', 'add', '10.43.0.0/16', 'dev', 'lo', 'src', '10.42.0.99']);
    ns.exec('ip', ['addr', 'add', `${OUTSIDE_IP}/32`, 'dev', 'lo']);
    ns.exec('ip', ['route', 'add', `${LB_IP}/32`, 'dev', 'lo', 'src', '10.42.0.99']);
    // A dead node's pod: frames to it leave by a veth whose other end takes no one's (PACKET_OTHERHOST).
    ns.exec('ip', ['link', 'add', 'dead0', 'type', 'veth', 'peer', 'name', 'dead1']);
    for (const dev of ['dead0', 'dead1']) ns.exec('ip', ['link', 'set', dev, 'up']);
    // NodePort traffic is masqueraded to the outgoing interface's address: without one it is dropped untracked.
    ns.exec('ip', ['addr', 'add', '10.42.9.1/32', 'dev', 'dead0']);
    ns.exec('ip', ['route', 'add', '10.42.9.0/24', 'dev', 'dead0']);
    ns.exec('ip', ['neigh', 'add', '10.42.9.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'dead0', 'nud', 'permanent']);
    for (const [ip, name] of [['10.42.0.11', 'a'], ['10.42.0.12', 'b']] as const) {
      const s = ns.spawn(process.execPath, ['-e', SERVER, ip, name]);
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
        s.once('exit', () => reject(new Error('server exited')));
      });
    }
    ts = await startTestServer();
    client = KubeClient.fromKubeconfig(ts.kubeconfig);
    mgr = new Manager({ kubeconfig: ts.kubeconfig, logger: quietLogger });
    addEndpointSliceController(mgr);
    await mgr.start();
    proxy = await startProxy({ client, nodeName: 'node-a', nodeIPs: [NODE_IP], netns: ns.name, logger: quietLogger, healthCheckAddresses: ['127.0.0.1'] });
  });
  after(async () => {
    await proxy?.stop();
    await mgr?.stop();
    client?.close();
    await ts?.stop();
    for (const s of servers) s.kill('SIGKILL');
    ns.remove();
  });

  const requests = (ip: string, n: number): string[] => JSON.parse(ns.exec(process.execPath, ['-e', CLIENT, ip, String(n)])) as string[];

  async function runPod(name: string, ip: string, ready: boolean, app = 'web', node = 'node-a'): Promise<void> {
    const pods = client.pods<Pod>('default');
    try {
      await pods.create({
        apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
      } as Pod);
    } catch {
      // exists: only the status changes
    }
    const cur = await pods.get(name);
    await pods.updateStatus({ ...cur, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } } as Pod);
  }

  it('spreads over ready pods, drops a not-ready one, stops with the Service', async () => {
    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const ip = svc.spec!.clusterIP!;
    // No endpoints yet: refused at once (reject), not a timeout.
    await eventually(() => requests(ip, 1)[0]!.includes('ECONNREFUSED'), 'reject without endpoints');

    await runPod('web-a', '10.42.0.11', true);
    await runPod('web-b', '10.42.0.12', true);
    await eventually(() => {
      const got = new Set(requests(ip, 30));
      return got.has('a') && got.has('b') && got.size === 2;
    }, 'both pods answering through the ClusterIP');

    await runPod('web-b', '10.42.0.12', false);
    await eventually(() => requests(ip, 20).every((b) => b === 'a'), 'only the ready pod answering');

    await client.services('default').delete('web');
    await eventually(() => requests(ip, 1)[0]!.startsWith('ERR'), 'no answer after the Service is gone');
  });

  it('an attempt a removed endpoint never answered does not capture a later connection from its source port', async () => {
    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web2' },
      spec: { selector: { app: 'web2' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const ip = svc.spec!.clusterIP!;
    const fromPort = (port: number): string => ns.exec(process.execPath, ['-e', FIXED_PORT_CLIENT, ip, String(port)]).trim();
    const endpoints = (): string => [...(proxy.current()?.tcp.get(ip) ?? [])].join(' ');
    await runPod('web2-dead', '10.42.9.9', true, 'web2');
    await eventually(() => endpoints() === '10.42.9.9', 'the proxy sending the ClusterIP to the dead endpoint');
    // The attempt times out and its SYN_SENT entry stays (nf_conntrack_tcp_timeout_syn_sent, 120 s).
    assert.match(fromPort(40123), /^ERR/);
    assert.match(ns.exec('conntrack', ['-L', '-p', 'tcp', '--orig-dst', ip]), /SYN_SENT .* sport=40123 dport=80 \[UNREPLIED\] src=10\.42\.9\.9 /);
    await runPod('web2-live', '10.42.0.11', true, 'web2');
    await runPod('web2-dead', '10.42.9.9', false, 'web2');
    await eventually(() => endpoints() === '10.42.0.11', 'the proxy sending the ClusterIP to the live endpoint alone');
    // The kernel may hand a later connection that source port again: the rules decide, not the old entry.
    await eventually(() => fromPort(40123) === 'a', 'a new connection from port 40123 answered by the live endpoint');
    await client.services('default').delete('web2');
  });

  it('an attempt at a NodePort that a removed endpoint never answered does not capture a later connection from its source port', async () => {
    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web3' },
      spec: { type: 'NodePort', selector: { app: 'web3' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const ip = svc.spec!.clusterIP!;
    const nodePort = String(svc.spec!.ports![0]!.nodePort);
    const fromPort = (port: number): string => ns.exec(process.execPath, ['-e', FIXED_PORT_CLIENT, NODE_IP, String(port), nodePort]).trim();
    // The ClusterIP's endpoints are rendered in the same sync as the NodePort's.
    const endpoints = (): string => [...(proxy.current()?.tcp.get(ip) ?? [])].join(' ');
    await runPod('web3-dead', '10.42.9.9', true, 'web3');
    await eventually(() => endpoints() === '10.42.9.9', 'the proxy sending the Service to the dead endpoint');
    assert.match(fromPort(40125), /^ERR/);
    assert.match(ns.exec('conntrack', ['-L', '-p', 'tcp', '--orig-port-dst', nodePort]), new RegExp(`SYN_SENT .*dst=${NODE_IP.replaceAll(".", "\\.")} sport=40125 dport=${nodePort} \\[UNREPLIED\\] src=10\\.42\\.9\\.9 `));
    await runPod('web3-live', '10.42.0.11', true, 'web3');
    await runPod('web3-dead', '10.42.9.9', false, 'web3');
    await eventually(() => endpoints() === '10.42.0.11', 'the proxy sending the Service to the live endpoint alone');
    await eventually(() => fromPort(40125) === 'a', 'a new connection from port 40125 to the NodePort answered by the live endpoint');
    await client.services('default').delete('web3');
  });

  it('loadBalancerSourceRanges: the LoadBalancer IP answers clients in the ranges only', async () => {
    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web4' },
      spec: { type: 'LoadBalancer', selector: { app: 'web4' }, loadBalancerSourceRanges: ['203.0.113.0/24'], ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await client.services('default').updateStatus({ ...svc, status: { loadBalancer: { ingress: [{ ip: LB_IP }] } } });
    const from = (src: string): string => ns.exec(process.execPath, ['-e', FROM_CLIENT, LB_IP, '80', src]).trim();
    await runPod('web4-a', '10.42.0.11', true, 'web4');
    await eventually(() => from(OUTSIDE_IP) === 'a', 'a client in the range answered through the LoadBalancer IP');
    // A source outside the ranges is dropped (no answer at all), through the LoadBalancer IP only.
    assert.match(from('10.42.0.99'), /^ERR timeout/);
    assert.equal(ns.exec(process.execPath, ['-e', FROM_CLIENT, svc.spec!.clusterIP!, '80', '10.42.0.99']).trim(), 'a');
    const cur = await client.services('default').get('web4');
    await client.services('default').update({ ...cur, spec: { ...cur.spec, loadBalancerSourceRanges: undefined } });
    await eventually(() => from('10.42.0.99') === 'a', 'every client answered once the ranges are gone');
    await client.services('default').delete('web4');
  });

  it('the health check node port of a Local LoadBalancer reports ready local endpoints', async () => {
    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web5' },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: 'web5' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const port = svc.spec!.healthCheckNodePort!;
    assert.ok(port > 0);
    const check = async (): Promise<string> => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/any/path`);
        return `${res.status} ${res.headers.get('content-type')} ${JSON.stringify(await res.json())}`;
      } catch (err) {
        return `ERR ${String(err)}`;
      }
    };
    const body = (n: number): string => JSON.stringify({ service: { namespace: 'default', name: 'web5' }, localEndpoints: n, serviceProxyHealthy: true });
    await eventually(async () => (await check()) === `503 application/json ${body(0)}`, '503 without endpoints');
    await runPod('web5-far', '10.42.9.9', true, 'web5', 'node-b');
    await runPod('web5-a', '10.42.0.11', true, 'web5');
    await eventually(async () => (await check()) === `200 application/json ${body(1)}`, '200 with the one local endpoint');
    await runPod('web5-a', '10.42.0.11', false, 'web5');
    await eventually(async () => (await check()) === `503 application/json ${body(0)}`, '503 once the local endpoint is not ready');
    await client.services('default').delete('web5');
    await eventually(async () => (await check()).startsWith('ERR'), 'the port closed with the Service');
  });

  it('externalTrafficPolicy Local: pods reach the NodePort without a local endpoint, outside clients only a local one, with their address kept', async () => {
    // A pod in its own namespace behind a veth, so its packets take the node's prerouting path.
    const pod = createNetns();
    try {
      ns.exec('ip', ['link', 'add', 'vnode', 'type', 'veth', 'peer', 'name', 'vpod']);
      ns.exec('ip', ['link', 'set', 'vpod', 'netns', pod.name]);
      ns.exec('ip', ['addr', 'add', '10.42.0.1/32', 'dev', 'vnode']);
      ns.exec('ip', ['link', 'set', 'vnode', 'up']);
      for (const ip of ['10.42.0.50', '203.0.113.7']) ns.exec('ip', ['route', 'add', `${ip}/32`, 'dev', 'vnode']);
      for (const ip of ['10.42.0.50', '203.0.113.7']) pod.exec('ip', ['addr', 'add', `${ip}/32`, 'dev', 'vpod']);
      pod.exec('ip', ['link', 'set', 'vpod', 'up']);
      pod.exec('ip', ['route', 'add', '10.42.0.1/32', 'dev', 'vpod']);
      pod.exec('ip', ['route', 'add', 'default', 'via', '10.42.0.1']);
      const svc = await client.services('default').create({
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'web6' },
        spec: { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'web6' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
      const nodePort = String(svc.spec!.ports![0]!.nodePort);
      const from = (src: string, path = '/'): string => pod.exec(process.execPath, ['-e', FROM_CLIENT, NODE_IP, nodePort, src, path]).trim();
      // The endpoint is another node's (its server happens to listen in this namespace).
      await runPod('web6-b', '10.42.0.11', true, 'web6', 'node-b');
      await eventually(() => from('10.42.0.50') === 'a', 'a pod answered through the NodePort by the other node\'s endpoint');
      assert.match(from('203.0.113.7'), /^ERR timeout/);
      await runPod('web6-a', '10.42.0.12', true, 'web6');
      await eventually(() => from('203.0.113.7') === 'b', 'an outside client answered by the local endpoint');
      assert.deepEqual(new Set(Array.from({ length: 5 }, () => from('203.0.113.7'))), new Set(['b']));
      assert.equal(from('203.0.113.7', '/who'), '203.0.113.7');
      await client.services('default').delete('web6');
    } finally {
      pod.remove();
    }
  });

  it('ClientIP affinity pins a client to one endpoint in a set with the Service\'s timeout', async () => {
    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web7' },
      spec: { selector: { app: 'web7' }, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const ip = svc.spec!.clusterIP!;
    await runPod('web7-a', '10.42.0.11', true, 'web7');
    await runPod('web7-b', '10.42.0.12', true, 'web7');
    await eventually(() => proxy.current()?.tcp.get(ip)?.size === 2, 'both endpoints rendered');
    const got = requests(ip, 20);
    assert.equal(new Set(got).size, 1, `one endpoint for one client: ${got.join(' ')}`);
    // The client's address sits in the chosen endpoint's affinity set, expiring after timeoutSeconds.
    const sets = ns.exec('nft', ['list', 'table', 'ip', 'bosun']);
    assert.match(sets, new RegExp(`set affinity-\\w+-default/web7/tcp/http__10\\.42\\.0\\.1${got[0] === 'a' ? 1 : 2}/8080 \\{[^}]*timeout 1m[^}]*elements = \\{ 10\\.42\\.0\\.99 (timeout 1m )?expires`));
    await client.services('default').delete('web7');
  });
});
