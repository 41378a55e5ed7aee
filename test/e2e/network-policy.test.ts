/**
 * NetworkPolicy enforced on a real node (src/network-policy), as upstream's e2e
 * test/e2e/network/netpol/network_policy.go checks it, with the real kubectl 1.32: a server pod and
 * two client pods; before any policy both reach the server (by pod IP and through its ClusterIP);
 * a policy allowing only pods labelled role=client on port 8080 lets the labelled client in and
 * shuts the other out (also through the ClusterIP: the filter sees the pod's address after DNAT;
 * the server's drop counter shows the policy dropped it),
 * while the kubelet's readiness probe, from the node, keeps passing; deleting the policy restores
 * access; an egress policy lets the other client out only to what it allows (DNS included, only
 * once allowed; the server by its container port's name); the node's policy table is recorded, so stopping the node removes it. Needs root;
 * `npm run build` and scripts/build-test-images.sh first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { readHostResources } from '../../src/cluster/host-resources.js';
import { readPolicyDrops } from '../../src/network-policy/drop-counters.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';
import { freeDnsPort, httpGet, startServicesNode, stopServicesNode, whoDeployment, type ServicesNode } from './services-harness.js';

let node: ServicesNode;
let table: string;
let dnsPort: number;
const tableExists = (): boolean => {
  try {
    execFileSync('nft', ['list', 'table', 'ip', table], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const clientPod = (name: string, labels: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {${labels}}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: bosun.test/busybox:1, command: [sh, -c, 'while true; do sleep 1; done']}]
`;
const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n';
/** A policy of one rule: `name` selects pods labelled `selects`, lets `dir` traffic from/to pods labelled `peer` on TCP `port` (a number or a container port name). */
const policyYaml = (name: string, selects: string, dir: 'Ingress' | 'Egress', peer: string, port: number | string): string => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}}
spec:
  podSelector: {matchLabels: {${selects}}}
  policyTypes: [${dir}]
  ${dir === 'Ingress' ? 'ingress' : 'egress'}:
  - ${dir === 'Ingress' ? 'from' : 'to'}: [{podSelector: {matchLabels: {${peer}}}}]
    ports: [{protocol: TCP, port: ${port}}]
`;
const POLICY = policyYaml('only-clients', 'app: web', 'Ingress', 'role: client', 8080);

/**
 * An audit log of the watches on networkpolicies (audit.k8s.io/v1, level Metadata), for the flags
 * of a node: `watchers()` names the users that opened one. The enforcer watches as system:kube-proxy;
 * the control plane's garbage collector watches every resource too, so a watch count alone says nothing.
 */
function policyWatchAudit(): { args: string[]; watchers(): string[]; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-np-audit-'));
  const policy = join(dir, 'policy.yaml');
  const log = join(dir, 'audit.log');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  verbs: [watch]\n  resources: [{group: networking.k8s.io, resources: [networkpolicies]}]\n');
  return {
    args: ['--audit-policy-file', policy, '--audit-log-path', log],
    watchers: () => (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { user?: { username?: string } }).user?.username ?? ''),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether `pod` gets an answer from `url` within 2 s (busybox wget bounded by `timeout`: its -T crashes). */
async function reaches(pod: string, url: string): Promise<boolean> {
  const r = await node.kubectl(['exec', pod, '--', 'timeout', '2', 'wget', '-qO-', url]);
  return r.code === 0 && r.stdout.includes(' ');
}

describe('NetworkPolicy ingress enforced with nftables', { timeout: 240_000 }, () => {
  const audit = policyWatchAudit();
  let serverIP: string;
  let clusterIP: string;
  before(async () => {
    dnsPort = await freeDnsPort();
    node = await startServicesNode({ extraArgs: ['--cluster-dns-port', String(dnsPort), ...audit.args] });
    table = `${node.table}-netpol`;
    await node.kubectl(['apply', '-f', '-'], { input: `${whoDeployment('web', 1)}---\n${SERVICE}---${clientPod('allowed', 'role: client')}---${clientPod('other', 'role: other')}` });
    await waitFor('the server ready and both clients running', async () => {
      const out = await node.k('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
      return out.split('\n').filter((l) => l.endsWith('Running True')).length === 3;
    }, 120_000, 500);
    serverIP = await node.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}');
    clusterIP = await node.k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
  });
  after(async () => {
    await node?.kubectl(['delete', 'pods', 'allowed', 'other', '--grace-period=1', '--wait=false']);
    await stopServicesNode(node);
    if (table && tableExists()) execFileSync('nft', ['delete', 'table', 'ip', table]);
    audit.remove();
  });

  it('without a policy both clients reach the server, by pod IP and ClusterIP; nothing is isolated', async () => {
    for (const pod of ['allowed', 'other']) {
      assert.ok(await waitFor(`${pod} to reach the pod`, () => reaches(pod, `http://${serverIP}:8080/cgi-bin/who`), 20_000, 500));
      assert.ok(await reaches(pod, `http://${clusterIP}/cgi-bin/who`), `${pod} through the ClusterIP`);
    }
    const text = execFileSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8' });
    assert.doesNotMatch(text, / : jump pod-/, text);
    assert.ok(audit.watchers().includes('system:kube-proxy'), `the enforcer watches NetworkPolicies as system:kube-proxy: ${audit.watchers().join(', ')}`);
  });

  it('a policy allowing role=client on 8080: the labelled client connects, the other is cut off, probes keep passing', async () => {
    const created = await node.kubectl(['apply', '-f', '-'], { input: POLICY });
    assert.equal(created.code, 0, created.stderr);
    assert.doesNotMatch(created.stderr, /Warning/, 'an Ingress-only policy is enforced: no warning');
    await waitFor('the other client to be refused', async () => !(await reaches('other', `http://${serverIP}:8080/cgi-bin/who`)), 20_000, 500);
    const podName = await node.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
    const dropped = async (): Promise<number> => (await readPolicyDrops(table)).ingress[`default/${podName}`] ?? -1;
    const before = await dropped();
    assert.equal(await reaches('other', `http://${clusterIP}/cgi-bin/who`), false, 'the ClusterIP is judged by the pod address after DNAT');
    const after = await dropped();
    assert.ok(before >= 0 && after > before, `the refused connection's packets were dropped by the policy (the server's chain counter ${before} -> ${after}), not lost elsewhere`);
    assert.ok(await reaches('allowed', `http://${serverIP}:8080/cgi-bin/who`), 'the labelled client by pod IP');
    assert.ok(await reaches('allowed', `http://${clusterIP}/cgi-bin/who`), 'the labelled client through the ClusterIP');
    // Traffic from the node itself passes, as upstream plugins allow it: this process, and the kubelet's probe.
    assert.match(await httpGet(serverIP, 8080), / /);
    const since = await node.k('get', 'pod', podName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].lastTransitionTime}');
    // A readiness probe every second with failureThreshold 1: the refused attempts above took 4 s.
    assert.equal(await node.k('get', 'pod', podName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), 'True');
    assert.ok(await reaches('allowed', `http://${serverIP}:8080/cgi-bin/who`));
    assert.equal(await node.k('get', 'pod', podName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].lastTransitionTime}'), since, 'the pod never went unready');
    assert.equal(await node.k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[0].endpoints[0].conditions.ready}'), 'true');
    const text = execFileSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8' });
    assert.match(text, new RegExp(`${serverIP.replaceAll('.', '\\.')} : jump pod-`), text);
  });

  it('an isolated pod has no IPv6 address, so its link-local address cannot bypass the IPv4 policy', async () => {
    // The pod network and the policy table are IPv4 only; before the agent turned IPv6 off in pod
    // network namespaces, every pod's eth0 had an fe80:: address that a neighbour on the same node
    // reached whatever the policy said (wget http://[fe80::...%eth0]:8080 answered 200).
    const podName = await node.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
    const inet6 = await node.kubectl(['exec', podName, '--', 'cat', '/proc/net/if_inet6']);
    assert.equal(inet6.code, 0, inet6.stderr);
    // /proc/net/if_inet6: one line per address, the interface name last. Loopback keeps ::1.
    const devices = inet6.stdout.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/).at(-1));
    assert.deepEqual(devices, ['lo'], `IPv6 addresses in the pod: ${inet6.stdout}`);
    const other = await node.kubectl(['exec', 'other', '--', 'cat', '/proc/sys/net/ipv6/conf/eth0/disable_ipv6']);
    assert.equal(other.stdout.trim(), '1', other.stderr);
  });

  it('deleting the policy restores access', async () => {
    await node.k('delete', 'networkpolicy', 'only-clients');
    assert.ok(await waitFor('the other client to reach the server again', () => reaches('other', `http://${serverIP}:8080/cgi-bin/who`), 20_000, 500));
    assert.ok(await reaches('other', `http://${clusterIP}/cgi-bin/who`));
  });

  it('egress: a policy isolating the other client lets out only what it allows; DNS only when allowed, as upstream', async () => {
    const egress = (port: number | string): string => policyYaml('other-out', 'role: other', 'Egress', 'app: web', port);
    // busybox nslookup's exit status counts the search-path misses too: the answer naming the ClusterIP is the success.
    const dns = async (pod: string): Promise<boolean> => {
      const r = await node.kubectl(['exec', pod, '--', 'timeout', '3', 'nslookup', '-type=a', 'web']);
      return new RegExp(`^Address:\\s*${clusterIP.replaceAll('.', '\\.')}\\s*$`, 'm').test(r.stdout);
    };
    assert.ok(await waitFor('DNS from the other client before any egress policy', () => dns('other'), 20_000, 500));
    const created = await node.kubectl(['apply', '-f', '-'], { input: egress(9999) });
    assert.equal(created.code, 0, created.stderr);
    assert.doesNotMatch(created.stderr, /Warning/, created.stderr);
    await waitFor('the other client cut off on 8080', async () => !(await reaches('other', `http://${serverIP}:8080/cgi-bin/who`)), 20_000, 500);
    assert.equal(await reaches('other', `http://${clusterIP}/cgi-bin/who`), false, 'through the ClusterIP too (judged after DNAT)');
    assert.equal(await dns('other'), false, 'DNS is not allowed unless the policy says so');
    assert.ok(await reaches('allowed', `http://${serverIP}:8080/cgi-bin/who`), 'the unselected client is not affected');
    assert.ok(await dns('allowed'));

    // The cluster DNS answers on the node's address at its port (53 in a real cluster; the test node's own here): after DNAT, that is what the policy sees.
    // The server's port by its name (its containerPort `http`, 8080), resolved on the destination pod as upstream.
    const allowed = await node.kubectl(['apply', '-f', '-'], { input: `${egress('http')}  - ports: [{protocol: UDP, port: ${dnsPort}}, {protocol: TCP, port: ${dnsPort}}]\n` });
    assert.doesNotMatch(allowed.stderr, /Warning/, 'an egress named port is enforced: no warning');
    assert.ok(await waitFor('the other client let out to the server on its named port', () => reaches('other', `http://${serverIP}:8080/cgi-bin/who`), 20_000, 500));
    assert.ok(await reaches('other', `http://${clusterIP}/cgi-bin/who`), 'through the ClusterIP (80 -> 8080)');
    assert.ok(await dns('other'), 'DNS once allowed (its port to anywhere: the cluster DNS answers on the node address)');
    await node.k('delete', 'networkpolicy', 'other-out');
  });

  it("stopping the node removes its policy table (it is in the node's host resources, as killall's)", async () => {
    assert.ok(tableExists(), 'the table while the node runs');
    await node.kubectl(['delete', 'pods', 'allowed', 'other', '--grace-period=1', '--wait=false']);
    await stopServicesNode(node);
    assert.equal(tableExists(), false);
  });
});

describe('--disable-network-policy (k3s\'s flag): no enforcer on the node', { timeout: 120_000 }, () => {
  // The proxy table is named here, so that a policy table an earlier run left can be planted first.
  const proxyTable = `bznp${randomBytes(3).toString('hex')}`;
  const stale = `${proxyTable}-netpol`;
  const exists = (t: string): boolean => {
    try {
      execFileSync('nft', ['list', 'table', 'ip', t], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  let off: NodeServer | undefined;
  const audit = policyWatchAudit();
  before(async () => {
    // A table a node left when it stopped (pods stay isolated across a restart): with the flag it would isolate by stale rules.
    execFileSync('nft', ['-f', '-'], { input: `table ip ${stale} {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n}\n` });
    off = await startNodeServer({ extraArgs: ['--proxy-table', proxyTable, '--disable-network-policy', ...audit.args], importImages: false });
  });
  after(async () => {
    try {
      await off?.stop();
    } finally {
      await off?.forceCleanup();
      for (const t of [proxyTable, stale]) if (exists(t)) execFileSync('nft', ['delete', 'table', 'ip', t]);
      audit.remove();
    }
  });

  it('the node is Ready, with no policy table (the stale one removed), none recorded, and no NetworkPolicy watch, also once a policy exists', async () => {
    assert.ok(exists(proxyTable), 'the proxy runs (its table under the name given)');
    assert.equal(exists(stale), false, 'the table an earlier run left is removed');
    assert.equal(readHostResources(join(off!.dataDir, 'node'))?.policyTable, undefined, 'killall has no policy table to look for');
    const created = await off!.kubectl(['apply', '-f', '-'], { input: POLICY });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(await off!.k('get', 'networkpolicy', 'only-clients', '-o', 'jsonpath={.metadata.name}'), 'only-clients', 'the API still serves policies');
    // The API server is up before the node starts: any enforcer would have opened its watch by now (it syncs before the node registers).
    assert.ok(!audit.watchers().includes('system:kube-proxy'), `no enforcer watches them: ${audit.watchers().join(', ')}`);
    assert.ok(audit.watchers().length > 0, 'the audit log records the control plane\'s watch (the check can see one)');
    assert.equal(exists(stale), false);
  });
});
