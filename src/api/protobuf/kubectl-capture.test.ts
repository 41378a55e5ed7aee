/**
 * Real kubectl 1.32 bytes: a plain-HTTP server on 127.0.0.1 answers discovery, captures the
 * protobuf POST bodies of typed-client commands, answers with what it decoded, and the test checks
 * the decoded object against the JSON form in testdata/. BOSUN_UPDATE_FIXTURES=1 (re)writes the
 * captured bytes to testdata/<name>.pb for decode.test.ts.
 *
 * Observed with kubectl 1.32: create deployment|configmap|secret|namespace|service *|serviceaccount,
 * auth can-i and auth can-i --list send protobuf; drain sends its Eviction as JSON (the case below
 * pins that, so a change shows up). The service and serviceaccount JSON forms in testdata/ are
 * kubectl's own `--dry-run=client -o json` output for the same command (null fields dropped).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from './decode.js';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const TESTDATA = new URL('./testdata/', import.meta.url);
const run = promisify(execFile);

const res = (name: string, kind: string, namespaced: boolean, verbs: string[], extra: object = {}) =>
  ({ name, singularName: '', namespaced, kind, verbs, ...extra });
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const discovery: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: ['apps', 'policy', 'authorization.k8s.io'].map((g) => ({
      name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
    })),
  },
  '/api/v1': {
    kind: 'APIResourceList', groupVersion: 'v1', resources: [
      res('configmaps', 'ConfigMap', true, VERBS, { shortNames: ['cm'] }),
      res('secrets', 'Secret', true, VERBS),
      res('namespaces', 'Namespace', false, VERBS, { shortNames: ['ns'] }),
      res('nodes', 'Node', false, VERBS, { shortNames: ['no'] }),
      res('pods', 'Pod', true, VERBS, { shortNames: ['po'] }),
      res('pods/eviction', 'Eviction', true, ['create'], { group: 'policy', version: 'v1' }),
      res('services', 'Service', true, VERBS, { shortNames: ['svc'] }),
      res('serviceaccounts', 'ServiceAccount', true, VERBS, { shortNames: ['sa'] }),
    ],
  },
  '/apis/apps/v1': { kind: 'APIResourceList', groupVersion: 'apps/v1', resources: [res('deployments', 'Deployment', true, VERBS, { shortNames: ['deploy'] })] },
  '/apis/policy/v1': { kind: 'APIResourceList', groupVersion: 'policy/v1', resources: [res('poddisruptionbudgets', 'PodDisruptionBudget', true, VERBS)] },
  '/apis/authorization.k8s.io/v1': {
    kind: 'APIResourceList', groupVersion: 'authorization.k8s.io/v1',
    resources: [
      res('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create']),
      res('selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, ['create']),
    ],
  },
};

const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '1', uid: 'u-n1' }, spec: {} };
const pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p1', namespace: 'default', uid: 'u-p1', resourceVersion: '2', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-rs', controller: true }] },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running' },
};

interface Capture { path: string; contentType: string; body: Buffer }

async function withServer(fn: (url: string, captures: Capture[]) => Promise<void>): Promise<void> {
  const captures: Capture[] = [];
  let evicted = false;
  const server = createServer((req: IncomingMessage, out: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const send = (code: number, obj: unknown) => {
        out.writeHead(code, { 'Content-Type': 'application/json' });
        out.end(JSON.stringify(obj));
      };
      if (req.method === 'GET' && discovery[path]) return send(200, discovery[path]);
      if (req.method === 'GET' && path === '/api/v1/nodes/n1') return send(200, node);
      if (req.method === 'PATCH' && path === '/api/v1/nodes/n1') return send(200, { ...node, spec: { unschedulable: true } });
      if (req.method === 'GET' && path === '/api/v1/pods') return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '3' }, items: [pod] });
      if (req.method === 'GET' && path === '/api/v1/namespaces/default/pods/p1') {
        return evicted ? send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "p1" not found' }) : send(200, pod);
      }
      if (req.method === 'POST') {
        const body = Buffer.concat(chunks);
        const contentType = req.headers['content-type'] ?? '';
        captures.push({ path, contentType, body });
        const obj = contentType.startsWith(PROTOBUF_MEDIA_TYPE) ? decodeKubernetesProtobuf(body) : JSON.parse(body.toString('utf8'));
        if (obj.kind === 'Eviction') evicted = true;
        if (obj.kind === 'SelfSubjectAccessReview') return send(201, { ...obj, status: { allowed: true } });
        if (obj.kind === 'SelfSubjectRulesReview') return send(201, { ...obj, status: { resourceRules: [], nonResourceRules: [], incomplete: false } });
        return send(201, { ...obj, metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '5' } });
      }
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${req.method} ${path} not found` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, captures);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

const cases: { name: string; args: string[]; path: string; json?: true }[] = [
  { name: 'deployment', args: ['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3', '--port=80'], path: '/apis/apps/v1/namespaces/default/deployments' },
  { name: 'configmap', args: ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=greeting=hello world', '--from-file=blob.bin=BINFILE'], path: '/api/v1/namespaces/default/configmaps' },
  { name: 'secret', args: ['create', 'secret', 'generic', 'sec', '--from-literal=user=admin', '--from-literal=pass=s3cr3t'], path: '/api/v1/namespaces/default/secrets' },
  { name: 'namespace', args: ['create', 'namespace', 'team-a'], path: '/api/v1/namespaces' },
  { name: 'selfsubjectaccessreview', args: ['auth', 'can-i', 'create', 'deployments.apps', '-n', 'prod'], path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' },
  { name: 'selfsubjectrulesreview', args: ['auth', 'can-i', '--list', '-n', 'prod'], path: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews' },
  { name: 'service-clusterip', args: ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443'], path: '/api/v1/namespaces/default/services' },
  { name: 'service-headless', args: ['create', 'service', 'clusterip', 'hl', '--clusterip=None'], path: '/api/v1/namespaces/default/services' },
  { name: 'service-nodeport', args: ['create', 'service', 'nodeport', 'np', '--tcp=5678:8080', '--node-port=30080'], path: '/api/v1/namespaces/default/services' },
  { name: 'service-loadbalancer', args: ['create', 'service', 'loadbalancer', 'lb', '--tcp=80:http'], path: '/api/v1/namespaces/default/services' },
  { name: 'service-externalname', args: ['create', 'service', 'externalname', 'ext', '--external-name=db.example.com'], path: '/api/v1/namespaces/default/services' },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'robot'], path: '/api/v1/namespaces/default/serviceaccounts' },
  { name: 'eviction', args: ['drain', 'n1', '--grace-period=30', '--timeout=20s'], path: '/api/v1/namespaces/default/pods/p1/eviction', json: true },
];

test('kubectl 1.32 protobuf bodies decode to their JSON form', { skip: !existsSync(KUBECTL) && `${KUBECTL} not installed` }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-pbcapture-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, '');
  const binFile = join(dir, 'blob.bin');
  writeFileSync(binFile, Buffer.from([0xff, 0x00, 0xfe, 0x01]));
  await withServer(async (url, captures) => {
    for (const c of cases) {
      await t.test(c.name, async () => {
        captures.length = 0;
        const args = c.args.map((a) => a.replace('BINFILE', binFile));
        await run(KUBECTL, ['--server', url, '--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 });
        const posted = captures.filter((x) => x.path === c.path);
        assert.equal(posted.length, 1, `one POST to ${c.path}, saw ${captures.map((x) => x.path).join(', ')}`);
        const expected = JSON.parse(readFileSync(new URL(`${c.name}.json`, TESTDATA), 'utf8'));
        if (c.json) {
          assert.match(posted[0]!.contentType, /^application\/json/);
          assert.deepEqual(JSON.parse(posted[0]!.body.toString('utf8')), expected);
          return;
        }
        assert.match(posted[0]!.contentType, /^application\/vnd\.kubernetes\.protobuf/);
        assert.deepEqual(decodeKubernetesProtobuf(posted[0]!.body), expected);
        if (process.env.BOSUN_UPDATE_FIXTURES === '1') writeFileSync(new URL(`${c.name}.pb`, TESTDATA), posted[0]!.body);
      });
    }
  });
});
