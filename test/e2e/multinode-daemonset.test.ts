/**
 * DaemonSets on a real multi-node cluster (network namespaces, src/testing/multi-node-cluster.ts:
 * `bosun server` with its node plus two agents, a third agent joining later), driven by the real
 * kubectl on real containers:
 * - upstream's example (kubernetes/website content/en/examples/controllers/daemonset.yaml,
 *   fluentd-elasticsearch), unchanged except its image: quay.io/fluentd_elasticsearch/fluentd is
 *   replaced by bosun.test/busybox:1, built here by scripts/build-test-images.sh (no registry in
 *   tests). One pod Running on every node, and on a node that joins later.
 * - a node tainted NoSchedule gets no pod of a DaemonSet that does not tolerate it, and gets one
 *   once the template tolerates it (itself a rolling update).
 * - a rolling update of the image with maxUnavailable 1 ends with every pod on the new revision,
 *   and `kubectl rollout undo` brings every pod back to the previous one.
 * Needs root and scripts/build-test-images.sh.
 */
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { startMultiNodeCluster, type MultiNodeCluster } from '../../src/testing/multi-node-cluster.js';
import { until } from '../../src/testing/web-deployment.js';

const FLUENTD = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      # these tolerations are to have the daemonset runnable on control plane nodes
      # remove them if your control plane nodes should not run pods
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      - key: node-role.kubernetes.io/master
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: bosun.test/busybox:1
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      # it may be desirable to set a high enough value to make sure that daemonset pods don't
      # get preempted by node pressure
      # priorityClassName: important
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
`;

/** A lean DaemonSet for the taint and rollout steps (grace period 1 s: busybox httpd ignores SIGTERM as PID 1). */
const ROLL = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: e2e-roll, namespace: default}
spec:
  selector: {matchLabels: {app: e2e-roll}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}
  template:
    metadata: {labels: {app: e2e-roll}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: bosun.test/busybox:1}]
`;

let c: MultiNodeCluster;
const WAIT = 180_000;

async function ok(args: string[], input?: string): Promise<string> {
  const r = await c.kubectl(args, input === undefined ? undefined : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Running and Ready pods of `selector` in `ns`, exactly one on each of `nodes`, each passing `check`. */
function onEveryNode(ns: string, selector: string, nodes: () => string[], check: (p: Pod) => boolean = () => true): Promise<Pod[]> {
  return until(`${selector} Ready on ${nodes().join(', ')}`, async () => {
    const pods = (await c.admin.pods<Pod>(ns).list({ labelSelector: selector })).items.filter((p) => !p.metadata.deletionTimestamp);
    const ready = pods.every((p) => p.status?.phase === 'Running' && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
    const where = pods.map((p) => p.spec?.nodeName ?? '').sort();
    return ready && pods.every(check) && JSON.stringify(where) === JSON.stringify([...nodes()].sort()) && pods;
  }, WAIT);
}

const nodeNames = () => c.nodes().map((n) => n.nodeName);
const image = (p: Pod) => p.spec?.containers[0]?.image;

before(async () => {
  c = await startMultiNodeCluster();
});

after(async () => {
  await c?.teardown();
});

test("upstream's fluentd-elasticsearch DaemonSet runs one pod on every node, and on a node that joins later", async () => {
  await until('3 nodes Ready', async () => (await ok(['get', 'nodes', '--no-headers'])).split('\n').filter((l) => / Ready /.test(l)).length === 3, WAIT);
  await ok(['apply', '-f', '-'], FLUENTD);
  assert.match(await ok(['rollout', 'status', 'ds/fluentd-elasticsearch', '-n', 'kube-system', '--timeout=180s']), /successfully rolled out/);
  const pods = await onEveryNode('kube-system', 'name=fluentd-elasticsearch', nodeNames);
  assert.equal(pods.length, 3);
  assert.match(await ok(['get', 'ds', '-n', 'kube-system', 'fluentd-elasticsearch']), /fluentd-elasticsearch\s+3\s+3\s+3\s+3\s+3\s+<none>/);

  await c.addAgent('n3');
  await onEveryNode('kube-system', 'name=fluentd-elasticsearch', nodeNames);
  assert.equal(nodeNames().length, 4);
});

test('a NoSchedule taint keeps a DaemonSet off the node until its template tolerates it', async () => {
  const tainted = c.node('n3').nodeName;
  await ok(['taint', 'node', tainted, 'e2e/dedicated=logs:NoSchedule']);
  await ok(['apply', '-f', '-'], ROLL);
  await onEveryNode('default', 'app=e2e-roll', () => nodeNames().filter((n) => n !== tainted));
  assert.match(await ok(['get', 'ds', 'e2e-roll']), /e2e-roll\s+3\s+3\s+3\s+3\s+3\s+/);
  await ok(['patch', 'ds', 'e2e-roll', '--type', 'merge', '-p', '{"spec":{"template":{"spec":{"tolerations":[{"key":"e2e/dedicated","operator":"Exists","effect":"NoSchedule"}]}}}}']);
  await ok(['rollout', 'status', 'ds/e2e-roll', '--timeout=180s']);
  await onEveryNode('default', 'app=e2e-roll', nodeNames, (p) => !!p.spec?.tolerations?.some((t) => t.key === 'e2e/dedicated'));
});

test('a rolling update of the image with maxUnavailable 1 moves every pod to the new revision, and rollout undo goes back', async () => {
  // A second tag of the test image in every node's containerd: a real new image reference, no registry.
  for (const n of c.nodes()) execFileSync('ctr', ['--address', n.containerdSocket, '-n', 'k8s.io', 'images', 'tag', '--force', 'bosun.test/busybox:1', 'bosun.test/busybox:2']);
  const revHash = async (revision: number) => {
    const revs = JSON.parse(await ok(['get', 'controllerrevisions', '-l', 'app=e2e-roll', '-o', 'json'])) as { items: { revision: number; metadata: { labels: Record<string, string> } }[] };
    return revs.items.find((r) => r.revision === revision)?.metadata.labels['controller-revision-hash'];
  };

  await ok(['set', 'image', 'ds/e2e-roll', 'c=bosun.test/busybox:2']);
  assert.match(await ok(['rollout', 'status', 'ds/e2e-roll', '--timeout=180s']), /daemon set "e2e-roll" successfully rolled out/);
  const h3 = await revHash(3);
  assert.ok(h3, 'revision 3 exists');
  await onEveryNode('default', 'app=e2e-roll', nodeNames, (p) => image(p) === 'bosun.test/busybox:2' && p.metadata.labels?.['controller-revision-hash'] === h3);

  assert.match(await ok(['rollout', 'undo', 'ds/e2e-roll']), /rolled back/);
  await ok(['rollout', 'status', 'ds/e2e-roll', '--timeout=180s']);
  const h4 = await revHash(4);
  assert.ok(h4, 'the undone revision is renumbered 4');
  const back = await onEveryNode('default', 'app=e2e-roll', nodeNames, (p) => image(p) === 'bosun.test/busybox:1' && p.metadata.labels?.['controller-revision-hash'] === h4);
  assert.ok(back.every((p) => p.spec?.tolerations?.some((t) => t.key === 'e2e/dedicated')), 'back to the tolerating template of revision 2');
  assert.match(await ok(['rollout', 'history', 'ds/e2e-roll']), /\n3\s+<none>\n4\s+<none>/);
});
