/**
 * Upstream's [sig-network] conformance tests that need a UDP server (networking.go's intra-pod and
 * node-pod udp checks, service.go's "same port and different protocols"; HostPort's UDP pod uses the
 * server too), and conntrack.go's UDP server-cycle tests, declared into the describe of
 * conformance-network.test.ts so they share its node. Upstream's server is agnhost netexec
 * (`--udp-port`: a datagram `hostname` is answered with the pod's hostname); the busybox-static of
 * bosun.test/busybox:1 (1.35) has neither `nc -u` nor udpsvd, so here netexec's UDP and TCP sides
 * are socat (SYSTEM: a shell script per datagram or connection) from bosun.test/webhook:1, and so
 * is the client in the exec pod (upstream `echo hostName | nc -u -w 2`). Real packets: pod to pod,
 * node to pod, pod to ClusterIP and to a NodePort through the node's nftables proxy.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { it } from 'node:test';
import type { ServicePort } from '../../src/api/kinds/core/service.js';
import type { EndpointSlice } from '../../src/api/kinds/discovery/endpoint-slice.js';
import type { KubeClient } from '../../src/client/kube-client.js';
import { resources } from '../../src/client/resource-ref.js';
import { waitFor } from '../../src/testing/node-server.js';
import { getService, importWebhookImage, NS, podYaml, serviceYaml, updateService, type NetworkConformance } from './conformance-network-harness.js';
import type { ServicesNode } from './services-harness.js';

const NETEXEC_IMAGE = 'bosun.test/webhook:1';
/** upstream EndpointUDPPort. */
const UDP_PORT = 8081;

/** netexec's answer to one datagram or connection: `hostname` (any case) -> the pod's hostname, else nothing. */
const NETEXEC_SCRIPT = String.raw`read -r c
          case "$c" in [Hh][Oo][Ss][Tt][Nn][Aa][Mm][Ee]) cat /proc/sys/kernel/hostname ;; esac`;

/** A netexec container: UDP on `udp`, and TCP on `tcp` when given (same script); `ports` its containerPorts. */
export function netexecContainer(udp: number, tcp?: number, ports = `[{containerPort: ${udp}, protocol: UDP}]`): string {
  const tcpServer = tcp ? `socat TCP4-LISTEN:${tcp},fork,reuseaddr SYSTEM:'sh /tmp/netexec' &\n          ` : '';
  return `
      - name: netexec
        image: ${NETEXEC_IMAGE}
        command:
        - sh
        - -c
        - |
          cat > /tmp/netexec <<'EOF'
          ${NETEXEC_SCRIPT}
          EOF
          ${tcpServer}exec socat UDP4-RECVFROM:${udp},fork SYSTEM:'sh /tmp/netexec'
        ports: ${ports}`;
}

/** The exec pod (upstream CreateExecPodOrFail / the test container): socat for a client. */
const EXEC_POD = 'udp-exec';
const SETUP = [
  // One netserver: upstream's NewCoreNetworkingTestConfig makes one per schedulable node.
  podYaml('netserver-0', { 'cf-udp': 'netserver' }, '', netexecContainer(UDP_PORT)),
  podYaml(EXEC_POD, { 'cf-udp': 'exec' }, '', `[{name: c, image: ${NETEXEC_IMAGE}, command: [sh, -c, 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done']}]`),
].join('---');

/**
 * `echo hostname | nc` to each target (`udp:IP:port` or `tcp:IP:port`, then socat options such as
 * `,sourceport=N`) from the exec pod, at once: the answers by target. socat's -t 1: it waits one
 * second after sending for the answer (UDP has no end of stream).
 */
async function fromExecPod(node: ServicesNode, targets: string[]): Promise<Record<string, string>> {
  const socat = (t: string) => `${t.slice(0, 3).toUpperCase()}4:${t.slice(4)}`;
  const script = targets.map((t) => `(echo "${t} $(echo hostname | socat -t 1 - ${socat(t)} 2>/dev/null)") &`).join(' ');
  // Not inPod: the image has no `timeout`, and socat ends by itself.
  const r = await node.kubectl(['-n', NS, 'exec', EXEC_POD, '--', 'sh', '-c', `${script} wait`]);
  const out = r.stdout;
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ')).filter((f) => targets.includes(f[0]!)).map((f) => [f[0]!, f.slice(1).join(' ')]));
}

/** `echo hostname | nc -u -w 2 ip port` from the node (DialFromNode's hostexec pod): the answer. */
export function udpFromNode(ip: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const done = (v: string | undefined) => { clearTimeout(timer); sock.close(); resolve(v); };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('message', (m) => done(m.toString('utf8').trim()));
    sock.on('error', () => done(undefined));
    sock.send('hostname\n', port, ip);
  });
}

/** validateEndpointsPortsWithProtocolsOrFail: Endpoints and EndpointSlices both name `want` (pod -> `name/port/protocol`). */
function expectPortsWithProtocols(client: KubeClient, svc: string, want: Record<string, string[]>): Promise<true> {
  const add = (m: Record<string, string[]>, pod: string | undefined, p: { name?: string; port?: number; protocol?: string }) => {
    if (pod) m[pod] = [...(m[pod] ?? []), `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}`].sort();
  };
  return waitFor(`${svc} endpoints ${JSON.stringify(want)}`, async () => {
    const endpoints: Record<string, string[]> = {};
    for (const ss of (await client.endpoints(NS).get(svc)).subsets ?? []) for (const a of ss.addresses ?? []) for (const p of ss.ports ?? []) add(endpoints, a.targetRef?.name, p);
    const slices: Record<string, string[]> = {};
    const list = await client.resource<EndpointSlice>(resources.endpointslices, NS).list({ labelSelector: `kubernetes.io/service-name=${svc}` });
    for (const s of list.items) for (const e of s.endpoints ?? []) for (const p of s.ports ?? []) add(slices, e.targetRef?.name, p);
    assert.deepEqual({ endpoints, slices }, { endpoints: want, slices: want });
    return true;
  }, 60_000, 300);
}

const started = new WeakMap<ServicesNode, Promise<void>>();
/**
 * The image imported, then the netserver and exec pods created, once per node: the file's before()
 * starts it beside its own pods, and the tests wait for it.
 */
export function startUdpServers(node: ServicesNode): Promise<void> {
  let p = started.get(node);
  if (!p) {
    started.set(node, (p = (async () => {
      await importWebhookImage(node);
      const r = await node.kubectl(['apply', '-f', '-'], { input: SETUP });
      assert.equal(r.code, 0, r.stderr);
    })()));
  }
  return p;
}

/** Whether a pod is one of startUdpServers' (the file's before() waits for its own pods only). */
export const isUdpServerPod = (labels: Record<string, string> | undefined): boolean => labels?.['cf-udp'] !== undefined;

/** Declares the UDP tests in the caller's describe; `ctx` is read once its before() has run. */
export function udpConformanceTests(ctx: () => NetworkConformance): void {
  let setup: Promise<Map<string, string>> | undefined;
  /** Once for the tests: the netserver pods and the exec pod running; netserver name -> IP. */
  const netservers = (): Promise<Map<string, string>> => (setup ??= (async () => {
    const { node, client } = ctx();
    await startUdpServers(node);
    return waitFor('the netserver and exec pods running', async () => {
      const pods = (await client.pods(NS).list({ labelSelector: 'cf-udp' })).items;
      return pods.length === 2 && pods.every((p) => p.status?.phase === 'Running' && p.status.podIP)
        && new Map(pods.filter((p) => p.metadata.labels?.['cf-udp'] === 'netserver').map((p) => [p.metadata.name!, p.status!.podIP!]));
    }, 60_000, 300);
  })());

  it('[sig-network] Networking Granular Checks: Pods should function for intra-pod communication: udp [NodeConformance] [Conformance]', async () => {
    const pods = await netservers();
    const want = Object.fromEntries([...pods].map(([name, ip]) => [`udp:${ip}:${UDP_PORT}`, name]));
    // DialFromTestContainer: each endpoint pod answers `hostname` with its own name.
    await waitFor('every netserver answering over UDP', async () => {
      const got = await fromExecPod(ctx().node, Object.keys(want));
      assert.deepEqual(got, want);
      return true;
    }, 30_000, 300);
  });

  it('[sig-network] Networking Granular Checks: Pods should function for node-pod communication: udp [LinuxOnly] [NodeConformance] [Conformance]', async () => {
    for (const [name, ip] of await netservers()) {
      assert.equal(await waitFor(`${name} answering the node over UDP`, () => udpFromNode(ip, UDP_PORT), 30_000, 300), name);
    }
  });

  it('[sig-network] Services should serve endpoints on same port and different protocols [Conformance]', async () => {
    const { node, client } = ctx();
    await startUdpServers(node);
    const labels = { app: 'multiport' };
    const tcpPort: ServicePort = { name: 'tcp-port', port: 80, targetPort: 80, protocol: 'TCP' };
    const udpPort: ServicePort = { name: 'udp-port', port: 80, targetPort: 80, protocol: 'UDP' };
    const r = await node.kubectl(['apply', '-f', '-'], {
      input: [
        serviceYaml('multiprotocol-test', { selector: labels, ports: JSON.stringify([tcpPort, udpPort]) }),
        podYaml('multiprotocol-pod1', labels, '', netexecContainer(80, 80, '[{name: tcp-port, containerPort: 80, protocol: TCP}, {name: udp-port, containerPort: 80, protocol: UDP}]')),
      ].join('---'),
    });
    assert.equal(r.code, 0, r.stderr);
    await expectPortsWithProtocols(client, 'multiprotocol-test', { 'multiprotocol-pod1': ['tcp-port/80/TCP', 'udp-port/80/UDP'] });
    const ip = (await getService(client, 'multiprotocol-test')).spec!.clusterIP!;
    await netservers();
    // testEndpointReachability: an answer (the pod's hostname) on TCP and on UDP, both probed at once.
    const expectAnswers = (want: { tcp: boolean; udp: boolean }) => waitFor(`${ip}:80 answering ${JSON.stringify(want)}`, async () => {
      const got = await fromExecPod(node, [`tcp:${ip}:80`, `udp:${ip}:80`]);
      return (got[`tcp:${ip}:80`] === 'multiprotocol-pod1') === want.tcp && (got[`udp:${ip}:80`] === 'multiprotocol-pod1') === want.udp;
    }, 30_000, 300);
    await expectAnswers({ tcp: true, udp: true });
    await updateService(client, 'multiprotocol-test', (s) => { s.spec!.ports = [tcpPort]; });
    await expectAnswers({ tcp: true, udp: false });
    await updateService(client, 'multiprotocol-test', (s) => { s.spec!.ports = [udpPort]; });
    await expectAnswers({ tcp: false, udp: true });
  });

  // conntrack.go's "should be able to preserve UDP traffic when server pod cycles for a ClusterIP
  // service" and "... for a NodePort service" (not [Conformance]) in one: a client keeps sending from
  // one source port per frontend (one conntrack flow each, its timeout renewed by every datagram)
  // while the Service's only backend is replaced; the proxy must delete the flows NATed to the
  // deleted pod so that the next datagrams reach the new one. The NodePort flow was not deleted (the
  // proxy matched only ClusterIP destinations): stuck on the deleted pod while the client sent.
  it('[sig-network] Conntrack should be able to preserve UDP traffic when server pod cycles for a ClusterIP service and for a NodePort service', async () => {
    const { node, client, nodeIP } = ctx();
    await startUdpServers(node);
    const labels = { app: 'svc-udp' };
    const backend = (n: number) => podYaml(`svc-udp-backend${n}`, labels, '', netexecContainer(80));
    const apply = async (yaml: string) => { const r = await node.kubectl(['apply', '-f', '-'], { input: yaml }); assert.equal(r.code, 0, r.stderr); };
    await apply([serviceYaml('svc-udp', { selector: labels, ports: '[{name: udp, port: 80, targetPort: 80, protocol: UDP}]', spec: 'type: NodePort' }), backend(1)].join('---'));
    const svc = await getService(client, 'svc-udp');
    // Upstream's client port is 12345; the two frontends need a flow each.
    const flows = [`udp:${svc.spec!.clusterIP}:80,sourceport=12345`, `udp:${nodeIP}:${svc.spec!.ports![0]!.nodePort},sourceport=12346`];
    await netservers();
    const reach = (pod: string) => waitFor(`${flows.join(' ')} answered by ${pod}`, async () => {
      const got = await fromExecPod(node, flows);
      return flows.every((f) => got[f] === pod);
    }, 30_000, 100);
    await reach('svc-udp-backend1');
    await node.k('-n', NS, 'delete', 'pod', 'svc-udp-backend1', '--wait=false');
    await apply(backend(2));
    await reach('svc-udp-backend2');
  });
}
