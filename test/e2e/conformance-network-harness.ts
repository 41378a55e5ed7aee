/**
 * Harness of the [sig-network] conformance file on real containers (conformance-network.test.ts):
 * the objects upstream's test/e2e/network/dns.go and service.go create, in one namespace, and the
 * probes they run inside a pod. Upstream probes with dig and agnhost; here every container is the
 * busybox test image, so: `dig` is busybox nslookup (UDP only; it applies the search path to names
 * without a dot only), `getent hosts` is a read of /etc/hosts, agnhost's netexec is busybox httpd
 * (WHO_CONTAINER answers `<pod name> <client>`), and a libc lookup with the search path (what
 * `dig +search` stands for) is busybox ping, which prints the address it resolved.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Service } from '../../src/api/kinds/core/service.js';
import type { KubeClient } from '../../src/client/kube-client.js';
import { BOSUN_BIN, type NodeServer } from '../../src/testing/node-server.js';
import type { ServicesNode } from './services-harness.js';
import { WHO_CONTAINER } from './services-harness.js';

/**
 * What the file's before() set up, as the declared test groups (DNS, services, UDP) read it: the
 * node (with its proxy's nftables table), an admin client, and the node's InternalIP.
 */
export interface NetworkConformance { node: ServicesNode; client: KubeClient; nodeIP: string }

export const NS = 'cf-net';
export const BUSYBOX = 'bosun.test/busybox:1';
/** The cluster DNS zone. */
export const ZONE = 'cluster.local';
const SLEEPER = `[{name: c, image: ${BUSYBOX}, command: [sh, -c, 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done']}]`;

const WEBHOOK_TARBALL = join(import.meta.dirname, '..', '..', '.test-images', 'webhook.tar');
const webhookImports = new WeakMap<NodeServer, Promise<unknown>>();
/**
 * bosun.test/webhook:1 (busybox sh and socat, scripts/build-test-webhook-image.sh) imported into the
 * node's containerd, once per node: agnhost's porter (conformance-network-proxy.ts) and netexec's
 * UDP side (conformance-network-udp.ts) are socat from it.
 */
export function importWebhookImage(node: NodeServer): Promise<unknown> {
  let p = webhookImports.get(node);
  if (!p) webhookImports.set(node, (p = promisify(execFile)(process.execPath, [BOSUN_BIN, 'images', 'import', WEBHOOK_TARBALL, '--data-dir', node.dataDir])));
  return p;
}

/** A pod (of a probe, or a backend when `containers` is given). */
export function podYaml(name: string, labels: Record<string, string>, spec = '', containers = SLEEPER): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}, labels: ${JSON.stringify(labels)}}
spec:
  terminationGracePeriodSeconds: 1
  containers: ${containers}
  ${spec}
`;
}

/** e2eservice.CreateServiceSpec: port 80 named http, headless or not, or an ExternalName. */
export function serviceYaml(name: string, o: { selector?: Record<string, string>; headless?: boolean; externalName?: string; ports?: string; spec?: string }): string {
  const spec = o.externalName
    ? `type: ExternalName, externalName: ${o.externalName}`
    : `ports: ${o.ports ?? '[{name: http, port: 80, protocol: TCP}]'}${o.headless ? ', clusterIP: None' : ''}`;
  return `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${NS}}
spec: {${spec}${o.selector ? `, selector: ${JSON.stringify(o.selector)}` : ''}${o.spec ? `, ${o.spec}` : ''}}
`;
}

/** Backends: WHO_CONTAINER pods labelled app=cf-backend, listening on 8080, ready when httpd answers. */
export function backendPod(name: string): string {
  return podYaml(name, { app: 'cf-backend' }, '', `${WHO_CONTAINER}
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}`);
}

/**
 * agnhost `porter --json-response` with SERVE_PORT_80=foo: any method on any path of port 80 answers
 * 200 `{"method":"<METHOD>","body":"foo"}`. Here busybox nc runs a shell script per connection.
 */
const PORTER = String.raw`
      - name: agnhost
        image: bosun.test/busybox:1
        command:
        - sh
        - -c
        - |
          cat > /tmp/porter <<'EOF'
          read -r m p v
          while read -r l; do [ -n "$(printf %s "$l" | tr -d '\r')" ] || break; done
          b="{\"method\":\"$m\",\"body\":\"foo\"}"
          printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' "$(printf %s "$b" | wc -c)" "$b"
          EOF
          exec nc -ll -p 80 -e sh /tmp/porter
        ports: [{containerPort: 80}]`;

/** What createDNSPod and the services tests' exec pod are: dns-querier-1 in dns-test-service. */
export const OBJECTS = [
  podYaml('dns-test', { 'dns-test': 'true' }, 'hostname: dns-querier-1\n  subdomain: dns-test-service'),
  serviceYaml('dns-test-service', { selector: { 'dns-test': 'true' }, headless: true }),
  serviceYaml('test-service-2', { selector: { 'dns-test': 'true' } }),
  podYaml('dns-test-2', { 'dns-test-hostname-attribute': 'true' }, 'hostname: dns-querier-2\n  subdomain: dns-test-service-2'),
  serviceYaml('dns-test-service-2', { selector: { 'dns-test-hostname-attribute': 'true' }, headless: true }),
  podYaml('test-dns-nameservers', {}, 'dnsPolicy: None\n  dnsConfig: {nameservers: [1.1.1.1], searches: [resolv.conf.local]}'),
  ...['cf-backend-0', 'cf-backend-1', 'cf-backend-2'].map(backendPod),
  podYaml('agnhost', { test: 'response' }, '', PORTER),
  serviceYaml('test-service', { selector: { test: 'response' }, ports: '[{port: 80, targetPort: 80, protocol: TCP}]' }),
  // createAndGetExternalServiceFQDN's Service, the ExternalName target of the type-change tests.
  serviceYaml('externalsvc', { selector: { app: 'cf-backend' }, ports: '[{name: http, port: 80, targetPort: 8080}]' }),
].join('---');

/** kubectl apply of `yaml` that must succeed. */
export async function kubectlApply(node: ServicesNode, yaml: string): Promise<void> {
  const r = await node.kubectl(['apply', '-f', '-'], { input: yaml });
  assert.equal(r.code, 0, r.stderr);
}

/** `sh -c script` in a pod of the namespace; stdout and stderr together, and the exit code. */
export async function inPod(node: ServicesNode, pod: string, script: string): Promise<{ out: string; code: number | null }> {
  const r = await node.kubectl(['-n', NS, 'exec', pod, '--', 'timeout', '20', 'sh', '-c', script]);
  return { out: r.stdout + r.stderr, code: r.code };
}

export interface Lookup {
  addresses: string[];
  /** CNAME targets, SRV targets (`priority weight port target`) and PTR names. */
  names: string[];
  out: string;
}

/** busybox `nslookup -type=TYPE name` in the pod, parsed (the answer follows the server's own block). */
export async function nslookup(node: ServicesNode, pod: string, name: string, type = 'a'): Promise<Lookup> {
  const { out } = await inPod(node, pod, `nslookup -type=${type} ${name}`);
  const answer = out.split(/\n\s*\n/).slice(1).join('\n');
  return {
    out,
    addresses: [...answer.matchAll(/^Address:\s*(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]!).sort(),
    names: [...answer.matchAll(/(?:canonical name|service|name) = (.+?)\.?$/gm)].map((m) => m[1]!),
  };
}

/**
 * The addresses the pod's libc resolver (search path, ndots) gives `names`: busybox ping's first line
 * (`PING name (address)`), the pings run at once.
 */
export async function libcResolve(node: ServicesNode, pod: string, names: string[]): Promise<Record<string, string | undefined>> {
  const { out } = await inPod(node, pod, `for n in ${names.join(' ')}; do (ping -c 1 -W 1 $n 2>&1 | head -1) & done; wait`);
  return Object.fromEntries(names.map((n) => [n, new RegExp(`^PING ${n.replaceAll('.', '\\.')} \\((\\d+\\.\\d+\\.\\d+\\.\\d+)\\)`, 'm').exec(out)?.[1]]));
}

/** Hostnames answering `n` requests to `url` (WHO_CONTAINER), each on a new connection, from the pod. */
export async function hostsFrom(node: ServicesNode, pod: string, url: string, n: number): Promise<string[]> {
  const { out } = await inPod(node, pod, `for i in $(seq ${n}); do timeout 5 wget -qO- ${url} || echo FAILED; done`);
  return out.trim().split('\n').map((l) => l.split(' ')[0]!);
}

export const getService = (client: KubeClient, name: string): Promise<Service> => client.services<Service>(NS).get(name);

/** jig.UpdateService: get, change, update (retried on conflict by the caller's eventually). */
export async function updateService(client: KubeClient, name: string, change: (s: Service) => void): Promise<Service> {
  const s = await getService(client, name);
  change(s);
  return client.services<Service>(NS).update(s);
}
