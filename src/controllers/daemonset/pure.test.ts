/**
 * The DaemonSet controller's decisions, table-tested without I/O, each against upstream's
 * pkg/controller/daemon (daemon_controller.go, update.go, util/daemonset_util.go) and its tests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet, Node } from '../../api/kinds/index.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { daemonPodTemplate, daemonPodTolerations, isPodUpdated, nodeNameAffinity, REVISION_HASH_LABEL, targetNodeName } from './daemon-pod.js';
import { podsByTargetNode } from './daemonset-reconciler.js';
import { FailedPodBackoff } from './failed-pod-backoff.js';
import { planManage } from './manage.js';
import { nodeEligibility } from './node-eligibility.js';
import { planRollingUpdate } from './rolling-update.js';
import { rolloutBudgets } from './rollout-math.js';
import { matchesRevision, revisionData, revisionsToCleanUp, snapshotRevision } from './revisions.js';
import { calculateStatus } from './status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function ds(spec: Partial<NonNullable<DaemonSet['spec']>> = {}, templateSpec: Record<string, unknown> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'fluentd', namespace: 'kube-system', uid: 'ds-uid', generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } },
    spec: {
      selector: { matchLabels: { name: 'fluentd' } },
      template: { metadata: { labels: { name: 'fluentd' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...templateSpec } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
      ...spec,
    },
  } as DaemonSet;
}

function node(name: string, o: { labels?: Record<string, string>; taints?: { key: string; effect: string; value?: string }[] } = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: o.labels ?? {} }, spec: { taints: o.taints } } as Node;
}

let seq = 0;
function pod(nodeName: string, o: { hash?: string; ready?: boolean; phase?: string; deleting?: boolean; created?: string; unscheduled?: boolean } = {}): Pod {
  seq++;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `p${seq}`, namespace: 'kube-system', uid: `u${seq}`, creationTimestamp: o.created ?? `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z`,
      labels: { name: 'fluentd', ...(o.hash ? { [REVISION_HASH_LABEL]: o.hash } : {}) },
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:09:00Z' } : {}),
    },
    spec: o.unscheduled ? { affinity: nodeNameAffinity(undefined, nodeName), containers: [] } : { nodeName, containers: [] },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  } as Pod;
}

const byNode = (...pods: Pod[]) => podsByTargetNode(pods);

describe('daemon pods (util/daemonset_util.go)', () => {
  it('adds the daemon tolerations, replacing a matching one and adding network-unavailable only for hostNetwork', () => {
    const t = daemonPodTolerations({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] });
    assert.deepEqual(t.map((x) => `${x.key}:${x.effect}:${x.tolerationSeconds ?? '-'}`), [
      'node.kubernetes.io/not-ready:NoExecute:-', 'node.kubernetes.io/unreachable:NoExecute:-', 'node.kubernetes.io/disk-pressure:NoSchedule:-',
      'node.kubernetes.io/memory-pressure:NoSchedule:-', 'node.kubernetes.io/pid-pressure:NoSchedule:-', 'node.kubernetes.io/unschedulable:NoSchedule:-',
    ]);
    assert.ok(daemonPodTolerations({ hostNetwork: true }).some((x) => x.key === 'node.kubernetes.io/network-unavailable' && x.effect === 'NoSchedule'));
  });

  it('pods carry the revision hash and template generation labels; updated means either matches', () => {
    const t = daemonPodTemplate(ds(), 'abc');
    assert.equal(t.metadata!.labels![REVISION_HASH_LABEL], 'abc');
    assert.equal(t.metadata!.labels!['pod-template-generation'], '1');
    assert.ok(isPodUpdated(pod('n', { hash: 'abc' }), 'abc', undefined));
    assert.ok(!isPodUpdated(pod('n', { hash: 'old' }), 'abc', 2));
  });

  it('replaces the required node affinity with one matchFields term on metadata.name, keeping the rest', () => {
    const a = nodeNameAffinity({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [] },
      podAntiAffinity: {},
    }, 'n1');
    assert.deepEqual(a.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] });
    assert.deepEqual(a.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution, []);
    assert.deepEqual(a.podAntiAffinity, {});
    assert.equal(targetNodeName(pod('n1', { unscheduled: true })), 'n1');
    assert.equal(targetNodeName(pod('n2')), 'n2');
  });
});

describe('NodeShouldRunDaemonPod', () => {
  const cases: { name: string; ds: DaemonSet; node: Node; want: [boolean, boolean] }[] = [
    { name: 'plain node', ds: ds(), node: node('n'), want: [true, true] },
    { name: 'nodeSelector matches', ds: ds({}, { nodeSelector: { disk: 'ssd' } }), node: node('n', { labels: { disk: 'ssd' } }), want: [true, true] },
    { name: 'nodeSelector does not match', ds: ds({}, { nodeSelector: { disk: 'ssd' } }), node: node('n'), want: [false, false] },
    {
      name: 'required node affinity does not match',
      ds: ds({}, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } }),
      node: node('n', { labels: { zone: 'b' } }), want: [false, false],
    },
    { name: 'template nodeName names another node', ds: ds({}, { nodeName: 'other' }), node: node('n'), want: [false, false] },
    { name: 'untolerated NoSchedule: no new pod, an existing one stays', ds: ds(), node: node('n', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), want: [false, true] },
    { name: 'untolerated NoExecute: no pod at all', ds: ds(), node: node('n', { taints: [{ key: 'k', effect: 'NoExecute' }] }), want: [false, false] },
    { name: 'PreferNoSchedule is ignored', ds: ds(), node: node('n', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), want: [true, true] },
    {
      name: 'tolerated NoSchedule', ds: ds({}, { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }] }),
      node: node('n', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), want: [true, true],
    },
    { name: 'cordoned node (unschedulable taint is tolerated by every daemon pod)', ds: ds(), node: node('n', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), want: [true, true] },
    { name: 'not-ready NoExecute is tolerated', ds: ds(), node: node('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), want: [true, true] },
    { name: 'network-unavailable without hostNetwork', ds: ds(), node: node('n', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), want: [false, true] },
    { name: 'network-unavailable with hostNetwork', ds: ds({}, { hostNetwork: true }), node: node('n', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }), want: [true, true] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = nodeEligibility(c.ds)(c.node);
      assert.deepEqual([v.shouldRun, v.shouldContinueRunning], c.want);
    });
  }
});

describe('manage (podsShouldBeOnNode)', () => {
  const base = { hash: 'h1', now: NOW, failedPodDelay: () => 0 };
  const run = (d: DaemonSet, nodes: Node[], pods: Pod[], extra: Partial<Parameters<typeof planManage>[0]> = {}) =>
    planManage({ ds: d, nodes, podsByNode: byNode(...pods), verdict: nodeEligibility(d), ...base, ...extra });

  it('creates on eligible nodes without a pod (a joining node included), not on tainted or unselected ones', () => {
    const d = ds({}, { nodeSelector: { role: 'log' } });
    const nodes = [node('a', { labels: { role: 'log' } }), node('b', { labels: { role: 'log' } }), node('c'), node('d', { labels: { role: 'log' }, taints: [{ key: 'x', effect: 'NoSchedule' }] })];
    const plan = run(d, nodes, [pod('a', { hash: 'h1' })]);
    assert.deepEqual(plan.createOn, ['b']);
    assert.deepEqual(plan.deletePods, []);
  });

  it('deletes pods on nodes that stopped fitting, and unscheduled pods aimed at vanished nodes', () => {
    const d = ds({}, { nodeSelector: { role: 'log' } });
    const gone = pod('gone', { unscheduled: true });
    const misfit = pod('c');
    const plan = run(d, [node('c')], [misfit, gone, pod('gone2')]);
    assert.deepEqual(plan.deletePods.map((p) => p.metadata.name), [misfit.metadata.name, gone.metadata.name]);
  });

  it('does not create beside a terminating pod; deletes succeeded pods and all but the oldest without surge', () => {
    const d = ds();
    const oldest = pod('b', { created: '2026-01-01T00:00:00Z' });
    const extra = pod('b', { created: '2026-01-01T00:01:00Z' });
    const done = pod('c', { phase: 'Succeeded' });
    const plan = run(d, [node('a'), node('b'), node('c')], [pod('a', { deleting: true }), oldest, extra, done]);
    assert.deepEqual(plan.createOn, []);
    assert.deepEqual(plan.deletePods.map((p) => p.metadata.name).sort(), [done.metadata.name, extra.metadata.name].sort());
  });

  it('deletes a failed pod with a warning, then backs off on that node', () => {
    const d = ds();
    let t = NOW;
    const backoff = new FailedPodBackoff({ now: () => t });
    const failed = pod('a', { phase: 'Failed' });
    const first = run(d, [node('a')], [failed], { failedPodDelay: (n) => backoff.delay(n) });
    assert.deepEqual(first.failedPods.map((f) => f.node), ['a']);
    t += 500;
    const second = run(d, [node('a')], [pod('a', { phase: 'Failed' })], { failedPodDelay: (n) => backoff.delay(n) });
    assert.deepEqual(second.deletePods, []);
    assert.equal(second.requeueAfterMs, 500);
    t += 600;
    assert.equal(run(d, [node('a')], [pod('a', { phase: 'Failed' })], { failedPodDelay: (n) => backoff.delay(n) }).deletePods.length, 1);
  });

  it('with surge keeps one old and one new pod until the new one is available', () => {
    const d = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    const oldP = pod('a', { hash: 'h0', created: '2026-01-01T00:00:00Z' });
    const newUnready = pod('a', { hash: 'h1', ready: false, created: '2026-01-01T00:01:00Z' });
    assert.deepEqual(run(d, [node('a')], [oldP, newUnready]).deletePods, []);
    const newReady = pod('a', { hash: 'h1', created: '2026-01-01T00:01:00Z' });
    assert.deepEqual(run(d, [node('a')], [oldP, newReady]).deletePods.map((p) => p.metadata.name), [oldP.metadata.name]);
  });
});

describe('rolling update (update.go)', () => {
  const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`));
  const run = (d: DaemonSet, pods: Pod[]) => planRollingUpdate({ ds: d, nodes, podsByNode: byNode(...pods), hash: 'h1', now: NOW, verdict: nodeEligibility(d) });

  it('maxUnavailable is a percentage of desired nodes rounded up; 0/0 falls back to 1', () => {
    assert.deepEqual(rolloutBudgets(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } } }), 1000), { maxSurge: 0, maxUnavailable: 100 });
    assert.deepEqual(rolloutBudgets(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } } }), 5), { maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(rolloutBudgets(ds({ updateStrategy: { type: 'OnDelete' } }), 5), { maxSurge: 0, maxUnavailable: 1 });
  });

  it('deletes old available pods up to maxUnavailable, counting unavailable new and old pods and empty nodes against it', () => {
    const d = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 3, maxSurge: 0 } } });
    const pods = nodes.map((n, i) => pod(n.metadata.name!, { hash: i < 2 ? 'h1' : 'h0', ready: i !== 0 }));
    // n0 has an unready new pod: 1 unavailable, so 2 old pods may go.
    assert.equal(run(d, pods).deletePods.length, 2);
    // An old pod that is not available goes at once, whatever the budget.
    const unavailableOld = pods.map((p, i) => (i === 5 ? pod('n5', { hash: 'h0', ready: false }) : p));
    const plan = run(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } }), unavailableOld);
    assert.deepEqual(plan.deletePods.map((p) => p.spec!.nodeName), ['n5']);
    // ...and counts against the budget (kubernetes#123233, 1.31): with maxUnavailable 2 one more old pod goes, not two.
    const allOld = nodes.map((n, i) => pod(n.metadata.name!, { hash: 'h0', ready: i !== 5 }));
    const two = run(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } } }), allOld);
    assert.deepEqual(two.deletePods.map((p) => p.spec!.nodeName), ['n5', 'n0']);
    // Nodes without pods count as unavailable: with 3 empty nodes and maxUnavailable 3 nothing goes.
    assert.equal(run(d, pods.slice(3).map((p) => pod(p.spec!.nodeName as string, { hash: 'h0' }))).deletePods.length, 0);
  });

  it('with maxSurge creates new pods beside old available ones, up to maxSurge, and deletes old ones whose replacement is available', () => {
    const d = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 2 } } });
    const pods = nodes.map((n) => pod(n.metadata.name!, { hash: 'h0' }));
    assert.equal(run(d, pods).createOn.length, 2);
    const surged = [...pods, pod('n0', { hash: 'h1' }), pod('n1', { hash: 'h1', ready: false })];
    const plan = run(d, surged);
    assert.deepEqual(plan.deletePods.map((p) => p.spec!.nodeName), ['n0']);
    assert.equal(plan.createOn.length, 1, 'one surge slot is taken by n1');
  });
});

describe('status and history', () => {
  it('counts desired, current, misscheduled, ready, updated, available and unavailable', () => {
    const d = ds({ minReadySeconds: 0 }, { nodeSelector: { role: 'log' } });
    const nodes = [node('a', { labels: { role: 'log' } }), node('b', { labels: { role: 'log' } }), node('c', { labels: { role: 'log' } }), node('x')];
    const pods = [pod('a', { hash: 'h1' }), pod('b', { hash: 'h0', ready: false }), pod('x', { hash: 'h1' })];
    assert.deepEqual(calculateStatus(d, nodes, byNode(...pods), 'h1', nodeEligibility(d), NOW), {
      desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2,
    });
  });

  it('a revision holds the template as a replace patch, matches only its template, and is named by the template hash', () => {
    const d = ds();
    assert.deepEqual((revisionData(d) as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
    const cr = snapshotRevision(d, 1);
    assert.ok(matchesRevision(d, cr));
    const changed = ds({}, { containers: [{ name: 'c', image: 'j' }] });
    assert.ok(!matchesRevision(changed, cr));
    assert.notEqual(snapshotRevision(changed, 2).metadata.name, cr.metadata.name);
    assert.equal(cr.metadata.name, `fluentd-${cr.metadata.labels![REVISION_HASH_LABEL]}`);
    const collided = snapshotRevision({ ...d, status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, collisionCount: 1 } }, 1);
    assert.notEqual(collided.metadata.name, cr.metadata.name);
  });

  it('cleans up old revisions beyond revisionHistoryLimit, oldest first, sparing those live pods carry', () => {
    const d = ds({ revisionHistoryLimit: 1 });
    const rev = (n: number) => ({ ...snapshotRevision(d, n), metadata: { ...snapshotRevision(d, n).metadata, name: `r${n}`, labels: { [REVISION_HASH_LABEL]: `h${n}` } } });
    const out = revisionsToCleanUp(d, [rev(3), rev(1), rev(2)], [[pod('a', { hash: 'h1' })]]);
    assert.deepEqual(out.map((r) => r.metadata.name), ['r2', 'r3']);
  });
});
