/**
 * Cluster DNS from inside a real pod (`bosun server` with its node's DNS server on a free port,
 * reached through the kube-dns Service (10.43.0.10:53 by default) the proxy maps to it): busybox nslookup
 * resolves `svc`, `svc.ns` and `svc.ns.svc.cluster.local` to the ClusterIP through the pod's
 * search path (busybox wget's libc resolver for svc.ns), a headless Service to its ready pods'
 * IPs, an ExternalName to its CNAME. Needs root; `npm run build` and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../src/testing/node-server.js';
import { CLIENT_POD, freeDnsPort, podWget, startServicesNode, whoDeployment, type ServicesNode, stopServicesNode } from './services-harness.js';

let node: ServicesNode;

const SERVICES = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec: {clusterIP: None, selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: web.default.svc.cluster.local}
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: team}
spec: {selector: {app: api}, ports: [{port: 80}]}
`;

/** `nslookup name` in the client pod: the answer's A addresses (after the server's own lines) and CNAME targets. */
async function lookup(name: string): Promise<{ addresses: string[]; cnames: string[]; out: string }> {
  const r = await node.kubectl(['exec', 'client', '--', 'timeout', '10', 'nslookup', '-type=a', name]);
  const out = r.stdout + r.stderr;
  const answer = out.split(/\n\s*\n/).slice(1).join('\n');
  const addresses = [...answer.matchAll(/^Address:\s*(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]!).sort();
  const cnames = [...out.matchAll(/canonical name = (\S+?)\.?$/gm)].map((m) => m[1]!);
  return { addresses, cnames, out };
}

describe('cluster DNS from a pod', { timeout: 150_000 }, () => {
  before(async () => {
    node = await startServicesNode({ extraArgs: ['--cluster-dns-port', String(await freeDnsPort())] });
    await node.kubectl(['apply', '-f', '-'], { input: `${whoDeployment('web', 2)}---${CLIENT_POD}---${SERVICES}` });
    await waitFor('2 ready web pods and the client', async () => {
      const ready = await node.k('get', 'pods', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
      return ready.split('\n').filter((s) => s === 'True').length === 3;
    }, 90_000, 500);
  });
  after(async () => {
    await stopServicesNode(node);
  });

  it('the pod resolves through the kube-dns Service with the Kubernetes search path', async () => {
    const conf = await node.k('exec', 'client', '--', 'cat', '/etc/resolv.conf');
    // The kube-dns Service's address (the 10th of the service network: 10.43.0.10 by default; each
    // test node has a service network of its own).
    const dnsIP = await node.k('get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}');
    assert.match(dnsIP, /^10\.\d+\.0\.10$/);
    assert.match(conf, new RegExp(`^nameserver ${dnsIP.replaceAll('.', '\\.')}$`, 'm'));
    assert.match(conf, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m);
    assert.match(conf, /^options ndots:5$/m);
  });

  it('svc, svc.ns and svc.ns.svc.cluster.local resolve to the ClusterIP', async () => {
    const web = await node.k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
    const api = await node.k('get', 'svc', 'api', '-n', 'team', '-o', 'jsonpath={.spec.clusterIP}');
    // busybox nslookup applies the search path only to names without a dot.
    for (const [name, ip] of [['web', web], ['web.default.svc.cluster.local', web], ['api.team.svc.cluster.local', api]] as const) {
      const r = await waitFor(`${name} to resolve`, async () => { const l = await lookup(name); return l.addresses.length > 0 && l; }, 10_000, 500);
      assert.deepEqual(r.addresses, [ip], `${name}:\n${r.out}`);
    }
    const missing = await lookup('nosuch.default.svc.cluster.local');
    assert.deepEqual(missing.addresses, [], missing.out);
    // The libc resolver (busybox wget) walks the search path with ndots:5 for svc.ns too.
    for (const name of ['web', 'web.default', 'web.default.svc.cluster.local']) {
      const body = await node.k('exec', 'client', '--', ...podWget(`http://${name}/cgi-bin/who`));
      assert.match(body, /^web-/, name);
    }
  });

  it('a headless Service resolves to every ready pod IP', async () => {
    const ips = (await node.k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}')).split(' ').filter(Boolean).sort();
    assert.equal(ips.length, 2);
    const r = await lookup('web-headless');
    assert.deepEqual(r.addresses, ips, r.out);
  });

  it('an ExternalName Service is a CNAME (to another Service here, whose address comes along)', async () => {
    const web = await node.k('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
    const r = await lookup('ext.default.svc.cluster.local');
    assert.deepEqual(r.cnames, ['web.default.svc.cluster.local'], r.out);
    assert.deepEqual(r.addresses, [web], r.out);
  });
});
