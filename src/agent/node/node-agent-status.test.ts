/**
 * The node status write against an in-process API server. The kubelet's setters update their own
 * conditions in the node it fetched and patch the difference (tryUpdateNodeStatus +
 * PatchNodeStatus), so a condition another component owns (NetworkUnavailable from the CNI or
 * route controller, node-problem-detector's) survives every heartbeat; the addresses are the
 * kubelet's whole list.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Node } from '../../api/kinds/index.js';
import { KubeClient } from '../../client/kube-client.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import type { MachineInfo } from './machine-info.js';
import { NodeAgent } from './node-agent.js';

const machine: MachineInfo = {
  cpus: 2, memoryBytes: 4 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3, hostname: 'n1', internalIP: '192.168.1.5', kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64', machineID: 'm', systemUUID: 's', bootID: 'b',
};

let ts: TestServer;
let client: KubeClient;
let dataDir: string;

before(async () => {
  ts = await startTestServer();
  client = KubeClient.fromKubeconfig(ts.kubeconfig);
  dataDir = mkdtempSync(join(tmpdir(), 'bosun-node-status-'));
});
after(async () => {
  client?.close();
  await ts?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("a heartbeat keeps others' node conditions and replaces the addresses whole", async () => {
  const agent = new NodeAgent({
    client, nodeName: 'n1', runtime: new FakeRuntime(), machine, dataDir, log: quietLogger,
    pressure: () => ({ MemoryPressure: false, DiskPressure: false }),
  });
  await agent.register();
  const nodes = client.nodes<Node>();
  // The CNI marks the network unavailable, and an address the node no longer has lingers.
  await nodes.patchStatus('n1', 'strategic', {
    status: {
      conditions: [{ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', message: 'no route', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      addresses: [{ type: 'ExternalIP', address: '203.0.113.9' }],
    },
  });
  await agent.updateStatus();
  const st = (await nodes.get('n1')).status!;
  assert.deepEqual(st.conditions!.map((c) => `${c.type}=${c.status}`).sort(),
    ['DiskPressure=False', 'MemoryPressure=False', 'NetworkUnavailable=True', 'PIDPressure=False', 'Ready=True']);
  assert.deepEqual(st.addresses, [{ type: 'InternalIP', address: '192.168.1.5' }, { type: 'Hostname', address: 'n1' }]);
});

test('status.images lists the runtime images, biggest first, and is patched only when it changed', async () => {
  const runtime = new FakeRuntime();
  runtime.addImage('busybox', { size: 2_000_000 });
  runtime.addImage('registry.k8s.io/pause:3.10', { size: 500_000 });
  // The status patches the agent sends, to see whether the images are in them.
  const bodies: { status?: { images?: unknown } }[] = [];
  const nodes = client.nodes.bind(client);
  const spied = new Proxy(client, {
    get: (target, prop, receiver) => prop !== 'nodes' ? Reflect.get(target, prop, receiver) as unknown : () => {
      const r = nodes<Node>();
      const patchStatus = r.patchStatus.bind(r);
      r.patchStatus = (name, type, body) => (bodies.push(body as (typeof bodies)[number]), patchStatus(name, type, body));
      return r;
    },
  });
  const agent = new NodeAgent({
    client: spied, nodeName: 'n2', runtime, machine, dataDir, log: quietLogger,
    pressure: () => ({ MemoryPressure: false, DiskPressure: false }),
  });
  await agent.register();
  assert.deepEqual((await client.nodes<Node>().get('n2')).status!.images, [
    { names: ['docker.io/library/busybox:latest'], sizeBytes: 2_000_000 },
    { names: ['registry.k8s.io/pause:3.10'], sizeBytes: 500_000 },
  ]);
  await agent.updateStatus();
  assert.equal('images' in bodies.at(-1)!.status!, false, 'an unchanged list is left out of the patch');
  // Someone else overwrites the list: the next heartbeat puts the runtime's back (the diff is against the server's node).
  await client.nodes<Node>().patchStatus('n2', 'merge', { status: { images: [{ names: ['example.com/other:1'], sizeBytes: 1 }] } });
  await agent.updateStatus();
  assert.deepEqual((await client.nodes<Node>().get('n2')).status!.images!.map((i) => i.names![0]), ['docker.io/library/busybox:latest', 'registry.k8s.io/pause:3.10']);
  runtime.addImage('nginx:1.27', { size: 9_000_000 });
  await agent.updateStatus();
  assert.equal('images' in bodies.at(-1)!.status!, true);
  assert.deepEqual((await client.nodes<Node>().get('n2')).status!.images!.map((i) => i.names![0]),
    ['docker.io/library/nginx:1.27', 'docker.io/library/busybox:latest', 'registry.k8s.io/pause:3.10']);
  for (const ref of ['busybox', 'registry.k8s.io/pause:3.10', 'nginx:1.27']) await runtime.removeImage(ref);
  await agent.updateStatus();
  assert.equal((await client.nodes<Node>().get('n2')).status!.images, undefined, 'no images: the field is removed');
  await client.nodes<Node>().delete('n2');
});
