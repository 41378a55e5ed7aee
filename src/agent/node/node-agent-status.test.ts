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
