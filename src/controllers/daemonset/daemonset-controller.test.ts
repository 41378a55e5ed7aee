/**
 * The DaemonSet controller in a whole control plane (`bosun server --disable-agent`: API server,
 * scheduler, controllers) with simulated nodes run by this test, driven by the real kubectl:
 * defaults and validation as upstream's SetDefaults_DaemonSet / ValidateDaemonSet, one pod per node
 * bound by the scheduler through the controller's metadata.name node affinity, a joining node
 * getting its pod, taints with and without tolerations, nodeSelector changes, a RollingUpdate with
 * maxSurge, OnDelete, `kubectl rollout history|undo|restart|status`, ControllerRevisions and
 * revisionHistoryLimit, and `kubectl drain --ignore-daemonsets`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ControllerRevision, DaemonSet, Pod } from '../../api/kinds/index.js';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { startSimulatedNodes, type SimulatedFleet } from '../../simulated-nodes/index.js';
import { eventually } from '../../testing/eventually.js';
import { statusWrites } from '../../testing/status-writes.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { spawnServer, type SpawnedServer } from '../../testing/test-cluster.js';

const NS = 'dsc-test';
const WAIT = { timeoutMs: 60_000, intervalMs: 100 };

function manifest(name: string, o: { image?: string; strategy?: string; nodeSelector?: Record<string, string>; tolerations?: unknown[]; historyLimit?: number } = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      ...(o.strategy ? { updateStrategy: JSON.parse(o.strategy) as unknown } : {}),
      ...(o.historyLimit !== undefined ? { revisionHistoryLimit: o.historyLimit } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: o.image ?? 'img:1' }], ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}), ...(o.tolerations ? { tolerations: o.tolerations } : {}) },
      },
    },
  });
}

describe('DaemonSet controller on simulated nodes', () => {
  let server: SpawnedServer;
  let client: KubeClient;
  const fleets: SimulatedFleet[] = [];
  const kubectl = (args: string[], input?: string) => kubectlOk(server, args, input === undefined ? undefined : { input });

  const pods = async (app: string): Promise<Pod[]> =>
    (await client.pods<Pod>(NS).list({ labelSelector: `app=${app}` })).items;
  const live = async (app: string) => (await pods(app)).filter((p) => !p.metadata.deletionTimestamp);
  const ds = (name: string) => client.resource<DaemonSet>(resources.daemonsets, NS).get(name);
  /** Every live pod of `app` Running and Ready, one per node in `nodes`, with `image`. */
  const onExactly = (app: string, nodes: string[], image?: string) => eventually(async () => {
    const ps = await live(app);
    const where = ps.map((p) => p.spec?.nodeName ?? '').sort();
    const ready = ps.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const imageOk = !image || ps.every((p) => p.spec?.containers[0]?.image === image);
    return JSON.stringify(where) === JSON.stringify([...nodes].sort()) && ready && imageOk && ps;
  }, `${app} pods Ready on exactly ${nodes.join(',')}${image ? ` with ${image}` : ''}`, WAIT);

  before(async () => {
    server = await spawnServer({ store: 'memory', extraArgs: ['--disable-agent'] });
    client = KubeClient.fromKubeconfig(server.kubeconfig);
    fleets.push(await startSimulatedNodes(client, { count: 3, prefix: 'dsc-', readyDelayMs: 50, heartbeatMs: 2000 }));
    await kubectl(['create', 'namespace', NS]);
  });
  after(async () => {
    for (const f of fleets) await f.close();
    client?.close();
    await server?.stop();
  });

  it('defaults and validates as upstream, and prints DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR', async () => {
    const bad = await server.kubectl(['apply', '-f', '-'], { input: manifest('bad', { strategy: '{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":1}}' }) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.updateStrategy\.rollingUpdate\.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero/);
    const zero = await server.kubectl(['apply', '-f', '-'], { input: manifest('bad', { strategy: '{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0}}' }) });
    assert.match(zero.stderr, /spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Required value: cannot be 0 when maxSurge is 0/);
    const kind = await server.kubectl(['apply', '-f', '-'], { input: manifest('bad', { strategy: '{"type":"Sometimes"}' }) });
    assert.match(kind.stderr, /spec\.updateStrategy\.type: Unsupported value: "Sometimes": supported values: "OnDelete", "RollingUpdate"/);

    await kubectl(['apply', '-f', '-'], manifest('logs', { nodeSelector: { 'kubernetes.io/os': 'linux' } }));
    const created = await ds('logs');
    assert.deepEqual(created.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(created.spec?.revisionHistoryLimit, 10);
    assert.equal(created.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');

    await onExactly('logs', ['dsc-0001', 'dsc-0002', 'dsc-0003']);
    const table = await eventually(async () => {
      const out = await kubectl(['get', 'ds', 'logs', '-n', NS]);
      return /logs\s+3\s+3\s+3\s+3\s+3\s+kubernetes.io\/os=linux\s+/.test(out) && out;
    }, 'kubectl get ds to show 3 everywhere', WAIT);
    assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
  });

  it('pods are bound by the scheduler through a required metadata.name node affinity and carry the daemon tolerations', async () => {
    for (const p of await live('logs')) {
      const terms = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      assert.deepEqual(terms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec!.nodeName!] }] }]);
      const keys = (p.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
      assert.ok(keys.includes('node.kubernetes.io/unreachable:NoExecute') && keys.includes('node.kubernetes.io/unschedulable:NoSchedule'), keys.join(' '));
      assert.ok(p.metadata.labels?.['controller-revision-hash']);
      assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'DaemonSet');
    }
    const events = await kubectl(['get', 'events', '-n', NS, '--field-selector', 'reason=Scheduled', '-o', 'jsonpath={.items[*].reportingComponent}']); // events.k8s.io/v1 Events: no source, the reporting controller
    assert.match(events, /default-scheduler/);
  });

  it('a node that joins later gets its pod; a node that stops matching the nodeSelector loses it', async () => {
    fleets.push(await startSimulatedNodes(client, { count: 1, prefix: 'dsc-', firstIndex: 4, readyDelayMs: 50, heartbeatMs: 2000 }));
    await onExactly('logs', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004']);
    await kubectl(['label', 'node', 'dsc-0004', 'kubernetes.io/os=plan9', '--overwrite']);
    await onExactly('logs', ['dsc-0001', 'dsc-0002', 'dsc-0003']);
    await eventually(async () => (await ds('logs')).status?.desiredNumberScheduled === 3, 'desired back to 3', WAIT);
    await kubectl(['label', 'node', 'dsc-0004', 'kubernetes.io/os=linux', '--overwrite']);
    await onExactly('logs', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004']);
  });

  it('a NoSchedule taint keeps new daemon pods off the node unless tolerated; the existing pod stays', async () => {
    await kubectl(['taint', 'node', 'dsc-0002', 'dedicated=db:NoSchedule']);
    await kubectl(['apply', '-f', '-'], manifest('untol'));
    await onExactly('untol', ['dsc-0001', 'dsc-0003', 'dsc-0004']);
    assert.equal((await live('logs')).filter((p) => p.spec?.nodeName === 'dsc-0002').length, 1, 'the pod already there stays (NoSchedule)');
    await kubectl(['apply', '-f', '-'], manifest('tol', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }));
    await onExactly('tol', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004']);
    await kubectl(['taint', 'node', 'dsc-0002', 'dedicated=db:NoExecute']);
    await onExactly('untol', ['dsc-0001', 'dsc-0003', 'dsc-0004']);
    await onExactly('logs', ['dsc-0001', 'dsc-0003', 'dsc-0004']);
    await kubectl(['taint', 'node', 'dsc-0002', 'dedicated-']);
    await onExactly('untol', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004']);
    await kubectl(['delete', 'ds', 'untol', 'tol', '-n', NS]);
  });

  it('rolls out with maxSurge, keeps history in ControllerRevisions, and rollout undo/restart/history work', async () => {
    await kubectl(['patch', 'ds', 'logs', '-n', NS, '--type', 'merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":"50%"}}}}']);
    await eventually(async () => { const d = await ds('logs'); return d.status?.observedGeneration === d.metadata.generation; }, 'strategy observed', WAIT);
    const start = await statusWrites(client, 'daemonsets');
    await kubectl(['set', 'image', 'ds/logs', '-n', NS, 'c=img:2']);
    assert.match(await kubectl(['rollout', 'status', 'ds/logs', '-n', NS, '--timeout=60s']), /daemon set "logs" successfully rolled out/);
    // Only the controller writes the DaemonSet during the rollout: the pods' events wake syncs right
    // after its own status write, which must not go out on the resourceVersion that write replaced.
    const writes = await statusWrites(client, 'daemonsets', start);
    assert.ok(writes.ok > 0, 'the rollout wrote status');
    assert.equal(writes.conflicts, 0, `status writes that conflicted (of ${writes.ok + writes.conflicts})`);
    const rolled = await onExactly('logs', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004'], 'img:2');
    const st = (await ds('logs')).status!;
    assert.equal(st.updatedNumberScheduled, 4);
    assert.equal(st.numberAvailable, 4);
    assert.equal(st.observedGeneration, (await ds('logs')).metadata.generation);

    const revs = (await client.resource<ControllerRevision>(resources.controllerrevisions, NS).list({ labelSelector: 'app=logs' })).items;
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
    const cur = revs.find((r) => r.revision === 2)!;
    assert.equal(rolled[0]!.metadata.labels?.['controller-revision-hash'], cur.metadata.labels?.['controller-revision-hash']);
    assert.match(await kubectl(['get', 'controllerrevisions', '-n', NS, '-l', 'app=logs']), /daemonset\.apps\/logs\s+2\s+/);
    const history = await kubectl(['rollout', 'history', 'ds/logs', '-n', NS]);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await kubectl(['rollout', 'history', 'ds/logs', '-n', NS, '--revision=1']), /Image:\s+img:1/);

    assert.match(await kubectl(['rollout', 'undo', 'ds/logs', '-n', NS]), /daemonset.apps\/logs rolled back/);
    await onExactly('logs', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004'], 'img:1');
    assert.match(await kubectl(['rollout', 'history', 'ds/logs', '-n', NS]), /\n2\s+<none>\n3\s+<none>/);

    const before = new Set((await live('logs')).map((p) => p.metadata.uid));
    await kubectl(['rollout', 'restart', 'ds/logs', '-n', NS]);
    await kubectl(['rollout', 'status', 'ds/logs', '-n', NS, '--timeout=60s']);
    const after = await onExactly('logs', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004'], 'img:1');
    assert.ok(after.every((p) => !before.has(p.metadata.uid)), 'every pod replaced');
  });

  it('OnDelete replaces a pod only when it is deleted; revisionHistoryLimit trims old revisions', async () => {
    await kubectl(['apply', '-f', '-'], manifest('ondel', { strategy: '{"type":"OnDelete"}', historyLimit: 1 }));
    await onExactly('ondel', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004'], 'img:1');
    await kubectl(['set', 'image', 'ds/ondel', '-n', NS, 'c=img:2']);
    await kubectl(['set', 'image', 'ds/ondel', '-n', NS, 'c=img:3']);
    await eventually(async () => (await ds('ondel')).status?.observedGeneration === 3, 'generation 3 observed', WAIT);
    assert.ok((await live('ondel')).every((p) => p.spec?.containers[0]?.image === 'img:1'), 'OnDelete leaves running pods alone');
    const revNames = async () => (await client.resource<ControllerRevision>(resources.controllerrevisions, NS).list({ labelSelector: 'app=ondel' })).items.map((r) => r.revision).sort();
    // Revision 1 is kept while pods carry it; revision 2 (no pods) goes beyond the limit of 1.
    await eventually(async () => JSON.stringify(await revNames()) === '[1,3]', 'revisions 1 and 3 only', WAIT);
    const victim = (await live('ondel')).find((p) => p.spec?.nodeName === 'dsc-0001')!;
    await kubectl(['delete', 'pod', victim.metadata.name!, '-n', NS]);
    await eventually(async () => {
      const ps = await live('ondel');
      const images = ps.map((p) => `${p.spec?.nodeName}=${p.spec?.containers[0]?.image}`).sort();
      return JSON.stringify(images) === JSON.stringify(['dsc-0001=img:3', 'dsc-0002=img:1', 'dsc-0003=img:1', 'dsc-0004=img:1']);
    }, 'only the deleted pod replaced with img:3', WAIT);
    // The garbage collector takes the pods and revisions with the DaemonSet (foreground: they go first).
    await kubectl(['delete', 'ds', 'ondel', '-n', NS, '--cascade=foreground']);
    await eventually(async () => (await pods('ondel')).length === 0 && (await revNames()).length === 0, 'ondel pods and revisions gone', WAIT);
  });

  it('merges duplicate current revisions: the highest stays, pods move to its hash without being replaced', async () => {
    await kubectl(['apply', '-f', '-'], manifest('dup'));
    const first = await onExactly('dup', ['dsc-0001', 'dsc-0002', 'dsc-0003', 'dsc-0004']);
    const revApi = client.resource<ControllerRevision>(resources.controllerrevisions, NS);
    const [orig] = (await revApi.list({ labelSelector: 'app=dup' })).items;
    assert.ok(orig);
    await revApi.create({
      apiVersion: 'apps/v1', kind: 'ControllerRevision', data: orig.data, revision: 5,
      metadata: { name: 'dup-copy', labels: { ...orig.metadata.labels, 'controller-revision-hash': 'copyhash' }, ownerReferences: orig.metadata.ownerReferences },
    });
    await kubectl(['annotate', 'ds', 'dup', '-n', NS, 'poke=1']);
    await eventually(async () => {
      const revs = (await revApi.list({ labelSelector: 'app=dup' })).items;
      const ps = await live('dup');
      return revs.length === 1 && revs[0]!.metadata.name === 'dup-copy' && ps.length === 4 && ps.every((p) => p.metadata.labels?.['controller-revision-hash'] === 'copyhash');
    }, 'one revision left and every pod relabelled', WAIT);
    assert.deepEqual((await live('dup')).map((p) => p.metadata.uid).sort(), first.map((p) => p.metadata.uid).sort(), 'no pod replaced');
    assert.equal((await ds('dup')).status?.updatedNumberScheduled, 4);
    await kubectl(['delete', 'ds', 'dup', '-n', NS]);
  });

  it('kubectl drain refuses DaemonSet pods without --ignore-daemonsets and leaves them with it', async () => {
    const refused = await server.kubectl(['drain', 'dsc-0003', '--timeout=30s']);
    assert.notEqual(refused.code, 0, `${refused.stdout}\n${refused.stderr}`);
    assert.match(refused.stderr, /cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\)/);
    const drained = await server.kubectl(['drain', 'dsc-0003', '--ignore-daemonsets', '--timeout=30s']);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, /node\/dsc-0003 drained/);
    assert.match(drained.stderr, /Warning: ignoring DaemonSet-managed Pods: dsc-test\/logs-/);
    // Cordoned (unschedulable taint, tolerated by daemon pods): the pod stays.
    assert.equal((await live('logs')).filter((p) => p.spec?.nodeName === 'dsc-0003').length, 1);
    await kubectl(['uncordon', 'dsc-0003']);
  });
});
