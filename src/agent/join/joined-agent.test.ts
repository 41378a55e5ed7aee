/**
 * The node agent running on the credential a join gives it (user system:node:<name>), under the
 * node authorizer: it registers its Node, renews its Lease, runs a bound pod to Running with a
 * ConfigMap and a Secret volume, records events, and completes a graceful deletion, without a
 * single Forbidden. The fake runtime stands in for containerd.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lease, Node, Pod } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { KubeClient } from '../../client/kube-client.js';
import type { Logger } from '../../controller-runtime/log.js';
import { startTestServer } from '../../testing/test-cluster.js';
import { startAgent, type Agent } from '../agent.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { joinCluster } from './join-cluster.js';
import { eventuallyWith } from '../../testing/eventually.js';

const P = `jagent-${process.pid}-${Date.now().toString(36)}`;
const nodeName = `${P}-node`;
const problems: string[] = [];
const capture = (level: string): Logger['warn'] => (obj: object, msg?: string) => {
  const text = `${msg ?? ''} ${JSON.stringify(obj)}`;
  if (/forbidden|403/i.test(text)) problems.push(`${level}: ${text}`);
};
const logger: Logger = { debug() {}, info() {}, warn: capture('warn'), error: capture('error'), child: () => logger } as unknown as Logger;

let ts: Awaited<ReturnType<typeof startTestServer>>;
let admin: KubeClient;
let nodeClient: KubeClient;
let agent: Agent | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'bosun-jagent-'));

before(async () => {
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  const joined = await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName, dataDir });
  nodeClient = KubeClient.fromKubeconfig(joined.kubeconfigPath);
  agent = await startAgent({
    client: nodeClient, nodeName, runtime: new FakeRuntime({ images: ['busybox'] }), dataDir: join(dataDir, 'agent'),
    podCIDR: '10.42.9.0/24', relistMs: 100, resyncMs: 1000, leaseRenewMs: 300, statusUpdateMs: 500, cgroupRoot: `/${P}`, logger,
  });
});
after(async () => {
  await agent?.stop();
  nodeClient?.close();
  admin?.close();
  await ts?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const until = eventuallyWith({ timeoutMs: 20_000, intervalMs: 50, retryErrors: true });

test('a joined agent does its whole job within what the node authorizer allows', async () => {
  const node = await admin.nodes<Node>().get(nodeName);
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  const first = (await admin.leases<Lease>('kube-node-lease').get(nodeName)).spec?.renewTime;
  await until(async () => (await admin.leases<Lease>('kube-node-lease').get(nodeName)).spec?.renewTime !== first, 'a lease renewal');

  await admin.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-cm` }, data: { a: 'b' } } as KubeObject);
  await admin.secrets('default').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${P}-s` }, stringData: { k: 'v' } } as KubeObject);
  await admin.pods<Pod>('default').create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `${P}-p`, namespace: 'default' },
    spec: {
      nodeName, terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'cm', mountPath: '/cm' }, { name: 's', mountPath: '/s' }] }],
      volumes: [{ name: 'cm', configMap: { name: `${P}-cm` } }, { name: 's', secret: { secretName: `${P}-s` } }],
    },
  } as Pod);
  await until(async () => (await admin.pods<Pod>('default').get(`${P}-p`)).status?.phase === 'Running', 'the pod Running');

  await admin.pods('default').delete(`${P}-p`);
  await until(async () => admin.pods('default').get(`${P}-p`).then(() => false, (e: { code?: number }) => e.code === 404), 'the pod gone after graceful deletion');
  assert.deepEqual(problems, [], 'no Forbidden answers');
});
