/**
 * What proxy.go's "should proxy through a service and a pod" sets up and checks, for
 * conformance-network.test.ts: agnhost `porter` (one HTTP or HTTPS server per SERVE_PORT_<n> and
 * SERVE_TLS_PORT_<n> variable, answering any request with the variable's value) is socat in
 * bosun.test/webhook:1 (scripts/build-test-webhook-image.sh) running a busybox sh handler per
 * connection; its TLS certificate comes from a Secret (the API server does not verify it, as
 * upstream's proxy transport). As Go's content sniffing does for porter, a body starting with `<`
 * is sent as text/html (so the API server rewrites its links) and any other as text/plain.
 */
import assert from 'node:assert/strict';
import type { Deployment } from '../../src/api/kinds/apps/deployment.js';
import type { Secret } from '../../src/api/kinds/core/secret.js';
import type { Service } from '../../src/api/kinds/core/service.js';
import { issueCertificate } from '../../src/apiserver/pki/certs.js';
import type { KubeClient } from '../../src/client/kube-client.js';
import { resources } from '../../src/client/resource-ref.js';
import { waitFor, type NodeServer } from '../../src/testing/node-server.js';
import type { RawClient } from '../../src/testing/raw-client.js';
import { importWebhookImage, NS } from './conformance-network-harness.js';

const LABELS = { 'proxy-service-target': 'true' };

/** The Service upstream creates (generateName proxy-service-): named and numbered target ports. */
const proxyService: Service = {
  metadata: { generateName: 'proxy-service-', namespace: NS },
  spec: {
    selector: LABELS,
    ports: [
      { name: 'portname1', port: 80, targetPort: 'dest1' },
      { name: 'portname2', port: 81, targetPort: 162 },
      { name: 'tlsportname1', port: 443, targetPort: 'tlsdest1' },
      { name: 'tlsportname2', port: 444, targetPort: 462 },
    ],
  },
};

/** One answer per connection: the request line and headers read, BODY sent back (200, Connection: close). */
const HANDLER = [
  'cr=$(printf "\\r")',
  'read -r m p v',
  'while IFS= read -r l; do l=${l%"$cr"}; [ -z "$l" ] && break; done',
  'case "$BODY" in "<"*) t="text/html; charset=utf-8" ;; *) t="text/plain; charset=utf-8" ;; esac',
  'printf "HTTP/1.1 200 OK\\r\\nContent-Type: %s\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s" "$t" "${#BODY}" "$BODY"',
].join('\n');

/** The porter Deployment (one replica, named as the Service) and the Secret holding its TLS key pair. */
function porterManifests(name: string): [Secret, Deployment] {
  const pair = issueCertificate({ commonName: 'localhost', usage: 'server', validDays: 1, dnsNames: ['localhost'] });
  const env: Record<string, string> = {
    SERVE_PORT_80: '<a href="/rewriteme">test</a>', SERVE_PORT_1080: '<a href="/rewriteme">test</a>',
    SERVE_PORT_160: 'foo', SERVE_PORT_162: 'bar',
    SERVE_TLS_PORT_443: '<a href="/tlsrewriteme">test</a>', SERVE_TLS_PORT_460: 'tls baz', SERVE_TLS_PORT_462: 'tls qux',
  };
  const listen = (v: string) => {
    const [, tls, port] = /^SERVE_(TLS_)?PORT_(\d+)$/.exec(v)!;
    const address = tls ? `OPENSSL-LISTEN:${port},cert=/tls/tls.crt,key=/tls/tls.key,verify=0` : `TCP-LISTEN:${port}`;
    return `BODY="$${v}" socat ${address},fork,reuseaddr 'SYSTEM:sh /porter.sh' &`;
  };
  // sh is the container's PID 1: without the trap it would ignore SIGTERM until the grace period ends.
  const script = `trap 'exit 0' TERM\ncat > /porter.sh <<'EOF'\n${HANDLER}\nEOF\n${Object.keys(env).map(listen).join('\n')}\nwait\n`;
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-tls`, namespace: NS }, type: 'kubernetes.io/tls',
    stringData: { 'tls.crt': pair.cert, 'tls.key': pair.key } };
  const ports = [[undefined, 80], ['dest1', 160], ['dest2', 162], ['tlsdest1', 460], ['tlsdest2', 462]] as const;
  const container = {
    name, image: 'bosun.test/webhook:1', command: ['sh', '-c', script],
    env: Object.entries(env).map(([k, value]) => ({ name: k, value })),
    ports: ports.map(([n, containerPort]) => (n ? { name: n, containerPort } : { containerPort })),
    readinessProbe: { httpGet: { port: 80 }, periodSeconds: 1 },
    volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }],
  };
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS },
    spec: { replicas: 1, strategy: { type: 'Recreate' as const }, selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS },
      spec: { terminationGracePeriodSeconds: 1, containers: [container], volumes: [{ name: 'tls', secret: { secretName: secret.metadata.name } }] } } },
  };
  return [secret, deployment];
}

/** net.JoinSchemeNamePort: `name`, `name:port` or `scheme:name:port`. */
const join3 = (scheme: string, name: string, port: string) => (scheme ? `${scheme}:${name}:${port}` : port ? `${name}:${port}` : name);

/** Upstream's table: every URL and the body it must answer (links in HTML rewritten to go through the proxy). */
export function proxyExpectations(service: string, pod: string): Record<string, string> {
  const svc = (scheme: string, port: string) => `/api/v1/namespaces/${NS}/services/${join3(scheme, service, port)}/proxy`;
  const po = (scheme: string, port: string) => `/api/v1/namespaces/${NS}/pods/${join3(scheme, pod, port)}/proxy`;
  const link = (base: string, path: string) => `<a href="${base}/${path}">test</a>`;
  return {
    [`${svc('', 'portname1')}/`]: 'foo', [`${svc('http', 'portname1')}/`]: 'foo',
    [`${svc('', 'portname2')}/`]: 'bar', [`${svc('http', 'portname2')}/`]: 'bar',
    [`${svc('https', 'tlsportname1')}/`]: 'tls baz', [`${svc('https', 'tlsportname2')}/`]: 'tls qux',
    [`${po('', '')}/`]: link(po('', ''), 'rewriteme'),
    [`${po('', '1080')}/`]: link(po('', '1080'), 'rewriteme'), [`${po('http', '1080')}/`]: link(po('http', '1080'), 'rewriteme'),
    [`${po('', '160')}/`]: 'foo', [`${po('http', '160')}/`]: 'foo',
    [`${po('', '162')}/`]: 'bar', [`${po('http', '162')}/`]: 'bar',
    [`${po('https', '443')}/`]: link(po('https', '443'), 'tlsrewriteme'),
    [`${po('https', '460')}/`]: 'tls baz', [`${po('https', '462')}/`]: 'tls qux',
  };
}

/**
 * The Service, then the porter Deployment named after it (the image imported first), ready with the
 * Service's endpoints: the Service's and the pod's names.
 */
export async function startPorter(node: NodeServer, client: KubeClient): Promise<{ service: string; pod: string }> {
  await importWebhookImage(node);
  const service = (await client.services<Service>(NS).create(proxyService)).metadata.name!;
  const [secret, deployment] = porterManifests(service);
  await client.resource(resources.secrets, NS).create(secret);
  await client.resource(resources.deployments, NS).create(deployment);
  const pod = await waitFor('the porter pod ready', async () => {
    const p = (await client.pods(NS).list({ labelSelector: 'proxy-service-target=true' })).items[0];
    return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && p.metadata.name!;
  }, 60_000, 300);
  // waitForEndpoint: the Endpoints list an address.
  await waitFor(`${service} endpoints`, async () => !!(await client.endpoints(NS).get(service)).subsets?.some((s) => s.addresses?.length), 30_000, 300);
  return { service, pod };
}

/**
 * Upstream's cleanup, the Deployment deleted; and until its ReplicaSet and pod are gone, as the
 * node's stop (services-harness.ts) deletes pods but only the default namespace's Deployments.
 */
export async function stopPorter(client: KubeClient, service: string): Promise<void> {
  await client.resource(resources.deployments, NS).delete(service);
  await waitFor('the porter Deployment\'s ReplicaSet and pod gone', async () => {
    const selector = { labelSelector: 'proxy-service-target=true' };
    return (await client.resource(resources.replicasets, NS).list(selector)).items.length === 0 && (await client.pods(NS).list(selector)).items.length === 0;
  }, 30_000, 300);
}

/** Every URL of the table `attempts` times, each round at once (upstream: 20 rounds of goroutines): 200 and the exact body. */
export async function checkProxyTable(raw: RawClient, table: Record<string, string>, attempts: number): Promise<void> {
  const want = Object.fromEntries(Object.entries(table).map(([path, body]) => [path, `200 ${body}`]));
  for (let i = 0; i < attempts; i++) {
    const got = await Promise.all(Object.keys(table).map(async (path) => { const r = await raw.request(path); return [path, `${r.status} ${r.body}`]; }));
    assert.deepEqual(Object.fromEntries(got), want, `attempt ${i}`);
  }
}
