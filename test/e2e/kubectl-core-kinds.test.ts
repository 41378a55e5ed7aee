/**
 * The rest of the core kinds through the real kubectl (issue 17): `kubectl api-resources` against a
 * v1.32 cluster's output (fixtures/api-resources-v1.32.txt, written from upstream's definitions),
 * `kubectl explain`, and create/get/list with upstream's printer columns and validation for
 * PodTemplate, RuntimeClass, CSIDriver, CSINode and VolumeAttachment.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const NS = `e2e-corekinds-${process.pid}`;
const P = `ck${process.pid}`;

/** Rows of the fixture, keyed by `name apiVersion`. */
function fixtureRows(): Map<string, string> {
  const text = readFileSync(new URL('./fixtures/api-resources-v1.32.txt', import.meta.url), 'utf8');
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.trim().split(/\s+/);
    rows.set(`${f[0]} ${f[2]}`, f.join(' '));
  }
  return rows;
}

/** What a v1.32 cluster serves and Bosun does not (yet): serving one means taking it off this list. */
const NOT_SERVED: string[] = [];

describe('the rest of the core kinds through kubectl', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await kubectlOk(s, ['create', 'namespace', NS]);
  });
  after(() => s?.stop());

  test('api-resources: every resource Bosun serves reads as in a v1.32 cluster (short names, namespaced, kind, verbs, categories)', async () => {
    // Columns are fixed-width: an empty SHORTNAMES or CATEGORIES cell is spaces, so split by the header's offsets.
    const [header = '', ...lines] = (await kubectlOk(s, ['api-resources', '-o', 'wide'])).split('\n');
    const starts = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', 'VERBS', 'CATEGORIES'].map((h) => header.indexOf(h));
    const served = new Map<string, string>();
    for (const line of lines.filter((l) => l.trim())) {
      const cells = starts.map((at, i) => line.slice(at, starts[i + 1] ?? undefined).trim() || '-');
      served.set(`${cells[0]} ${cells[2]}`, cells.join(' '));
    }
    const expected = fixtureRows();
    const mismatched = [...served].filter(([key, row]) => expected.get(key) !== row).map(([key, row]) => `${row}  (v1.32: ${expected.get(key) ?? 'not served'})`);
    assert.deepEqual(mismatched, []);
    const missing = [...expected.keys()].filter((k) => !served.has(k));
    assert.deepEqual(missing.sort(), [...NOT_SERVED].sort());
  });

  test('explain prints upstream descriptions of the new kinds and their fields', async () => {
    const cases: [string, RegExp][] = [
      ['podtemplates.template', /Template defines the pods that will be created from this pod template/],
      ['runtimeclass.handler', /The Handler must be lowercase, conform to the DNS Label \(RFC 1123\)/],
      ['runtimeclass.scheduling.tolerations', /tolerations are appended \(excluding duplicates\) to pods running with this RuntimeClass/],
      ['csidriver.spec.fsGroupPolicy', /fsGroupPolicy defines if the underlying volume supports changing ownership/],
      ['csinode.spec.drivers', /drivers is a list of information of all CSI Drivers existing on a node/],
      ['volumeattachment.status.attached', /attached indicates the volume is successfully attached/],
    ];
    // explain wraps descriptions at 80 columns: compare with the whitespace collapsed.
    for (const [path, re] of cases) assert.match((await kubectlOk(s, ['explain', path])).replace(/\s+/g, ' '), re, path);
    assert.match(await kubectlOk(s, ['explain', 'volumeattachment']), /GROUP:\s+storage\.k8s\.io\nKIND:\s+VolumeAttachment\nVERSION:\s+v1/);
  });

  test('PodTemplate: create, get with CONTAINERS, IMAGES and POD LABELS, and the template validated', async () => {
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: `${P}-pt` }, template: { metadata: { labels: { app: 'web', tier: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox' }, { name: 'd', image: 'nginx' }] } } }),
    });
    const out = await kubectlOk(s, ['-n', NS, 'get', 'podtemplates']);
    assert.match(out, /^NAME\s+CONTAINERS\s+IMAGES\s+POD LABELS$/m, out);
    assert.match(out, new RegExp(`^${P}-pt\\s+c,d\\s+busybox,nginx\\s+app=web,tier=a$`, 'm'), out);
    const bad = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: `${P}-bad` }, template: { spec: { containers: [] } } }) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /template\.spec\.containers: Required value/, bad.stderr);
  });

  test('RuntimeClass: create and list with HANDLER; a handler that is no DNS label and a changed handler are refused', async () => {
    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: `${P}-rc` }, handler: 'runc', overhead: { podFixed: { cpu: '100m' } } }) });
    assert.match(await kubectlOk(s, ['get', 'runtimeclass', `${P}-rc`]), new RegExp(`^NAME\\s+HANDLER\\s+AGE\\n${P}-rc\\s+runc\\s+\\S+$`, 'm'));
    const bad = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: `${P}-bad` }, handler: 'Run_C' }) });
    assert.match(bad.stderr, /handler: Invalid value: "Run_C": a lowercase RFC 1123 label must consist of/, bad.stderr);
    const neg = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: `${P}-neg` }, handler: 'runc', overhead: { podFixed: { memory: '-1' } } }) });
    assert.match(neg.stderr, /overhead\.podFixed\.memory: Invalid value: "-1": must be greater than or equal to 0/, neg.stderr);
    const change = await s.kubectl(['patch', 'runtimeclass', `${P}-rc`, '--type=merge', '-p', '{"handler":"kata"}']);
    assert.match(change.stderr, /handler: Invalid value: "kata": field is immutable/, change.stderr);
  });

  test('CSIDriver: upstream defaults and printer columns; attachRequired immutable; an unknown fsGroupPolicy refused', async () => {
    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: `${P}.csi.example.com` }, spec: { tokenRequests: [{ audience: 'vault' }] } }) });
    const spec = JSON.parse(await kubectlOk(s, ['get', 'csidriver', `${P}.csi.example.com`, '-o', 'jsonpath={.spec}']));
    assert.deepEqual(spec, { attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false, tokenRequests: [{ audience: 'vault' }] });
    const out = await kubectlOk(s, ['get', 'csidrivers']);
    assert.match(out, /^NAME\s+ATTACHREQUIRED\s+PODINFOONMOUNT\s+STORAGECAPACITY\s+TOKENREQUESTS\s+REQUIRESREPUBLISH\s+MODES\s+AGE$/m, out);
    assert.match(out, new RegExp(`^${P}\\.csi\\.example\\.com\\s+true\\s+false\\s+false\\s+vault\\s+false\\s+Persistent\\s+\\S+$`, 'm'), out);
    const imm = await s.kubectl(['patch', 'csidriver', `${P}.csi.example.com`, '--type=merge', '-p', '{"spec":{"attachRequired":false}}']);
    assert.match(imm.stderr, /spec\.attachRequired: Invalid value: false: field is immutable/, imm.stderr);
    const bad = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: `${P}-bad` }, spec: { fsGroupPolicy: 'Sometimes' } }) });
    assert.match(bad.stderr, /spec\.fsGroupPolicy: Unsupported value: "Sometimes": supported values: "ReadWriteOnceWithFSType", "File", "None"/, bad.stderr);
  });

  test('CSINode and VolumeAttachment: printer columns, duplicate drivers refused, an attachment with no source refused, status through /status', async () => {
    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: `${P}-node` }, spec: { drivers: [{ name: 'a.csi.io', nodeID: 'n1' }, { name: 'b.csi.io', nodeID: 'n1', topologyKeys: ['topology.kubernetes.io/zone'] }] } }) });
    assert.match(await kubectlOk(s, ['get', 'csinode', `${P}-node`]), new RegExp(`^NAME\\s+DRIVERS\\s+AGE\\n${P}-node\\s+2\\s+\\S+$`, 'm'));
    const dup = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: `${P}-dup` }, spec: { drivers: [{ name: 'a.csi.io', nodeID: 'n1' }, { name: 'a.csi.io', nodeID: 'n2' }] } }) });
    assert.notEqual(dup.code, 0, dup.stdout);

    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: `${P}-va` }, spec: { attacher: 'a.csi.io', nodeName: 'node-a', source: { persistentVolumeName: 'pv1' } } }) });
    assert.match(await kubectlOk(s, ['get', 'volumeattachments']), new RegExp(`^NAME\\s+ATTACHER\\s+PV\\s+NODE\\s+ATTACHED\\s+AGE\\n${P}-va\\s+a\\.csi\\.io\\s+pv1\\s+node-a\\s+false\\s+\\S+$`, 'm'));
    await kubectlOk(s, ['patch', 'volumeattachment', `${P}-va`, '--subresource=status', '--type=merge', '-p', '{"status":{"attached":true}}']);
    assert.equal(await kubectlOk(s, ['get', 'volumeattachment', `${P}-va`, '-o', 'jsonpath={.status.attached}']), 'true');
    const nosrc = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: `${P}-nosrc` }, spec: { attacher: 'a.csi.io', nodeName: 'node-a', source: {} } }) });
    assert.match(nosrc.stderr, /spec\.source: Required value: must specify exactly one of persistentVolumeName and inlineVolumeSpec/, nosrc.stderr);
    const move = await s.kubectl(['patch', 'volumeattachment', `${P}-va`, '--type=merge', '-p', '{"spec":{"nodeName":"node-b"}}']);
    assert.match(move.stderr, /spec: Invalid value: .*field is immutable/, move.stderr);
  });
  test('CSIStorageCapacity: STORAGECLASSNAME and CAPACITY (<unset> when absent), explain, a bad class name and negative capacity refused, class immutable', async () => {
    const csc = (name: string, extra: Record<string, unknown>) => JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIStorageCapacity', metadata: { name }, ...extra });
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], { input: csc(`${P}-cap`, { storageClassName: 'fast', capacity: '10Gi', nodeTopology: { matchLabels: { 'topology.kubernetes.io/zone': 'a' } } }) });
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], { input: csc(`${P}-unset`, { storageClassName: 'slow' }) });
    const out = await kubectlOk(s, ['-n', NS, 'get', 'csistoragecapacities']);
    assert.match(out, /^NAME\s+STORAGECLASSNAME\s+CAPACITY\s+AGE$/m, out);
    assert.match(out, new RegExp(`^${P}-cap\\s+fast\\s+10Gi\\s+\\S+$`, 'm'), out);
    assert.match(out, new RegExp(`^${P}-unset\\s+slow\\s+<unset>\\s+\\S+$`, 'm'), out);
    assert.match((await kubectlOk(s, ['explain', 'csistoragecapacity.nodeTopology'])).replace(/\s+/g, ' '), /nodeTopology defines which nodes have access to the storage for which capacity was reported/);
    const bad = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: csc(`${P}-bad`, { storageClassName: 'Fast_Class', capacity: '-1' }) });
    assert.match(bad.stderr, /storageClassName: Invalid value: "Fast_Class": a lowercase RFC 1123 subdomain/, bad.stderr);
    assert.match(bad.stderr, /capacity: Invalid value: "-1": must be greater than or equal to 0/, bad.stderr);
    const imm = await s.kubectl(['-n', NS, 'patch', 'csistoragecapacity', `${P}-cap`, '--type=merge', '-p', '{"storageClassName":"other"}']);
    assert.match(imm.stderr, /storageClassName: Invalid value: "other": field is immutable/, imm.stderr);
    await kubectlOk(s, ['-n', NS, 'patch', 'csistoragecapacity', `${P}-cap`, '--type=merge', '-p', '{"capacity":"5Gi"}']);
    assert.equal(await kubectlOk(s, ['-n', NS, 'get', 'csistoragecapacity', `${P}-cap`, '-o', 'jsonpath={.capacity}']), '5Gi');
  });

  test('RuntimeClass admission (as upstream plugin/pkg/admission/runtimeclass): a missing class refused, overhead set, scheduling merged', async () => {
    const pod = (name: string, spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
    const missing = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: pod(`${P}-missing`, { runtimeClassName: `${P}-nope` }) });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, new RegExp(`pods "${P}-missing" is forbidden: pod rejected: RuntimeClass "${P}-nope" not found`), missing.stderr);

    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: `${P}-sched` }, handler: 'runc', overhead: { podFixed: { cpu: '250m', memory: '64Mi' } }, scheduling: { nodeSelector: { sandbox: 'yes' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }] } }) });
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], { input: pod(`${P}-ok`, { runtimeClassName: `${P}-sched`, nodeSelector: { disk: 'ssd' } }) });
    const spec = JSON.parse(await kubectlOk(s, ['-n', NS, 'get', 'pod', `${P}-ok`, '-o', 'jsonpath={.spec}']));
    assert.deepEqual(spec.overhead, { cpu: '250m', memory: '64Mi' });
    assert.deepEqual(spec.nodeSelector, { disk: 'ssd', sandbox: 'yes' });
    assert.ok(spec.tolerations.some((t: { key?: string; effect?: string }) => t.key === 'sandbox' && t.effect === 'NoSchedule'), JSON.stringify(spec.tolerations));

    const conflict = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: pod(`${P}-conflict`, { runtimeClassName: `${P}-sched`, nodeSelector: { sandbox: 'no' } }) });
    assert.match(conflict.stderr, /conflict: runtimeClass\.scheduling\.nodeSelector\[sandbox\] = yes; pod\.spec\.nodeSelector\[sandbox\] = no/, conflict.stderr);
    const overhead = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: pod(`${P}-overhead`, { runtimeClassName: `${P}-sched`, overhead: { cpu: '1' } }) });
    assert.match(overhead.stderr, /pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead/, overhead.stderr);
  });
  test('events.k8s.io/v1 Event: the same storage as core v1 Events, converted as upstream (regarding, note, reportingController, deprecated*)', async () => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: `${P}-ev` }, eventTime: now, reportingController: 'example.com/ctl', reportingInstance: 'ctl-1', action: 'Scaling', reason: 'Scaled', type: 'Normal', note: 'scaled up', regarding: { kind: 'Deployment', name: 'web', namespace: NS }, related: { kind: 'ReplicaSet', name: 'web-1' } }),
    });
    const core = JSON.parse(await kubectlOk(s, ['-n', NS, 'get', 'events.v1.', `${P}-ev`, '-o', 'json']));
    assert.equal(core.apiVersion, 'v1');
    assert.deepEqual({ involvedObject: core.involvedObject, message: core.message, reportingComponent: core.reportingComponent, reportingInstance: core.reportingInstance, action: core.action, related: core.related },
      { involvedObject: { kind: 'Deployment', name: 'web', namespace: NS }, message: 'scaled up', reportingComponent: 'example.com/ctl', reportingInstance: 'ctl-1', action: 'Scaling', related: { kind: 'ReplicaSet', name: 'web-1' } });

    await kubectlOk(s, ['-n', NS, 'create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name: `${P}-core` }, involvedObject: { kind: 'Pod', name: 'p1', namespace: NS }, reason: 'Started', message: 'started container', type: 'Normal', source: { component: 'kubelet', host: 'node-a' }, firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:01:00Z', count: 3 }),
    });
    const ev = JSON.parse(await kubectlOk(s, ['-n', NS, 'get', 'events.events.k8s.io', `${P}-core`, '-o', 'json']));
    assert.equal(ev.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual({ regarding: ev.regarding, note: ev.note, deprecatedSource: ev.deprecatedSource, deprecatedCount: ev.deprecatedCount, deprecatedFirstTimestamp: ev.deprecatedFirstTimestamp },
      { regarding: { kind: 'Pod', name: 'p1', namespace: NS }, note: 'started container', deprecatedSource: { component: 'kubelet', host: 'node-a' }, deprecatedCount: 3, deprecatedFirstTimestamp: '2024-01-01T00:00:00Z' });
    const list = await kubectlOk(s, ['-n', NS, 'get', 'events.events.k8s.io']);
    assert.match(list, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m, list);
    assert.match(list, /Normal\s+Started\s+pod\/p1\s+started container/, list);

    const bad = await s.kubectl(['-n', NS, 'create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: `${P}-bad` }, eventTime: now, reason: 'R', type: 'Normal' }) });
    assert.match(bad.stderr, /reportingController: Required value/, bad.stderr);
    assert.match(bad.stderr, /action: Required value/, bad.stderr);
  });
});
