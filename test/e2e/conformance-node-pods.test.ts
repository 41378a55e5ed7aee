/**
 * Upstream's [sig-node] conformance tests of pods' lives on real containers (one compiled `bosun
 * server` and its node for the file, tests in parallel): test/e2e/common/node/pods.go,
 * init_container.go, lifecycle_hook.go, container_probe.go, runtime.go (restart policies),
 * runtimeclass.go, node_lifecycle.go and test/e2e/node/pods.go (QOS), pre_stop.go. This file starts
 * the node and holds the Node Lifecycle and RuntimeClass tests; the others are declared into its
 * describe by conformance-node-pods-basics.ts, -init.ts and -hooks-probes.ts (which say how agnhost
 * maps to busybox; `pause` is a shell sleeping until TERM).
 * Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/meta.js';
import { resources } from '../../src/client/resource-ref.js';
import { walkLifecycle } from '../../src/conformance/testing/api-lifecycle.js';
import { eventually } from '../../src/testing/eventually.js';
import {
  busyboxPod, SLEEP_FOREVER, uniqueName, useConformanceNode, waitForPod,
  CONCURRENCY,
} from './conformance-node-harness.js';
import { podsConformanceTests } from './conformance-node-pods-basics.js';
import { condition } from './conformance-node-pods-harness.js';
import { hookAndProbeConformanceTests } from './conformance-node-pods-hooks-probes.js';
import { initContainerConformanceTests } from './conformance-node-pods-init.js';

// Twice the harness's bound: most of these tests wait on the node's timers (probe periods, back-off,
// activeDeadlineSeconds) rather than start pods.
describe('[sig-node] conformance: pods', { concurrency: 2 * CONCURRENCY, timeout: 300_000 }, () => {
  const ctx = useConformanceNode('cf-node-pods');

  // pods.go: conformance-node-pods-basics.ts.
  podsConformanceTests(ctx);

  // runtime.go and init_container.go: conformance-node-pods-init.ts.
  initContainerConformanceTests(ctx);

  // lifecycle_hook.go, pre_stop.go and container_probe.go: conformance-node-pods-hooks-probes.ts.
  hookAndProbeConformanceTests(ctx);

  // node_lifecycle.go: a fake Node (no allocatable pods, so nothing is scheduled to it).
  it('[sig-node] Node Lifecycle should run through the lifecycle of a node [Conformance]', async () => {
    const c = ctx();
    const nodes = c.client.resource(resources.nodes);
    const name = uniqueName('e2e-fake-node');
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { phase: 'Running', conditions: [{ status: 'True', message: 'Set from e2e test', reason: 'E2E', type: 'Ready' }] } } as never);
    try {
      assert.equal((await nodes.get(name)).metadata.name, name);
      const patched = await nodes.patch(name, 'strategic', { metadata: { labels: { [name]: 'patched' } } });
      assert.equal(patched.metadata.labels?.[name], 'patched');
      assert.deepEqual((await nodes.list({ labelSelector: `${name}=patched` })).items.map((n) => n.metadata.name), [name]);
      const updated = await eventually(async () => {
        const cur = await nodes.get(name);
        return nodes.update({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, [name]: 'updated' } } });
      }, 'the node updated', { retryErrors: true });
      assert.equal(updated.metadata.labels?.[name], 'updated');
    } finally {
      await nodes.delete(name);
    }
    await eventually(async () => nodes.get(name).then(() => false, (e: { status?: { code?: number } }) => e.status?.code === 404), 'the node deleted');
  });

  // runtimeclass.go
  const runtimeClasses = () => ctx().client.resource(resources.runtimeclasses);
  const rcPod = (rc: string) => busyboxPod(uniqueName('test-runtimeclass'), { command: SLEEP_FOREVER }, { runtimeClassName: rc });
  const expectForbidden = async (p: Promise<unknown>) => assert.rejects(p, (e: { status?: { code?: number } }) => e.status?.code === 403);

  it('[sig-node] RuntimeClass should reject a Pod requesting a non-existent RuntimeClass [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    await expectForbidden(c.client.pods(c.ns).create(rcPod(`${c.ns}-nonexistent`)));
  });

  it('[sig-node] RuntimeClass should reject a Pod requesting a deleted RuntimeClass [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const rc = `${c.ns}-delete-me`;
    await runtimeClasses().create({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: rc }, handler: 'runc' } as KubeObject as never);
    await runtimeClasses().delete(rc);
    await eventually(async () => runtimeClasses().get(rc).then(() => false, (e: { status?: { code?: number } }) => e.status?.code === 404), 'the RuntimeClass gone');
    await expectForbidden(c.client.pods(c.ns).create(rcPod(rc)));
  });

  for (const overhead of [false, true]) {
    it(`[sig-node] RuntimeClass should schedule a Pod requesting a RuntimeClass ${overhead ? 'and initialize its Overhead' : 'without PodOverhead'} [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const rc = `${c.ns}-preconfigured-${overhead ? 'overhead' : 'plain'}`;
      await runtimeClasses().create({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: rc }, handler: 'runc', ...(overhead ? { overhead: { podFixed: { cpu: '10m', memory: '1Mi' } } } : {}) } as KubeObject as never);
      const created = await c.client.pods(c.ns).create(rcPod(rc));
      if (overhead) assert.deepEqual(created.spec?.overhead, { cpu: '10m', memory: '1Mi' });
      else assert.equal(created.spec?.overhead, undefined);
      await waitForPod(c, created.metadata.name!, 'scheduled', (p) => !!p.spec?.nodeName && condition(p, 'PodScheduled')?.status === 'True');
      await c.client.pods(c.ns).delete(created.metadata.name!);
      await runtimeClasses().delete(rc);
    });
  }

  it('[sig-node] RuntimeClass should support RuntimeClasses API operations [Conformance]', async () => {
    const c = ctx();
    await walkLifecycle(c.client, { ref: resources.runtimeclasses, make: (name, labels) => ({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name, labels }, handler: 'runc' } as KubeObject) }, `${c.ns}-rc`);
  });
});
