/**
 * Upstream's [sig-network] DNS conformance tests (test/e2e/network/dns.go), declared into the describe
 * of conformance-network.test.ts so they share its node, cluster DNS and namespace: the queries run
 * in its busybox pods dns-test, dns-test-2 and test-dns-nameservers (conformance-network-harness.ts
 * says which busybox command stands for which upstream tool).
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { KubeClient } from '../../src/client/index.js';
import { queryDns } from '../../src/dns/client.js';
import { waitFor } from '../../src/testing/node-server.js';
import { getService, inPod, kubectlApply, libcResolve, NS, nslookup, serviceYaml, updateService, ZONE, type NetworkConformance } from './conformance-network-harness.js';
import type { ServicesNode } from './services-harness.js';

let node: ServicesNode;
let client: KubeClient;
const apply = (yaml: string): Promise<void> => kubectlApply(node, yaml);
const podIP = async (name: string): Promise<string> => (await client.pods(NS).get(name)).status!.podIP!;

/** Declares the DNS tests in the caller's describe; `ctx` is read once its before() has run. */
export function dnsConformanceTests(ctx: () => NetworkConformance): void {
  before(() => { ({ node, client } = ctx()); });

  it('[sig-network] DNS should provide DNS for the cluster [Conformance]', async () => {
    const kubernetes = (await client.services('default').get('kubernetes')).spec!.clusterIP!;
    const r = await nslookup(node, 'dns-test', `kubernetes.default.svc.${ZONE}`);
    assert.deepEqual(r.addresses, [kubernetes], r.out);
    // dig +tcp: busybox nslookup asks over UDP only, so the TCP question goes from the node through the kube-dns Service.
    const dnsIP = (await client.services('kube-system').get('kube-dns')).spec!.clusterIP!;
    const overTcp = await waitFor('an answer over TCP', () => queryDns(53, `kubernetes.default.svc.${ZONE}`, 'A', true, dnsIP), 10_000, 300);
    assert.deepEqual((overTcp.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : [])), [kubernetes]);
    // createProbeCommand's pod A record: <dashed IP>.<namespace>.pod.<zone>.
    const ip = await podIP('dns-test');
    assert.deepEqual((await nslookup(node, 'dns-test', `${ip.replaceAll('.', '-')}.${NS}.pod.${ZONE}`)).addresses, [ip]);
  });

  it('[sig-network] DNS should provide /etc/hosts entries for the cluster [Conformance]', async () => {
    const { out } = await inPod(node, 'dns-test', 'cat /etc/hosts');
    const ip = await podIP('dns-test');
    assert.match(out, new RegExp(`^${ip.replaceAll('.', '\\.')}\\s+dns-querier-1\\.dns-test-service\\.${NS}\\.svc\\.${ZONE.replace('.', '\\.')}\\s+dns-querier-1\\s*$`, 'm'), out);
  });

  it('[sig-network] DNS should provide DNS for services [Conformance]', async () => {
    const ip = await podIP('dns-test');
    const regular = (await getService(client, 'test-service-2')).spec!.clusterIP!;
    const headless = await waitFor('the headless Service answers', async () => {
      const r = await nslookup(node, 'dns-test', `dns-test-service.${NS}.svc.${ZONE}`);
      return r.addresses.length > 0 && r;
    }, 10_000, 300);
    assert.deepEqual(headless.addresses, [ip], headless.out);
    const srvHeadless = await nslookup(node, 'dns-test', `_http._tcp.dns-test-service.${NS}.svc.${ZONE}`, 'srv');
    assert.deepEqual(srvHeadless.names, [`0 100 80 dns-querier-1.dns-test-service.${NS}.svc.${ZONE}`], srvHeadless.out);
    const srvRegular = await nslookup(node, 'dns-test', `_http._tcp.test-service-2.${NS}.svc.${ZONE}`, 'srv');
    assert.deepEqual(srvRegular.names, [`0 100 80 test-service-2.${NS}.svc.${ZONE}`], srvRegular.out);
    // The ClusterIP's PTR record names the Service.
    const ptr = await nslookup(node, 'dns-test', `${regular.split('.').reverse().join('.')}.in-addr.arpa`, 'ptr');
    assert.deepEqual(ptr.names, [`test-service-2.${NS}.svc.${ZONE}`], ptr.out);
  });

  it('[sig-network] DNS should resolve DNS of partial qualified names for services [LinuxOnly] [Conformance]', async () => {
    const ip = await podIP('dns-test');
    const regular = (await getService(client, 'test-service-2')).spec!.clusterIP!;
    const names = ['dns-test-service', `dns-test-service.${NS}`, `dns-test-service.${NS}.svc`, 'test-service-2', `test-service-2.${NS}`];
    assert.deepEqual(await libcResolve(node, 'dns-test', names), Object.fromEntries(names.map((n) => [n, n.startsWith('dns-') ? ip : regular])));
    // SRV by the search path, as dig +search: the first search domain (the pod's namespace) completes it.
    const conf = (await inPod(node, 'dns-test', 'cat /etc/resolv.conf')).out;
    const search = /^search (.+)$/m.exec(conf)![1]!.split(' ');
    assert.equal(search[0], `${NS}.svc.${ZONE}`);
    for (const svc of ['dns-test-service', 'test-service-2']) {
      const pqdn = `_http._tcp.${svc}.${NS}.svc`;
      let found: Awaited<ReturnType<typeof nslookup>> | undefined;
      for (const domain of search) {
        found = await nslookup(node, 'dns-test', `${pqdn}.${domain}`, 'srv');
        if (found.names.length > 0) break;
      }
      assert.equal(found?.names.length, 1, `${pqdn}: ${found?.out}`);
    }
  });

  it('[sig-network] DNS should provide DNS for pods for Hostname [Conformance]', async () => {
    const { out } = await inPod(node, 'dns-test-2', 'cat /etc/hosts');
    const ip = await podIP('dns-test-2');
    assert.match(out, new RegExp(`^${ip.replaceAll('.', '\\.')}\\s+dns-querier-2\\.dns-test-service-2\\.${NS}\\.svc\\.cluster\\.local\\s+dns-querier-2\\s*$`, 'm'), out);
  });

  it('[sig-network] DNS should provide DNS for pods for Subdomain [Conformance]', async () => {
    const ip = await podIP('dns-test-2');
    for (const name of [`dns-querier-2.dns-test-service-2.${NS}.svc.${ZONE}`, `dns-test-service-2.${NS}.svc.${ZONE}`]) {
      const r = await waitFor(`${name} to resolve`, async () => { const l = await nslookup(node, 'dns-test-2', name); return l.addresses.length > 0 && l; }, 10_000, 300);
      assert.deepEqual(r.addresses, [ip], r.out);
    }
  });

  it('[sig-network] DNS should provide DNS for ExternalName services [Conformance]', async () => {
    const fqdn = `dns-test-service-3.${NS}.svc.${ZONE}`;
    await apply(serviceYaml('dns-test-service-3', { externalName: 'foo.example.com' }));
    const cname = async (want: string) => waitFor(`${fqdn} CNAME ${want}`, async () => (await nslookup(node, 'dns-test', fqdn, 'cname')).names.includes(want), 10_000, 300);
    await cname('foo.example.com');
    await updateService(client, 'dns-test-service-3', (s) => { s.spec!.externalName = 'bar.example.com'; });
    await cname('bar.example.com');
    const svc = await updateService(client, 'dns-test-service-3', (s) => { s.spec!.type = 'ClusterIP'; s.spec!.ports = [{ port: 80, name: 'http', protocol: 'TCP' }]; });
    assert.match(svc.spec?.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/, 'a ClusterIP allocated');
    await waitFor(`${fqdn} A ${svc.spec!.clusterIP}`, async () => (await nslookup(node, 'dns-test', fqdn)).addresses.join() === svc.spec!.clusterIP, 10_000, 300);
  });

  it('[sig-network] DNS should support configurable pod DNS nameservers [Conformance]', async () => {
    const { out } = await inPod(node, 'test-dns-nameservers', 'cat /etc/resolv.conf');
    assert.match(out, /^nameserver 1\.1\.1\.1$/m);
    assert.match(out, /^search resolv\.conf\.local$/m);
  });
}
