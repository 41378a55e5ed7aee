import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from '../../api/kinds/index.js';
import { admitPod, type AdmitSources } from './admit-pod.js';
import { admitOS, generalFilter } from './predicate-admission.js';

/**
 * The kubelet's predicate admit handler beyond resources, as upstream's predicate_test.go
 * (TestGeneralPredicates, TestRejectPodAdmissionBasedOnOSSelector/OSField): reasons and messages.
 */

const node = (extra: { labels?: Record<string, string>; taints?: NonNullable<Node['spec']>['taints'] } = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name: 'machine1', labels: extra.labels },
  spec: { taints: extra.taints }, status: { allocatable: { cpu: '10m', memory: '20', pods: '32' } },
});
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'p', ...meta }, spec: { containers: [], ...spec },
});
const withPorts = (...hostPorts: { hostPort: number; hostIP?: string; protocol?: 'TCP' | 'UDP' }[]): Pod =>
  pod({ containers: [{ name: 'c', image: 'img', ports: hostPorts.map((p) => ({ containerPort: p.hostPort, ...p })) }] });
const needsFoo: Partial<NonNullable<Pod['spec']>> = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'foo', operator: 'Exists' }] }] } } } };
const reasons = (p: Pod, n: Node, admitted: Pod[] = []) => generalFilter(p, admitted, n).map((r) => r.reason);

const AFFINITY = { reason: 'NodeAffinity', message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector" };
const TAINT = { reason: 'TaintToleration', message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate" };

describe('kubelet predicate admission (generalFilter)', () => {
  it('admits a pod asking nothing; resources come first (OutOfcpu before memory)', () => {
    assert.deepEqual(reasons(pod(), node()), []);
    const big = pod({ containers: [{ name: 'c', image: 'img', resources: { requests: { cpu: '8m', memory: '10' } } }] });
    const used = pod({ containers: [{ name: 'c', image: 'img', resources: { requests: { cpu: '5m', memory: '19' } } }] }, { uid: 'u' });
    assert.deepEqual(reasons(big, node(), [used]), ['OutOfcpu']);
  });

  it('refuses a pod for another node (NodeName)', () => {
    assert.deepEqual(generalFilter(pod({ nodeName: 'machine2' }), [], node()), [
      { reason: 'NodeName', message: "Predicate NodeName failed: node(s) didn't match the requested node name" },
    ]);
    assert.deepEqual(reasons(pod({ nodeName: 'machine1' }), node()), []);
  });

  it('refuses a host port an admitted pod holds (NodePorts): same protocol and port, same IP or 0.0.0.0', () => {
    const msg = [{ reason: 'NodePorts', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" }];
    assert.deepEqual(generalFilter(withPorts({ hostPort: 123 }), [withPorts({ hostPort: 123 })], node()), msg);
    assert.deepEqual(reasons(withPorts({ hostPort: 123, hostIP: '10.0.0.1' }), node(), [withPorts({ hostPort: 123 })]), ['NodePorts']);
    assert.deepEqual(reasons(withPorts({ hostPort: 123, hostIP: '10.0.0.1' }), node(), [withPorts({ hostPort: 123, hostIP: '10.0.0.2' })]), []);
    assert.deepEqual(reasons(withPorts({ hostPort: 123, protocol: 'UDP' }), node(), [withPorts({ hostPort: 123 })]), []);
    assert.deepEqual(reasons(withPorts({ hostPort: 124 }), node(), [withPorts({ hostPort: 123 })]), []);
  });

  it('refuses only for NoExecute taints the pod does not tolerate; static pods ignore taints', () => {
    const both = node({ taints: [{ key: 'foo', effect: 'NoSchedule' }, { key: 'bar', effect: 'NoExecute' }] });
    assert.deepEqual(reasons(pod({ tolerations: [{ key: 'foo' }, { key: 'bar' }] }), both), []);
    assert.deepEqual(reasons(pod(), node({ taints: [{ key: 'foo', effect: 'NoSchedule' }] })), []);
    assert.deepEqual(reasons(pod(), node({ taints: [{ key: 'baz', effect: 'PreferNoSchedule' }] })), []);
    assert.deepEqual(generalFilter(pod(), [], node({ taints: [{ key: 'bar', effect: 'NoExecute' }] })), [TAINT]);
    assert.deepEqual(reasons(pod({}, { annotations: { 'kubernetes.io/config.source': 'file' } }), both), []);
    assert.deepEqual(reasons(pod({}, { annotations: { 'kubernetes.io/config.source': 'api' } }), both), ['TaintToleration']);
  });

  it('refuses a pod whose nodeSelector or required node affinity the node does not match, reporting every failure in order', () => {
    assert.deepEqual(generalFilter(pod(needsFoo), [], node()), [AFFINITY]);
    assert.deepEqual(reasons(pod({ nodeSelector: { disk: 'ssd' } }), node({ labels: { disk: 'hdd' } })), ['NodeAffinity']);
    assert.deepEqual(reasons(pod({ nodeSelector: { disk: 'ssd' }, ...needsFoo }), node({ labels: { disk: 'ssd', foo: '' } })), []);
    assert.deepEqual(reasons(pod({ ...needsFoo, nodeName: 'other' }), node({ taints: [{ key: 'bar', effect: 'NoExecute' }] })), ['NodeAffinity', 'NodeName', 'TaintToleration']);
  });
});

describe('kubelet admit handlers (admitPod)', () => {
  const sources = (cached: Node | undefined, fresh: Node | Error, pressure?: string): AdmitSources & { reads: number } => {
    const s = {
      reads: 0,
      pressure: () => pressure,
      cachedNode: () => cached,
      freshNode: async () => {
        s.reads++;
        if (fresh instanceof Error) throw fresh;
        return fresh;
      },
    };
    return s;
  };
  const labelled = node({ labels: { foo: 'bar' } });

  it('reads the Node again only when node affinity is the one failure (labels the cache has not seen yet)', async () => {
    const src = sources(node(), labelled);
    assert.equal(await admitPod(pod(needsFoo), [], src), undefined, 'the fresh Node matches');
    assert.equal(src.reads, 1);
    const stillNot = sources(node(), node());
    assert.deepEqual(await admitPod(pod(needsFoo), [], stillNot), AFFINITY);
    const unreadable = sources(node(), new Error('connection refused'));
    assert.deepEqual(await admitPod(pod(needsFoo), [], unreadable), AFFINITY, 'the cached answer when the API cannot be read');
    const twoFailures = sources(node(), labelled);
    assert.equal((admitPod(pod({ ...needsFoo, nodeName: 'other' }), [], twoFailures) as { reason: string }).reason, 'NodeAffinity');
    assert.equal(twoFailures.reads, 0, 'more than affinity failed: no read, as upstream');
    const cachedMatches = sources(labelled, node());
    assert.equal(admitPod(pod(needsFoo), [], cachedMatches), undefined);
    assert.equal(cachedMatches.reads, 0);
  });

  it('the eviction manager decides first, then InvalidNodeInfo, then the OS checks', () => {
    assert.deepEqual(admitPod(pod(), [], sources(node(), node(), 'The node had condition: [MemoryPressure].')), { reason: 'Evicted', message: 'The node had condition: [MemoryPressure].' });
    assert.deepEqual(admitPod(pod(), [], sources(undefined, node())), { reason: 'InvalidNodeInfo', message: 'Kubelet cannot get node info.' });
    assert.equal((admitPod(pod({ os: { name: 'windows' }, nodeName: 'other' }), [], sources(node(), node())) as { reason: string }).reason, 'PodOSNotSupported');
  });

  it('compares the pod\'s kubernetes.io/os label and spec.os with the node\'s OS, whatever the node\'s label says', () => {
    assert.equal(admitOS(pod({}, { labels: { 'kubernetes.io/os': 'linux' } })), undefined);
    assert.equal(admitOS(pod()), undefined, 'no label: admitted');
    assert.equal(admitOS(pod({ nodeSelector: { 'kubernetes.io/os': 'windows' } })), undefined, 'the label, not the nodeSelector (upstream reads pod.Labels)');
    assert.deepEqual(admitOS(pod({}, { labels: { 'kubernetes.io/os': 'dummyOS' } })), {
      reason: 'PodOSSelectorNodeLabelDoesNotMatch', message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label",
    });
    assert.equal(admitOS(pod({ os: { name: 'linux' } })), undefined);
    assert.deepEqual(admitOS(pod({ os: { name: 'windows' } })), { reason: 'PodOSNotSupported', message: "Failed to admit pod as the OS field doesn't match node OS" });
  });
});
