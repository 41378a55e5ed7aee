/**
 * startNode: a private containerd plus the agent, stopped and started again on the same data dir
 * (containerd restarts too): the pod's container keeps running under the same id. Needs root and
 * scripts/build-test-images.sh. Everything made here is removed at the end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Node, Pod } from '../api/kinds/index.js';
import { KubeClient } from '../client/kube-client.js';
import { startTestServer, type TestServer } from '../testing/test-cluster.js';
import { importImageTarball } from './containerd/images.js';
import { startNode, type RunningNode } from './node-main.js';
import { deleteLink, processesMentioning, removeCgroupTree, unmountUnder, cgroupDirsExisting } from './testing/host-state.js';
import { getWhenListening } from './testing/http.js';
import { BUSYBOX_IMAGE, BUSYBOX_TARBALL, requireTestImages } from './testing/private-containerd.js';
import { removeIdleHostportChains } from './cni/hostport-cleanup.js';

const id = randomBytes(3).toString('hex');
const prefix = `bzn${id}`;
const dir = mkdtempSync(join('/tmp', `${prefix}-`));
const podCIDR = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}.0/24`;

describe('startNode (containerd + agent)', { concurrency: false }, () => {
  let server: TestServer;
  let client: KubeClient;
  let node: RunningNode | undefined;
  const opts = () => ({
    client, dataDir: dir, nodeName: `${prefix}-node`, podCIDR, bridge: prefix, cgroupRoot: `/${prefix}`, relistMs: 200, leaseRenewMs: 1000,
  });

  after(async () => {
    await node?.stop().catch(() => undefined);
    client?.close();
    await server?.stop();
    for (const pid of processesMentioning(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    unmountUnder(dir);
    deleteLink(prefix);
    removeIdleHostportChains();
    removeCgroupTree(`/${prefix}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a pod, survives a stop and start of the whole node, and cleans up on deletion', async () => {
    requireTestImages();
    server = await startTestServer();
    client = KubeClient.fromKubeconfig(server.kubeconfig);
    node = await startNode(opts());
    const n = await client.nodes<Node>().get(`${prefix}-node`);
    assert.equal(n.spec?.podCIDR, podCIDR);
    assert.match(n.status?.nodeInfo?.containerRuntimeVersion ?? '', /^containerd:\/\//);
    await importImageTarball(node.runtime.containerd.socket, BUSYBOX_TARBALL);
    const pods = client.pods<Pod>('default');
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: `${prefix}-node`, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: BUSYBOX_IMAGE }] } } as Pod);
    const ready = async () => {
      for (let i = 0; i < 300; i++) {
        const p = await pods.get('web');
        if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return p;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('pod not ready');
    };
    const p1 = await ready();
    assert.equal((await getWhenListening(`http://${p1.status!.podIP}:8080/`)).status, 200);
    const cid = p1.status!.containerStatuses![0]!.containerID;

    await node.stop();
    node = undefined;
    node = await startNode(opts());
    await new Promise((r) => setTimeout(r, 2000));
    const p2 = await ready();
    assert.equal(p2.status!.containerStatuses![0]!.containerID, cid);
    assert.equal(p2.status!.containerStatuses![0]!.restartCount, 0);
    // The re-registered node's status lists containerd's images (the Images setter), busybox among them.
    const images = (await client.nodes<Node>().get(`${prefix}-node`)).status?.images ?? [];
    assert.ok(images.some((i) => i.names?.includes(BUSYBOX_IMAGE) && Number(i.sizeBytes) > 0), JSON.stringify(images));

    await pods.delete('web');
    for (let i = 0; i < 300 && (await pods.list()).items.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual((await pods.list()).items, []);
    assert.deepEqual(await node.runtime.runtime.listPodSandboxes(), []);
    assert.deepEqual(cgroupDirsExisting(`/${prefix}/pod${p2.metadata.uid}`), []);
  });
});
