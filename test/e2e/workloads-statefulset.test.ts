/**
 * StatefulSets through the real kubectl on simulated nodes (the whole control plane in this
 * process): `get` columns, `scale`, `rollout status|history|undo|restart`, a partitioned rollout,
 * and the API's refusals. Real containers, DNS and volumes are in statefulset-node.test.ts.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { startSimCluster, waitFor, waitReadyPods, type SimCluster } from './workloads-harness.js';

const NS = 'default';
const manifest = (replicas: number, extra = '') => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}${extra}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: 'bosun.test/busybox:1'}]}
`;

const image = (p: Pod) => p.spec?.containers?.[0]?.image;
const byName = (pods: Pod[]) => [...pods].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));

describe('StatefulSet with kubectl', { timeout: 120_000 }, () => {
  let c: SimCluster;
  before(async () => {
    c = await startSimCluster({ nodes: 2, readyDelayMs: 100 });
  });
  after(() => c.stop());

  test('apply, READY column, scale, rollout status/history/undo/restart', async () => {
    await c.ok(['apply', '-f', '-'], { input: manifest(3) });
    await c.ok(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    const pods = byName(await waitReadyPods(c.client, NS, 'app=web', 3));
    assert.deepEqual(pods.map((p) => p.metadata.name), ['web-0', 'web-1', 'web-2']);
    assert.match(await c.ok(['get', 'sts', 'web']), /^NAME\s+READY\s+AGE\nweb\s+3\/3\s+\S+\n$/);
    assert.match(await c.ok(['get', 'sts', 'web', '-o', 'wide']), /^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\nweb\s+3\/3\s+\S+\s+nginx\s+bosun\.test\/busybox:1\n$/);
    const described = await c.ok(['describe', 'sts', 'web']);
    assert.match(described, /^Replicas:\s+3 desired \| 3 total$/m);
    assert.match(described, /^Update Strategy:\s+RollingUpdate\n\s+Partition:\s+0$/m);
    assert.match(described, /^Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    assert.match(described, /SuccessfulCreate\s+.*create Pod web-2 in StatefulSet web successful/);

    await c.ok(['scale', 'statefulset', 'web', '--replicas=2']);
    await waitFor('web-2 gone', async () => byName(await waitReadyPods(c.client, NS, 'app=web', 2))[1]?.metadata.name === 'web-1');

    await c.ok(['set', 'image', 'statefulset/web', 'nginx=bosun.test/busybox:2']);
    const out = await c.ok(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.match(out, /partitioned roll out complete: 2 new pods have been updated/);
    await waitFor('both pods on :2', async () => (await waitReadyPods(c.client, NS, 'app=web', 2)).every((p) => image(p) === 'bosun.test/busybox:2'));
    const history = await c.ok(['rollout', 'history', 'statefulset/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    assert.match(await c.ok(['rollout', 'undo', 'statefulset/web']), /statefulset.apps\/web rolled back/);
    await waitFor('both pods back on :1', async () => (await waitReadyPods(c.client, NS, 'app=web', 2)).every((p) => image(p) === 'bosun.test/busybox:1'));
    assert.match(await c.ok(['rollout', 'history', 'statefulset/web']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);

    const before = new Map((await waitReadyPods(c.client, NS, 'app=web', 2)).map((p) => [p.metadata.name, p.metadata.uid]));
    await c.ok(['rollout', 'restart', 'statefulset/web']);
    await waitFor('both pods replaced', async () => (await waitReadyPods(c.client, NS, 'app=web', 2)).every((p) => before.get(p.metadata.name) !== p.metadata.uid));
    await c.ok(['delete', 'statefulset', 'web']);
  });

  test('a partition holds back the lower ordinals', async () => {
    await c.ok(['apply', '-f', '-'], { input: manifest(3, '\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}') });
    await waitReadyPods(c.client, NS, 'app=web', 3);
    await c.ok(['set', 'image', 'statefulset/web', 'nginx=bosun.test/busybox:2']);
    assert.match(await c.ok(['rollout', 'status', 'statefulset/web', '--timeout=60s']), /partitioned roll out complete: 1 new pods have been updated/);
    const pods = byName(await waitReadyPods(c.client, NS, 'app=web', 3));
    assert.deepEqual(pods.map(image), ['bosun.test/busybox:1', 'bosun.test/busybox:1', 'bosun.test/busybox:2']);
    const sts = JSON.parse(await c.ok(['get', 'sts', 'web', '-o', 'json'])) as { status: Record<string, unknown> };
    assert.equal(sts.status.updatedReplicas, 1);
    assert.equal(sts.status.currentReplicas, 2);
    assert.notEqual(sts.status.currentRevision, sts.status.updateRevision);
    await c.ok(['delete', 'statefulset', 'web']);
    await waitFor('pods gone', async () => (await c.client.pods<Pod>(NS).list({ labelSelector: 'app=web' })).items.length === 0);
  });

  test('PodSecurity warns on the template (never refuses it), as for Deployments', async () => {
    await c.ok(['create', 'namespace', 'sts-psa']);
    await c.ok(['label', 'namespace', 'sts-psa', 'pod-security.kubernetes.io/enforce=baseline']);
    const privileged = manifest(1).replace("image: 'bosun.test/busybox:1'}", "image: 'bosun.test/busybox:1', securityContext: {privileged: true}}");
    const r = await c.kubectl(['apply', '-n', 'sts-psa', '--dry-run=server', '-f', '-'], { input: privileged });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: would violate PodSecurity "baseline:latest": privileged \(container "nginx" must not set securityContext.privileged=true\)$/m);
  });

  test('refusals name the field', async () => {
    const policy = await c.kubectl(['apply', '-f', '-'], { input: manifest(1, '\n  podManagementPolicy: Sideways') });
    assert.match(policy.stderr, /The StatefulSet "web" is invalid: spec\.podManagementPolicy: Unsupported value: "Sideways": supported values: "OrderedReady", "Parallel"/);
    const onDelete = await c.kubectl(['apply', '-f', '-'], { input: manifest(1, '\n  updateStrategy: {type: OnDelete, rollingUpdate: {partition: 1}}') });
    assert.match(onDelete.stderr, /spec\.updateStrategy\.rollingUpdate: Invalid value: .*only allowed for updateStrategy 'RollingUpdate'/);
    const unavailable = await c.kubectl(['apply', '-f', '-'], { input: manifest(1, '\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0}}') });
    assert.match(unavailable.stderr, /spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: 0: cannot be 0/);
    // A volumeMount may name a claim template (the template's pod spec is checked with the claims as volumes), nothing else.
    const claimMount = (mount: string) => manifest(1).replace("image: 'bosun.test/busybox:1'}", `image: 'bosun.test/busybox:1', volumeMounts: [{name: ${mount}, mountPath: /data}]}`)
      + '  volumeClaimTemplates: [{metadata: {name: www}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]\n';
    await c.ok(['apply', '--dry-run=server', '-f', '-'], { input: claimMount('www') });
    const nope = await c.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: claimMount('nope') });
    assert.match(nope.stderr, /spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "nope"/);
    await c.ok(['apply', '-f', '-'], { input: manifest(1) });
    const change = await c.kubectl(['patch', 'sts', 'web', '--type=merge', '-p', '{"spec":{"serviceName":"other"}}']);
    assert.match(change.stderr, /spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden/);
    await c.ok(['delete', 'statefulset', 'web']);
  });
});
