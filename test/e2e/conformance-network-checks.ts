/**
 * The checks of upstream's service.go, endpointslice.go and proxy.go that conformance-network.test.ts
 * ports: validateEndpointsPortsOrFail (the Endpoints and the EndpointSlices name the same pods and
 * ports), expectEndpointsAndSlices (addresses are the pods', by targetRef, and ports the Service's
 * resolved target port; no pods: one slice without ports) and validateProxyVerbRequest (agnhost
 * porter's JSON answer names the method).
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Pod } from '../../src/api/kinds/core/pod.js';
import type { EndpointSlice } from '../../src/api/kinds/discovery/endpoint-slice.js';
import type { KubeClient } from '../../src/client/kube-client.js';
import { resources } from '../../src/client/resource-ref.js';
import { waitFor } from '../../src/testing/node-server.js';
import type { RawClient } from '../../src/testing/raw-client.js';
import { BUSYBOX, NS, podYaml } from './conformance-network-harness.js';

const slicesOf = async (client: KubeClient, svc: string): Promise<EndpointSlice[]> =>
  (await client.resource<EndpointSlice>(resources.endpointslices, NS).list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items;

/** Ports by pod name, from the ready addresses of the Endpoints and from the EndpointSlices. */
async function portsByPod(client: KubeClient, svc: string): Promise<{ endpoints: Record<string, number[]>; slices: Record<string, number[]> }> {
  const add = (m: Record<string, number[]>, pod: string | undefined, port: number | undefined) => { if (pod && port) m[pod] = [...(m[pod] ?? []), port].sort(); };
  const endpoints: Record<string, number[]> = {};
  for (const ss of (await client.endpoints(NS).get(svc)).subsets ?? []) for (const a of ss.addresses ?? []) for (const p of ss.ports ?? []) add(endpoints, a.targetRef?.name, p.port);
  const slices: Record<string, number[]> = {};
  for (const s of await slicesOf(client, svc)) for (const e of s.endpoints ?? []) for (const p of s.ports ?? []) add(slices, e.targetRef?.name, p.port!);
  return { endpoints, slices };
}

/** validateEndpointsPortsOrFail: waits until both say `want` (pod name -> ports). */
export function expectEndpointPorts(client: KubeClient, svc: string, want: Record<string, number[]>): Promise<true> {
  return waitFor(`${svc} endpoints ${JSON.stringify(want)}`, async () => {
    assert.deepEqual(await portsByPod(client, svc), { endpoints: want, slices: want });
    return true;
  }, 60_000, 300);
}

/** createPodOrFail's netexec pod: busybox httpd on `port` (serving the image's /www). */
export function httpdPod(name: string, labels: Record<string, string>, port: number, portName?: string): string {
  return podYaml(name, labels, '', `[{name: c, image: ${BUSYBOX}, command: [httpd, -f, -p, '${port}', -h, /www], ports: [{containerPort: ${port}${portName ? `, name: ${portName}` : ''}}]}]`);
}

/** expectEndpointsAndSlices(svc, pods, numSubsets, numSlices, namedPort) of endpointslice.go. */
export function expectEndpointsAndSlices(client: KubeClient, svc: string, pods: Pod[], subsets: number, slices: number, named: boolean): Promise<true> {
  return waitFor(`${svc}: Endpoints and EndpointSlices`, async () => {
    const ep = await client.endpoints(NS).get(svc);
    const list = await slicesOf(client, svc);
    const addrs = (ep.subsets ?? []).flatMap((ss) => [...(ss.addresses ?? []), ...(ss.notReadyAddresses ?? [])].map((a) => ({ ip: a.ip, ref: a.targetRef, port: ss.ports?.[0]?.port })));
    const sliceAddrs = list.flatMap((es) => (es.endpoints ?? []).map((e) => ({ ip: e.addresses[0], ref: e.targetRef, port: es.ports?.[0]?.port })));
    if ((ep.subsets ?? []).length !== subsets || addrs.length !== pods.length || list.length < slices || sliceAddrs.length < pods.length) return false;
    const portFor = (p: Pod) => (named ? p.spec!.containers[0]!.ports!.find((cp) => cp.name === 'example-name')!.containerPort : 3000);
    for (const a of [...addrs, ...sliceAddrs]) {
      const pod = pods.find((p) => p.status!.podIP === a.ip);
      assert.ok(pod, `unexpected address ${a.ip}`);
      assert.deepEqual([a.ref?.kind, a.ref?.namespace, a.ref?.name, a.ref?.uid], ['Pod', NS, pod.metadata.name, pod.metadata.uid]);
      assert.equal(a.port, portFor(pod));
    }
    if (pods.length === 0) assert.deepEqual(list.map((es) => es.ports ?? []), [[]], 'one slice, no ports');
    return true;
  }, 20_000, 300);
}

/** validateProxyVerbRequest: 200, and but for HEAD the JSON answer `{method: verb, body: 'foo'}`. */
export function proxyVerb(raw: RawClient, path: string, verb: string): Promise<true> {
  return waitFor(`${verb} ${path}`, async () => {
    const r = await raw.request(path, { method: verb });
    if (r.status !== 200) return false;
    if (verb === 'HEAD') return true;
    const jr = r.json as { method?: string; body?: string } | undefined;
    return jr?.body === 'foo' && jr.method === verb;
  }, 15_000, 300);
}

/** netexec --http-port P: busybox httpd answering GET /hostname (its UDP side: conformance-network-udp.ts). */
export const NETEXEC_COMMAND = (port: number) => `[sh, -c, 'hostname > /www/hostname; exec httpd -f -p ${port} -h /www']`;

/** GET http://host:port/path from `source` (curl --interface): the body, or undefined on failure. */
export function httpGetFrom(source: string, host: string, port: number, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, localAddress: source, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(res.statusCode === 200 ? body.trim() : undefined)).on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
