/**
 * The kubectl 1.32 command sweep: commands a user runs that the other kubectl-*.test.ts files do not
 * cover, each found broken against a real single-node Bosun (the compiled `bosun server` with its
 * node, real containers) and fixed. One node for the whole file; pods are shared between checks.
 * Needs root and scripts/build-test-images.sh; `npm run build` first.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { eventually } from '../../src/testing/eventually.js';
import { useNodeServer } from '../../src/testing/node-server.js';

const IMAGE = 'bosun.test/busybox:1';

const SCALED = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: sweep-scale}
spec:
  replicas: 1
  selector: {matchLabels: {app: sweep-scale}}
  template:
    metadata: {labels: {app: sweep-scale}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: ${IMAGE}, command: [sleep, '3600']}]
`;

/** A pod answering HTTP on 8080 (its first declared port) and a Service whose named port leads to it. */
const WEB = `
apiVersion: v1
kind: Pod
metadata: {name: sweep-web, labels: {app: sweep-web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${IMAGE}
    command: [sh, -c, 'mkdir -p /www/sub && echo page-of-$(hostname) > /www/sub/index.html && exec httpd -f -p 8080 -h /www']
    ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: sweep-web}
spec:
  selector: {app: sweep-web}
  ports: [{name: site, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: sweep-pending}
spec:
  nodeSelector: {sweep: nowhere}
  containers: [{name: c, image: ${IMAGE}}]
---
apiVersion: v1
kind: Service
metadata: {name: sweep-none}
spec:
  selector: {app: sweep-nothing}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: sweep-manual}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: sweep-manual}
subsets: [{addresses: [{ip: 192.0.2.77}], ports: [{port: 80}]}]
`;

describe('kubectl command sweep', { timeout: 120_000 }, () => {
  const node = useNodeServer();

  test('run -i --rm: the output after stdin ends comes back, as the runtime closes stdin once (stdinOnce)', async () => {
    // kubectl run -i makes the container with stdin and stdinOnce, attaches, sends its stdin and
    // closes it. As kubelet's generateContainerConfig passes StdinOnce, containerd then closes the
    // container's stdin (the second read sees end of input) and keeps the attach's stdout open until
    // the process exits. Without it the attach's output closed with stdin and `cat` never ended.
    const script = 'read first; echo got-$first; cat >/dev/null; echo stdin-closed';
    const r = await node().kubectl(['run', 'sweep-run', '-i', '--rm', '--restart=Never', `--image=${IMAGE}`, '--', 'sh', '-c', script], { input: 'go\n', timeoutMs: 40_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^got-go\nstdin-closed\n/m);
    assert.match(r.stdout, /pod "sweep-run" deleted/);
  });

  test('debug node/NAME: a pod in the node\'s network and PID namespaces with its root at /host', async () => {
    // As upstream's generateNodeDebugPod (profile general): hostNetwork, hostPID, / mounted at /host.
    const n = node();
    const script = 'test -d /host/proc -a -d /host/etc && echo host-root-mounted; echo pid1=$(cat /proc/1/comm)';
    const out = await n.k('debug', `node/${n.nodeName}`, `--image=${IMAGE}`, '--profile=general', '--', 'sh', '-c', script);
    const pod = /Creating debugging pod (\S+) with container/.exec(out)?.[1];
    assert.ok(pod, out);
    await n.k('wait', '--for=jsonpath={.status.phase}=Succeeded', `pod/${pod}`, '--timeout=60s');
    const [mounted, pid1] = (await n.k('logs', pod)).trim().split('\n');
    assert.equal(mounted, 'host-root-mounted');
    assert.notEqual(pid1, 'pid1=sh', 'the host\'s PID 1, not the container\'s own shell');
    const ips = await n.k('get', `pod/${pod}`, `node/${n.nodeName}`, '-o', 'jsonpath={.items[0].status.podIP} {.items[1].status.addresses[?(@.type=="InternalIP")].address}');
    const [podIP, nodeIP] = ips.split(' ');
    assert.equal(podIP, nodeIP);
    await n.k('delete', 'pod', pod);
  });

  test('get --raw through pods/proxy and services/proxy reaches the pod, as kube-apiserver\'s ProxyREST', async () => {
    // Discovery lists both subresources; they answered 404 before.
    const k = node().k;
    const applied = await node().kubectl(['apply', '-f', '-'], { input: WEB });
    assert.equal(applied.code, 0, applied.stderr);
    await k('wait', '--for=condition=Ready', 'pod/sweep-web', '--timeout=60s');
    await k('wait', '--for=jsonpath={.subsets[0].addresses[0].ip}', 'endpoints/sweep-web', '--timeout=60s');
    const page = 'page-of-sweep-web\n';
    const base = '/api/v1/namespaces/default';
    // A port given, or the first declared container port (upstream's pod ResourceLocation).
    assert.equal(await k('get', '--raw', `${base}/pods/sweep-web:8080/proxy/sub/index.html`), page);
    assert.equal(await k('get', '--raw', `${base}/pods/sweep-web/proxy/sub/index.html`), page);
    // A Service port by number (turned into its name) or by name, to a ready endpoint address.
    assert.equal(await k('get', '--raw', `${base}/services/sweep-web:80/proxy/sub/index.html`), page);
    assert.equal(await k('get', '--raw', `${base}/services/http:sweep-web:site/proxy/sub/index.html`), page);
    const none = await node().kubectl(['get', '--raw', `${base}/services/sweep-none:80/proxy/`]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /\(ServiceUnavailable\): no endpoints available for service "sweep-none"/);
    // An address that is no pod's (an Endpoints written by hand) is not dialled (upstream's isValidAddress).
    const manual = await node().kubectl(['get', '--raw', `${base}/services/sweep-manual/proxy/`]);
    assert.match(manual.stderr, /\(ServiceUnavailable\): no endpoints available for service "sweep-manual"/);
    // A pod without an address is not dialled (upstream: only global unicast addresses).
    const pending = await node().kubectl(['get', '--raw', `${base}/pods/sweep-pending:80/proxy/`]);
    assert.match(pending.stderr, /\(BadRequest\): address not allowed/);
    const noPort = await node().kubectl(['get', '--raw', `${base}/services/sweep-web:81/proxy/`]);
    assert.match(noPort.stderr, /no service port 81 found for service "sweep-web"/);
  });

  test('get --subresource=scale prints the Scale columns (NAME DESIRED AVAILABLE AGE), as upstream\'s printScale', async () => {
    const k = node().k;
    const created = await node().kubectl(['apply', '-f', '-'], { input: SCALED });
    assert.equal(created.code, 0, created.stderr);
    await k('wait', '--for=jsonpath={.status.replicas}=1', 'deploy/sweep-scale', '--timeout=60s');
    const [head, row] = (await k('get', 'deploy', 'sweep-scale', '--subresource=scale')).trim().split('\n');
    assert.deepEqual(head?.split(/\s+/), ['NAME', 'DESIRED', 'AVAILABLE', 'AGE']);
    assert.deepEqual(row?.split(/\s+/).slice(0, 3), ['sweep-scale', '1', '1']);
    await k('delete', 'deploy', 'sweep-scale');
  });

  test('the node reports its ephemeral-storage and a pod requesting some is scheduled and runs', async () => {
    // describe node showed ephemeral-storage 0 and such a pod stayed Pending: Insufficient ephemeral-storage.
    const k = node().k;
    const capacity = await k('get', 'node', node().nodeName, '-o', 'jsonpath={.status.capacity.ephemeral-storage}');
    assert.match(capacity, /^[1-9]\d*Ki$/);
    await k('run', 'sweep-eph', `--image=${IMAGE}`, '--restart=Never', '--overrides',
      JSON.stringify({ spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'sweep-eph', image: IMAGE, command: ['sleep', '3600'], resources: { requests: { 'ephemeral-storage': '10Mi' } } }] } }));
    await k('wait', '--for=condition=Ready', 'pod/sweep-eph', '--timeout=60s');
  });

  test('get --raw /readyz?verbose lists the checks, as kube-apiserver (it answered a bare ok)', async () => {
    const k = node().k;
    assert.equal(await k('get', '--raw', '/readyz?verbose'), '[+]ping ok\n[+]log ok\n[+]shutdown ok\nreadyz check passed\n');
    assert.equal(await k('get', '--raw', '/livez?verbose'), '[+]ping ok\n[+]log ok\nlivez check passed\n');
    assert.equal(await k('get', '--raw', '/readyz/shutdown'), 'ok');
    assert.equal(await k('get', '--raw', '/healthz'), 'ok');
  });

  test('cluster-info lists the cluster DNS Service, labelled kubernetes.io/cluster-service as k3s\'s CoreDNS', async () => {
    const out = await node().k('cluster-info');
    assert.match(out, /^Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(out, /^bosun-dns is running at https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy$/m);
  });

  test('--show-managed-fields names upstream\'s managers: kube-controller-manager, kubelet (both were "bosun-agent"/"bosun")', async () => {
    // Upstream's components write with client-go's User-Agent, `<binary>/v1.32.0 (linux/amd64) ...`,
    // whose program the API server records as the field manager (prefixFromUserAgent).
    const n = node();
    await n.k('create', 'deployment', 'sweep-fm', `--image=${IMAGE}`, '--', 'sleep', '3600');
    await n.k('wait', '--for=condition=Available', 'deploy/sweep-fm', '--timeout=60s');
    const managers = async (...what: string[]): Promise<string[]> => {
      const out = await n.k('get', ...what, '--show-managed-fields', '-o', 'jsonpath={range .metadata.managedFields[*]}{.manager}:{.operation}:{.subresource}{"\\n"}{end}');
      return out.trim().split('\n').sort();
    };
    assert.deepEqual(await managers('deploy', 'sweep-fm'), ['kube-controller-manager:Update:status', 'kubectl-create:Update:']);
    const pod = await n.k('get', 'pod', '-l', 'app=sweep-fm', '-o', 'jsonpath={.items[0].metadata.name}');
    assert.deepEqual(await managers('pod', pod), ['kube-controller-manager:Update:', 'kubelet:Update:status']);
    assert.ok((await managers('node', n.nodeName)).includes('kubelet:Update:status'), 'the node status the agent writes');
    await n.k('delete', 'deploy', 'sweep-fm');
  });

  test('get --raw nodes/NODE/proxy/configz and proxy/logs/ answer as the kubelet\'s /configz and /logs/ (404 before)', async () => {
    const n = node();
    const cfg = (JSON.parse(await n.k('get', '--raw', `/api/v1/nodes/${n.nodeName}/proxy/configz`)) as { kubeletconfig: Record<string, unknown> }).kubeletconfig;
    const podCIDR = await n.k('get', 'node', n.nodeName, '-o', 'jsonpath={.spec.podCIDR}');
    assert.deepEqual([cfg.podCIDR, cfg.clusterDomain, cfg.maxPods, cfg.cgroupDriver, cfg.cgroupRoot], [podCIDR, 'cluster.local', 110, 'cgroupfs', n.cgroupRoot]);
    // The host's /var/log, listed as Go's http.FileServer lists a directory.
    const listing = await n.k('get', '--raw', `/api/v1/nodes/${n.nodeName}/proxy/logs/`);
    assert.match(listing, /^<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n/);
    const listed = [...listing.matchAll(/<a href="[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]!.replace(/\/$/, '')).sort();
    assert.deepEqual(listed, readdirSync('/var/log').filter((f) => !f.includes('<') && !f.includes('&')).sort());
  });

  test('describe node shows kubelet\'s events: Starting kubelet. and the condition changes (Events: <none> before)', async () => {
    const n = node();
    // Recorded as kubelet does, about the Node with its name as UID, which describe also asks for.
    const text = await eventually(async () => {
      const out = await n.k('describe', 'node', n.nodeName);
      return /Normal\s+NodeReady\s.*Node \S+ status is now: NodeReady/.test(out) && out;
    }, 'the NodeReady event in describe node', { timeoutMs: 30_000, intervalMs: 500 });
    assert.match(text, /Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\./);
    for (const reason of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) {
      assert.match(text, new RegExp(`Normal\\s+${reason}\\s+\\S+\\s+kubelet\\s+Node ${n.nodeName} status is now: ${reason}`));
    }
  });
});
