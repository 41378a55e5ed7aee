/**
 * The pod lifecycle tests of the agent's admission (pods/admit-pod.ts: the kubelet's predicate admit
 * handler): pods bound here that do not fit the node's resources, labels, host ports or NoExecute
 * taints end Failed with upstream's reason, message and Warning event and never start. Declared into
 * the describe of pods/pod-lifecycle.test.ts, in their place there, so they share its node.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Node } from '../../api/kinds/index.js';
import { parseQuantity } from '../../api/quantity/index.js';
import { h, IMG, rt } from './pod-lifecycle-env.js';

/** Declares the tests in the caller's describe, whose hooks (fakeNodeForFile) start the node. */
export function admissionTests(): void {
  it('refuses a pod bound here that does not fit what the pods admitted before request: Failed OutOfcpu, never started', async () => {
    const node = await h.client.nodes<Node>().get(h.nodeName);
    const capacity = Number(parseQuantity(String(node.status!.allocatable!.cpu)).milliValue());
    const half = Math.floor(capacity / 2) + 1; // one such pod fits, two do not
    const spec = { containers: [{ name: 'app', image: IMG, resources: { requests: { cpu: `${half}m` } } }] };
    await h.createPod('fits', spec);
    await h.waitPod('fits', (p) => p.status?.phase === 'Running');
    await h.createPod('too-big', spec);
    const p = await h.waitPod('too-big', (p) => p.status?.phase === 'Failed' && p);
    const message = `Node didn't have enough resource: cpu, requested: ${half}, used: ${half}, capacity: ${capacity}`;
    assert.equal(p.status?.reason, 'OutOfcpu');
    assert.equal(p.status?.message, `Pod was rejected: ${message}`);
    assert.deepEqual(await rt.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! } }), []);
    assert.ok((await h.events('too-big')).some((e) => e.type === 'Warning' && e.reason === 'OutOfcpu' && e.message === message));
    await h.client.pods('default').delete('fits');
  });

  it('refuses a pod bound here that the node does not match (NodeAffinity, NodePorts, TaintToleration): Failed with the predicate\'s message, never started', async () => {
    const refused = async (name: string, reason: string, message: string) => {
      const p = await h.waitPod(name, (p) => p.status?.phase === 'Failed' && p);
      assert.equal(p.status?.reason, reason);
      assert.equal(p.status?.message, `Pod was rejected: ${message}`);
      assert.deepEqual(await rt.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': p.metadata.uid! } }), []);
      assert.ok((await h.events(name)).some((e) => e.type === 'Warning' && e.reason === reason && e.message === message));
    };
    await h.createPod('wrong-node', { nodeSelector: { 'bosun.test/disk': 'ssd' }, containers: [{ name: 'app', image: IMG }] });
    await refused('wrong-node', 'NodeAffinity', "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
    const port = { name: 'app', image: IMG, ports: [{ containerPort: 80, hostPort: 18080 }] };
    await h.createPod('port-holder', { containers: [port] });
    await h.waitPod('port-holder', (p) => p.status?.phase === 'Running');
    await h.createPod('port-taker', { containers: [port] });
    await refused('port-taker', 'NodePorts', "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    await h.client.pods('default').delete('port-holder');
    const taint = { key: 'bosun.test/drain', value: 'yes', effect: 'NoExecute' };
    await h.client.nodes<Node>().patch(h.nodeName, 'merge', { spec: { taints: [taint] } });
    try {
      await h.createPod('untolerating', { containers: [{ name: 'app', image: IMG }] });
      await refused('untolerating', 'TaintToleration', "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate");
      await h.createPod('tolerating', { tolerations: [{ key: 'bosun.test/drain', operator: 'Exists' }], containers: [{ name: 'app', image: IMG }] });
      await h.waitPod('tolerating', (p) => p.status?.phase === 'Running');
    } finally {
      await h.client.nodes<Node>().patch(h.nodeName, 'merge', { spec: { taints: null } });
    }
    await h.client.pods('default').delete('tolerating');
  });

  it('admits a pod whose nodeSelector matches a label the node got just before', async () => {
    await h.client.nodes<Node>().patch(h.nodeName, 'merge', { metadata: { labels: { 'bosun.test/fresh': 'yes' } } });
    try {
      await h.createPod('fresh-label', { nodeSelector: { 'bosun.test/fresh': 'yes' }, containers: [{ name: 'app', image: IMG }] });
      await h.waitPod('fresh-label', (p) => p.status?.phase === 'Running');
    } finally {
      await h.client.nodes<Node>().patch(h.nodeName, 'merge', { metadata: { labels: { 'bosun.test/fresh': null } } });
    }
    await h.client.pods('default').delete('fresh-label');
  });
}
