/**
 * Upstream's [sig-network] conformance tests that need a node (test/e2e/network/dns.go, service.go,
 * networking.go, endpointslice.go, hostport.go, proxy.go), on one `bosun server` with its node, proxy
 * and cluster DNS (on a free port behind the kube-dns Service), in the namespace cf-net: probes run
 * in a busybox pod (conformance-network-harness.ts says which busybox command stands for which
 * upstream tool). Traffic stays on the node: pod to pod, pod to ClusterIP, pod to the node's own
 * address. This file starts the node and holds the HostPort and Proxy tests; the others are declared
 * into its describe by conformance-network-dns.ts, -services.ts and -udp.ts. Needs root; `npm run
 * build`, scripts/build-test-images.sh and scripts/build-test-webhook-image.sh (proxy.go's porter) first.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KubeClient } from '../../src/client/index.js';
import { resources } from '../../src/client/resource-ref.js';
import { waitFor } from '../../src/testing/node-server.js';
import { RawClient } from '../../src/testing/raw-client.js';
import { freeDnsPort, httpGet, startServicesNode, stopServicesNode, type ServicesNode } from './services-harness.js';
import { httpGetFrom, NETEXEC_COMMAND, proxyVerb } from './conformance-network-checks.js';
import { dnsConformanceTests } from './conformance-network-dns.js';
import { BUSYBOX, importWebhookImage, kubectlApply, NS, OBJECTS, podYaml } from './conformance-network-harness.js';
import { checkProxyTable, proxyExpectations, startPorter, stopPorter } from './conformance-network-proxy.js';
import { serviceConformanceTests } from './conformance-network-services.js';
import { isUdpServerPod, netexecContainer, startUdpServers, udpConformanceTests, udpFromNode } from './conformance-network-udp.js';

let node: ServicesNode;
let client: KubeClient;
let nodeIP: string;
const apply = (yaml: string): Promise<void> => kubectlApply(node, yaml);

// The tests are independent (objects of their own, the shared pods only read) and run at once: most
// of their time is waiting on the node (pods starting and stopping, rules programmed).
describe('[sig-network] conformance on a real node', { timeout: 240_000, concurrency: true }, () => {
  before(async () => {
    node = await startServicesNode({ extraArgs: ['--cluster-dns-port', String(await freeDnsPort())] });
    client = KubeClient.fromKubeconfig(node.kubeconfig);
    // The image of conformance-network-udp.ts's and -proxy.ts's pods, imported while this file's
    // start (their tests wait for it); the UDP servers are created right after this file's objects.
    importWebhookImage(node).catch(() => undefined);
    nodeIP = await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
    await node.k('create', 'namespace', NS);
    await waitFor('the default ServiceAccount', () => client.resource(resources.serviceaccounts, NS).get('default'), 20_000);
    await apply(OBJECTS);
    startUdpServers(node).catch(() => undefined);
    await waitFor('every pod ready', async () => {
      const pods = (await client.pods(NS).list()).items.filter((p) => !isUdpServerPod(p.metadata.labels));
      return pods.length === 7 && pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 90_000, 300).catch(async (err: Error) => { throw new Error(`${err.message}\n${await node.k('-n', NS, 'get', 'pods', '-o', 'wide')}`); });
  });
  after(async () => {
    client?.close();
    await stopServicesNode(node);
  });

  // dns.go: conformance-network-dns.ts.
  dnsConformanceTests(() => ({ node, client, nodeIP }));

  // service.go, networking.go (TCP) and endpointslice.go: conformance-network-services.ts.
  serviceConformanceTests(() => ({ node, client, nodeIP }));

  it('[sig-network] HostPort validates that there is no conflict between pods with same hostPort but different hostIP and protocol [LinuxOnly] [Conformance]', async () => {
    // Upstream's port is 54323; a random one here, as other clusters may share the host.
    const port = 40_000 + randomInt(10_000);
    // netexec: busybox httpd for the TCP pods, socat answering UDP for pod3 (conformance-network-udp.ts).
    const hostPortPod = (name: string, hostIP: string, protocol: string) => {
      const ports = `[{containerPort: 8080, hostPort: ${port}, hostIP: '${hostIP}', protocol: ${protocol}}]`;
      return podYaml(name, { hostport: 'true' }, `nodeName: ${node.nodeName}`,
        protocol === 'UDP' ? netexecContainer(8080, undefined, ports) : `[{name: c, image: ${BUSYBOX}, command: ${NETEXEC_COMMAND(8080)}, ports: ${ports}}]`);
    };
    await importWebhookImage(node);
    await apply([hostPortPod('hostport-pod1', '127.0.0.1', 'TCP'), hostPortPod('hostport-pod2', nodeIP, 'TCP'), hostPortPod('hostport-pod3', nodeIP, 'UDP')].join('---'));
    await waitFor('the three pods running on the node', async () => {
      const pods = (await client.pods(NS).list({ labelSelector: 'hostport=true' })).items;
      return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName === node.nodeName);
    }, 60_000, 300);
    // From the node's network (upstream: a hostNetwork pod): 127.0.0.1 with the node's address as
    // source, and the node's address over TCP and over UDP (upstream's `nc -vuz` only sees no ICMP
    // error; here pod3 answers with its hostname).
    const hostname1 = await waitFor('pod1 on 127.0.0.1', () => httpGetFrom(nodeIP, '127.0.0.1', port, '/hostname'), 20_000, 300);
    const hostname2 = await waitFor(`pod2 on ${nodeIP}`, () => httpGet(nodeIP, port, '/hostname', 2000), 20_000, 300);
    const hostname3 = await waitFor(`pod3 on ${nodeIP} UDP`, () => udpFromNode(nodeIP, port), 20_000, 300);
    assert.deepEqual([hostname1, hostname2, hostname3], ['hostport-pod1', 'hostport-pod2', 'hostport-pod3']);
  });

  // proxy.go: porter on plain and TLS ports behind a Service (conformance-network-proxy.ts); upstream
  // asks each URL 20 times, 3 rounds here keep it to seconds.
  it('[sig-network] Proxy version v1 should proxy through a service and a pod [Conformance]', async () => {
    const { service, pod } = await startPorter(node, client);
    const raw = new RawClient(node.url, node.dataDir);
    try {
      await checkProxyTable(raw, proxyExpectations(service, pod), 3);
    } finally {
      raw.close();
      await stopPorter(client, service);
    }
  });

  // proxy.go: the agnhost pod (porter --json-response, SERVE_PORT_80=foo) and test-service in front of it.
  it('[sig-network] Proxy version v1 A set of valid responses are returned for both pod and service ProxyWithPath [Conformance]', async () => {
    const raw = new RawClient(node.url, node.dataDir);
    try {
      for (const verb of ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']) {
        await proxyVerb(raw, `/api/v1/namespaces/${NS}/pods/agnhost/proxy/some/path/with/${verb}`, verb);
        await proxyVerb(raw, `/api/v1/namespaces/${NS}/services/test-service/proxy/some/path/with/${verb}`, verb);
      }
    } finally {
      raw.close();
    }
  });

  it('[sig-network] Proxy version v1 A set of valid responses are returned for both pod and service Proxy [Conformance]', async () => {
    const raw = new RawClient(node.url, node.dataDir);
    try {
      for (const verb of ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']) {
        await proxyVerb(raw, `/api/v1/namespaces/${NS}/pods/agnhost/proxy?method=${verb}`, verb);
        await proxyVerb(raw, `/api/v1/namespaces/${NS}/services/test-service/proxy?method=${verb}`, verb);
      }
      // GET and HEAD of the proxy root without its trailing slash are redirected to it (301).
      for (const verb of ['GET', 'HEAD']) {
        for (const path of [`/api/v1/namespaces/${NS}/pods/agnhost/proxy?method=${verb}`, `/api/v1/namespaces/${NS}/services/test-service/proxy?method=${verb}`]) {
          assert.equal((await raw.request(path, { method: verb })).status, 301, `${verb} ${path}`);
        }
      }
    } finally {
      raw.close();
    }
  });

  // The tests that need a UDP server: conformance-network-udp.ts.
  udpConformanceTests(() => ({ node, client, nodeIP }));
});
