/**
 * Upstream's [sig-network] Service, networking and EndpointSlice conformance tests over TCP
 * (test/e2e/network/service.go, networking.go's granular checks, endpointslice.go), declared into
 * the describe of conformance-network.test.ts so they share its node and namespace: the backends are
 * its cf-backend pods (busybox httpd on 8080), the client its dns-test pod.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/core/pod.js';
import type { EndpointSlice } from '../../src/api/kinds/discovery/endpoint-slice.js';
import type { KubeClient } from '../../src/client/index.js';
import { resources } from '../../src/client/resource-ref.js';
import { waitFor } from '../../src/testing/node-server.js';
import { expectEndpointPorts, expectEndpointsAndSlices, httpdPod } from './conformance-network-checks.js';
import { BUSYBOX, getService, hostsFrom, inPod, kubectlApply, NS, podYaml, serviceYaml, updateService, ZONE, type NetworkConformance } from './conformance-network-harness.js';
import { httpGet, type ServicesNode } from './services-harness.js';

let node: ServicesNode;
let client: KubeClient;
let nodeIP: string;
const apply = (yaml: string): Promise<void> => kubectlApply(node, yaml);

/** Declares the Service tests in the caller's describe; `ctx` is read once its before() has run. */
export function serviceConformanceTests(ctx: () => NetworkConformance): void {
  before(() => { ({ node, client, nodeIP } = ctx()); });

  // The type changes (service.go): the backends are the cf-backend pods (port 8080).
  const reachable = async (name: string, ip: string, port = 80): Promise<void> => {
    for (const url of [`http://${name}.${NS}.svc.${ZONE}:${port}/cgi-bin/who`, `http://${ip}:${port}/cgi-bin/who`]) {
      await waitFor(`${url} to answer`, async () => /^cf-backend-\d /.test((await inPod(node, 'dns-test', `timeout 5 wget -qO- ${url}`)).out), 15_000, 300);
    }
  };
  const resolvesByName = (name: string) => waitFor(`nslookup ${name}`, async () => (await inPod(node, 'dns-test', `nslookup ${name}.${NS}.svc.${ZONE}`)).code === 0, 10_000, 300);

  it('[sig-network] Services should be able to change the type from ClusterIP to ExternalName [Conformance]', async () => {
    await apply(serviceYaml('clusterip-service', { selector: { app: 'cf-backend' } }));
    const svc = await updateService(client, 'clusterip-service', (s) => { s.spec!.type = 'ExternalName'; s.spec!.externalName = `externalsvc.${NS}.svc.${ZONE}`; });
    assert.ok(!svc.spec?.clusterIP, `no ClusterIP: ${svc.spec?.clusterIP}`);
    await resolvesByName('clusterip-service');
  });

  it('[sig-network] Services should be able to change the type from NodePort to ExternalName [Conformance]', async () => {
    await apply(serviceYaml('nodeport-service', { selector: { app: 'cf-backend' }, spec: 'type: NodePort' }));
    assert.ok((await getService(client, 'nodeport-service')).spec?.ports?.[0]?.nodePort, 'a node port allocated');
    const svc = await updateService(client, 'nodeport-service', (s) => { s.spec!.type = 'ExternalName'; s.spec!.externalName = `externalsvc.${NS}.svc.${ZONE}`; });
    assert.ok(!svc.spec?.clusterIP, `no ClusterIP: ${svc.spec?.clusterIP}`);
    assert.deepEqual(svc.spec?.ports?.map((p) => p.nodePort).filter(Boolean) ?? [], [], 'the node port released');
    await resolvesByName('nodeport-service');
  });

  it('[sig-network] Services should be able to change the type from ExternalName to ClusterIP [Conformance]', async () => {
    await apply(serviceYaml('externalname-service', { externalName: 'foo.example.com', selector: { app: 'cf-backend' } }));
    assert.ok(!(await getService(client, 'externalname-service')).spec?.clusterIP, 'an ExternalName has no ClusterIP');
    const svc = await updateService(client, 'externalname-service', (s) => {
      s.spec!.type = 'ClusterIP';
      s.spec!.externalName = '';
      s.spec!.ports = [{ port: 80, name: 'http', protocol: 'TCP', targetPort: 8080 }];
    });
    assert.match(svc.spec?.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    await reachable('externalname-service', svc.spec!.clusterIP!);
  });

  it('[sig-network] Services should be able to change the type from ExternalName to NodePort [Conformance]', async () => {
    await apply(serviceYaml('externalname-np', { externalName: 'foo.example.com', selector: { app: 'cf-backend' } }));
    const svc = await updateService(client, 'externalname-np', (s) => {
      s.spec!.type = 'NodePort';
      s.spec!.externalName = '';
      s.spec!.ports = [{ port: 80, name: 'http', protocol: 'TCP', targetPort: 8080 }];
    });
    assert.match(svc.spec?.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    const nodePort = svc.spec?.ports?.[0]?.nodePort;
    assert.ok(nodePort, 'a node port allocated');
    await reachable('externalname-np', svc.spec!.clusterIP!);
    await waitFor(`${nodeIP}:${nodePort} to answer`, async () => /^cf-backend-\d /.test((await inPod(node, 'dns-test', `timeout 5 wget -qO- http://${nodeIP}:${nodePort}/cgi-bin/who`)).out), 15_000, 300);
  });

  it('[sig-network] Services should be able to create a functioning NodePort service [Conformance]', async () => {
    await apply(serviceYaml('nodeport-test', { selector: { app: 'cf-backend' }, ports: '[{name: http, port: 80, targetPort: 8080}]', spec: 'type: NodePort' }));
    const svc = await getService(client, 'nodeport-test');
    await reachable('nodeport-test', svc.spec!.clusterIP!);
    const url = `http://${nodeIP}:${svc.spec!.ports![0]!.nodePort}/cgi-bin/who`;
    await waitFor(`${url} to answer`, async () => /^cf-backend-\d /.test((await inPod(node, 'dns-test', `timeout 5 wget -qO- ${url}`)).out), 15_000, 300);
  });

  // Session affinity (service.go's execAffinityTestForNonLBService): 15 requests from one pod.
  const affinity = async (url: string, hold: boolean): Promise<void> => {
    await waitFor(`${url} affinity ${hold ? 'held' : 'off'}`, async () => {
      const hosts = await hostsFrom(node, 'dns-test', url, 15);
      if (hosts.includes('FAILED')) return false;
      return hold ? new Set(hosts).size === 1 : new Set(hosts).size > 1;
    }, 20_000, 300);
  };

  for (const [type, what] of [['ClusterIP', 'service with type clusterIP'], ['NodePort', 'NodePort service']] as const) {
    const name = `affinity-${type.toLowerCase()}`;
    /** The Service's URL: its ClusterIP, or the node's address and node port. */
    const urlOf = async (svcName: string): Promise<string> => {
      const svc = await getService(client, svcName);
      return type === 'ClusterIP' ? `http://${svc.spec!.clusterIP}/cgi-bin/who` : `http://${nodeIP}:${svc.spec!.ports![0]!.nodePort}/cgi-bin/who`;
    };
    const create = (svcName: string) => apply(serviceYaml(svcName, { selector: { app: 'cf-backend' }, ports: '[{port: 80, targetPort: 8080}]', spec: `type: ${type}, sessionAffinity: ClientIP` }));

    it(`[sig-network] Services should have session affinity work for ${what} [LinuxOnly] [Conformance]`, async () => {
      await create(name);
      await reachable(name, (await getService(client, name)).spec!.clusterIP!);
      await affinity(await urlOf(name), true);
    });

    it(`[sig-network] Services should be able to switch session affinity for ${what} [LinuxOnly] [Conformance]`, async () => {
      await create(`${name}-transition`);
      const url = await urlOf(`${name}-transition`);
      await affinity(url, true);
      await updateService(client, `${name}-transition`, (s) => { s.spec!.sessionAffinity = 'None'; });
      await affinity(url, false);
      await updateService(client, `${name}-transition`, (s) => { s.spec!.sessionAffinity = 'ClientIP'; });
      await affinity(url, true);
    });
  }

  // networking.go's granular checks on one node: a pod, and the node itself, reach every backend pod by its address.
  const backends = async () => (await client.pods(NS).list({ labelSelector: 'app=cf-backend' })).items.map((p) => [p.metadata.name!, p.status!.podIP!] as const);

  it('[sig-network] Networking Granular Checks: Pods should function for intra-pod communication: http [NodeConformance] [Conformance]', async () => {
    for (const [pod, ip] of await backends()) {
      assert.equal((await inPod(node, 'dns-test', `timeout 5 wget -qO- http://${ip}:8080/cgi-bin/who`)).out.split(' ')[0], pod);
    }
  });

  it('[sig-network] Networking Granular Checks: Pods should function for node-pod communication: http [LinuxOnly] [NodeConformance] [Conformance]', async () => {
    for (const [pod, ip] of await backends()) assert.equal((await httpGet(ip, 8080)).split(' ')[0], pod);
  });

  const expectPorts = (svc: string, want: Record<string, number[]>) => expectEndpointPorts(client, svc, want);

  it('[sig-network] Services should serve a basic endpoint from pods [Conformance]', async () => {
    const labels = { testid: 'endpoint-test2' };
    await apply(serviceYaml('endpoint-test2', { selector: labels, ports: '[{port: 80, targetPort: 80}]' }));
    await expectPorts('endpoint-test2', {});
    const ip = (await getService(client, 'endpoint-test2')).spec!.clusterIP!;
    await apply(httpdPod('pod1', labels, 80));
    await expectPorts('endpoint-test2', { pod1: [80] });
    const page = async () => /bosun test page/.test((await inPod(node, 'dns-test', `timeout 5 wget -qO- http://${ip}/ && timeout 5 wget -qO- http://endpoint-test2.${NS}.svc.${ZONE}/`)).out);
    await waitFor('the Service to answer from pod1', page, 15_000, 300);
    await apply(httpdPod('pod2', labels, 80));
    await expectPorts('endpoint-test2', { pod1: [80], pod2: [80] });
    await node.k('-n', NS, 'delete', 'pod', 'pod1', '--wait=false');
    await expectPorts('endpoint-test2', { pod2: [80] });
    await waitFor('the Service to answer from pod2', page, 15_000, 300);
    await node.k('-n', NS, 'delete', 'pod', 'pod2', '--wait=false');
    await expectPorts('endpoint-test2', {});
  });

  it('[sig-network] Services should serve multiport endpoints from pods [Conformance]', async () => {
    const labels = { testid: 'multi-endpoint-test' };
    await apply(serviceYaml('multi-endpoint-test', { selector: labels, ports: '[{name: portname1, port: 80, targetPort: svc1}, {name: portname2, port: 81, targetPort: svc2}]' }));
    await expectPorts('multi-endpoint-test', {});
    const ip = (await getService(client, 'multi-endpoint-test')).spec!.clusterIP!;
    await apply(httpdPod('mpod1', labels, 100, 'svc1'));
    await expectPorts('multi-endpoint-test', { mpod1: [100] });
    await apply(httpdPod('mpod2', labels, 101, 'svc2'));
    await expectPorts('multi-endpoint-test', { mpod1: [100], mpod2: [101] });
    for (const port of [80, 81]) await waitFor(`port ${port} to answer`, async () => /bosun test page/.test((await inPod(node, 'dns-test', `timeout 5 wget -qO- http://${ip}:${port}/`)).out), 15_000, 300);
    await node.k('-n', NS, 'delete', 'pod', 'mpod1', '--wait=false');
    await expectPorts('multi-endpoint-test', { mpod2: [101] });
    await node.k('-n', NS, 'delete', 'pod', 'mpod2', '--wait=false');
    await expectPorts('multi-endpoint-test', {});
  });

  it('[sig-network] EndpointSlice should create Endpoints and EndpointSlices for Pods matching a Service [Conformance]', async () => {
    const sleeper = (name: string, labels: Record<string, string>, ports: string) =>
      podYaml(name, labels, '', `[{name: container1, image: ${BUSYBOX}, command: [sleep, '3600'], ports: ${ports}}]`);
    await apply([
      sleeper('es-pod1', { pod1: 'on', shared12: 'on' }, '[{name: example-name, containerPort: 3000}]'),
      sleeper('es-pod2', { pod2: 'on', shared12: 'on' }, '[{name: example-name, containerPort: 3001}, {name: other-port, containerPort: 3002}]'),
      serviceYaml('example-int-port', { selector: { pod1: 'on' }, ports: '[{name: example, port: 80, targetPort: 3000, protocol: TCP}]', spec: 'publishNotReadyAddresses: true' }),
      serviceYaml('example-named-port', { selector: { shared12: 'on' }, ports: '[{name: http, port: 80, targetPort: example-name, protocol: TCP}]', spec: 'publishNotReadyAddresses: true' }),
      serviceYaml('example-no-match', { selector: { pod3: 'on' }, ports: '[{name: example-no-match, port: 80, targetPort: 8080, protocol: TCP}]', spec: 'publishNotReadyAddresses: true' }),
    ].join('---'));
    const [pod1, pod2] = await waitFor('the pods\' IPs', async () => {
      const pods = await Promise.all(['es-pod1', 'es-pod2'].map((n) => client.pods(NS).get(n)));
      return pods.every((p) => p.status?.podIPs?.length) && pods;
    }, 60_000, 300);
    const expectBoth = (svc: string, pods: Pod[], subsets: number, slices: number, named: boolean) => expectEndpointsAndSlices(client, svc, pods, subsets, slices, named);
    await expectBoth('example-int-port', [pod1], 1, 1, false);
    await expectBoth('example-named-port', [pod1, pod2], 2, 2, true);
    await expectBoth('example-no-match', [], 0, 1, false);
    // Deleted slices are made again.
    for (const es of (await client.resource<EndpointSlice>(resources.endpointslices, NS).list({ labelSelector: 'kubernetes.io/service-name=example-named-port' })).items) {
      await client.resource(resources.endpointslices, NS).delete(es.metadata.name!);
    }
    await expectBoth('example-named-port', [pod1, pod2], 2, 2, true);
  });
}
