/**
 * The binder's decisions, as upstream's pkg/controller/volume/persistentvolume (index_test.go
 * TestMatchVolume / TestFindingPreboundVolumes, binder_test.go's sync cases), on plain maps: which
 * volume a claim gets (class, selector, capacity smallest-fit, access modes, volume mode,
 * pre-binding), the writes of a bind, WaitForFirstConsumer, local-path provisioning onto the
 * selected node, and the volume phases and reclaim after the claim is gone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../api/kinds/index.js';
import { findBestMatch } from '../../api/storage/volume-match.js';
import type { BinderEnv } from './binder-env.js';
import { syncClaim } from './claim-sync.js';
import { helperPodName } from './local-path.js';
import { syncVolume } from './volume-sync.js';

const pv = (name: string, size: string, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}, labels?: Record<string, string>, phase = 'Available'): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, ...(labels ? { labels } : {}) },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, volumeMode: 'Filesystem', persistentVolumeReclaimPolicy: 'Retain', ...extra },
  status: { phase: phase as 'Available' },
});
const pvc = (name: string, size: string, extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, volumeMode: 'Filesystem', storageClassName: '', ...extra },
  status: { phase: 'Pending' },
});
const node = (name: string, annotations: Record<string, string> = {}): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name }, annotations } } as Node);

describe('findBestMatch (upstream FindMatchingVolume)', () => {
  const volumes = [
    pv('small', '1Gi'), pv('medium', '5Gi'), pv('large', '10Gi'),
    pv('fast', '5Gi', { storageClassName: 'fast' }),
    pv('labelled', '20Gi', {}, { tier: 'gold' }),
    pv('rwx', '2Gi', { accessModes: ['ReadWriteOnce', 'ReadWriteMany'] }),
    pv('block', '3Gi', { volumeMode: 'Block' }),
    pv('taken', '3Gi', { claimRef: { namespace: 'ns', name: 'other', uid: 'uid-other' } }, undefined, 'Bound'),
  ];
  const cases: [string, PersistentVolumeClaim, string | undefined][] = [
    ['smallest volume at least as large as the request', pvc('a', '2Gi'), 'medium'],
    ['exact size', pvc('a', '1Gi'), 'small'],
    ['too large for every volume: none', pvc('a', '100Gi'), undefined],
    ['class must match', pvc('a', '1Gi', { storageClassName: 'fast' }), 'fast'],
    ['selector must match', pvc('a', '1Gi', { selector: { matchLabels: { tier: 'gold' } } }), 'labelled'],
    ['access modes: RWX only on a superset volume', pvc('a', '1Gi', { accessModes: ['ReadWriteMany'] }), 'rwx'],
    ['volume mode must match', pvc('a', '1Gi', { volumeMode: 'Block' }), 'block'],
    ['a volume bound to another claim is never chosen', pvc('b', '3Gi', { selector: { matchLabels: { none: 'x' } } }), undefined],
    ['a volume pre-bound to the claim wins, whatever else fits better', pvc('other', '1Gi'), 'taken'],
  ];
  for (const [name, claim, want] of cases) {
    it(name, () => assert.equal(findBestMatch(claim, volumes)?.metadata.name, want));
  }
  it('WaitForFirstConsumer: the controller leaves unbound volumes to the scheduler', () => {
    assert.equal(findBestMatch(pvc('a', '1Gi'), volumes, undefined, true), undefined);
  });
  it('with a node, a volume whose node affinity excludes it does not match', () => {
    const local = pv('local', '1Gi', { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } } });
    assert.equal(findBestMatch(pvc('a', '1Gi'), [local], node('n2'), true)?.metadata.name, undefined);
    assert.equal(findBestMatch(pvc('a', '1Gi'), [local], node('n1'), true)?.metadata.name, 'local');
  });
});

/** An in-memory BinderEnv recording what the binder writes. */
function fakeEnv(o: { volumes?: PersistentVolume[]; claims?: PersistentVolumeClaim[]; classes?: StorageClass[]; nodes?: Node[]; pods?: Pod[] }) {
  const volumes = new Map((o.volumes ?? []).map((v) => [v.metadata.name!, v]));
  const claims = new Map((o.claims ?? []).map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]));
  const pods = new Map((o.pods ?? []).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const events: string[] = [];
  const deleted: string[] = [];
  const putClaim = async (c: PersistentVolumeClaim) => {
    claims.set(`${c.metadata.namespace}/${c.metadata.name}`, c);
    return c;
  };
  const putVolume = async (v: PersistentVolume) => {
    volumes.set(v.metadata.name!, v);
    return v;
  };
  const env: BinderEnv = {
    volume: (n) => volumes.get(n),
    allVolumes: () => [...volumes.values()],
    claim: (ns, n) => claims.get(`${ns}/${n}`),
    storageClass: (n) => o.classes?.find((c) => c.metadata.name === n),
    node: (n) => o.nodes?.find((x) => x.metadata.name === n),
    pod: (ns, n) => pods.get(`${ns}/${n}`),
    volumes: {
      update: putVolume, updateStatus: putVolume, create: putVolume,
      delete: async (n) => {
        deleted.push(`pv/${n}`);
        volumes.delete(n);
      },
    },
    claims: () => ({ update: putClaim, updateStatus: putClaim }),
    pods: {
      create: async (p) => {
        pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
        return p;
      },
      delete: async (ns, n) => {
        deleted.push(`pod/${ns}/${n}`);
        pods.delete(`${ns}/${n}`);
      },
    },
    recorder: { event: (obj, type, reason, message) => events.push(`${obj.metadata.name} ${type} ${reason}: ${message}`) },
    defaultLocalPathDir: '/var/lib/bosun/storage',
    helperImage: 'helper:1',
  };
  return { env, volumes, claims, pods, events, deleted };
}

const localPath = (mode: 'WaitForFirstConsumer' | 'Immediate' = 'WaitForFirstConsumer'): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: 'bosun.dev/local-path', reclaimPolicy: 'Delete', volumeBindingMode: mode,
});

describe('claim sync (upstream syncUnboundClaim / bind)', () => {
  it('a static hostPath PV binds a matching claim: claimRef, phases, volumeName, capacity', async () => {
    const f = fakeEnv({ volumes: [pv('static', '2Gi')], claims: [pvc('data', '1Gi')] });
    await syncClaim(f.env, f.claims.get('ns/data')!);
    const v = f.volumes.get('static')!;
    assert.deepEqual([v.spec?.claimRef?.name, v.spec?.claimRef?.uid, v.status?.phase, v.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']], ['data', 'uid-data', 'Bound', 'yes']);
    const c = f.claims.get('ns/data')!;
    assert.deepEqual([c.spec?.volumeName, c.status?.phase, c.status?.capacity?.storage, c.metadata.annotations?.['pv.kubernetes.io/bind-completed']], ['static', 'Bound', '2Gi', 'yes']);
  });

  it('a too-small static PV is not bound; the claim stays Pending and says why', async () => {
    const f = fakeEnv({ volumes: [pv('static', '1Gi')], claims: [pvc('big', '5Gi')] });
    await syncClaim(f.env, f.claims.get('ns/big')!);
    assert.equal(f.volumes.get('static')!.spec?.claimRef, undefined);
    assert.equal(f.claims.get('ns/big')!.status?.phase, 'Pending');
    assert.deepEqual(f.events, ['big Normal FailedBinding: no persistent volumes available for this claim and no storage class is set']);
  });

  it('WaitForFirstConsumer without a selected node waits, with upstream\'s event', async () => {
    const f = fakeEnv({ classes: [localPath()], claims: [pvc('w', '1Gi', { storageClassName: 'local-path' })] });
    await syncClaim(f.env, f.claims.get('ns/w')!);
    assert.equal(f.volumes.size, 0);
    assert.deepEqual(f.events, ['w Normal WaitForFirstConsumer: waiting for first consumer to be created before binding']);
  });

  it('local-path provisions on the selected node, under the directory the node publishes, then binds', async () => {
    const f = fakeEnv({
      classes: [localPath()], nodes: [node('n1', { 'storage.bosun.dev/local-path-dir': '/data/n1/storage' })],
      claims: [pvc('w', '1Gi', { storageClassName: 'local-path' }, { 'volume.kubernetes.io/selected-node': 'n1' })],
    });
    await syncClaim(f.env, f.claims.get('ns/w')!);
    const made = f.volumes.get('pvc-uid-w')!;
    assert.deepEqual(made.spec?.hostPath, { path: '/data/n1/storage/pvc-uid-w', type: 'DirectoryOrCreate' });
    assert.deepEqual(made.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, ['n1']);
    assert.equal(made.spec?.persistentVolumeReclaimPolicy, 'Delete');
    f.volumes.set(made.metadata.name!, { ...made, status: { phase: 'Pending' } });
    await syncClaim(f.env, f.claims.get('ns/w')!);
    assert.equal(f.claims.get('ns/w')!.spec?.volumeName, 'pvc-uid-w');
    assert.equal(f.claims.get('ns/w')!.status?.phase, 'Bound');
  });

  it('a selected node that is gone before provisioning: the selection is dropped for the scheduler to choose again', async () => {
    const f = fakeEnv({ classes: [localPath()], claims: [pvc('w', '1Gi', { storageClassName: 'local-path' }, { 'volume.kubernetes.io/selected-node': 'gone' })] });
    await syncClaim(f.env, f.claims.get('ns/w')!);
    assert.equal(f.volumes.size, 0);
    assert.equal(f.claims.get('ns/w')!.metadata.annotations?.['volume.kubernetes.io/selected-node'], undefined);
    assert.deepEqual(f.events, ['w Warning ProvisioningFailed: failed to provision volume with StorageClass "local-path": node "gone" not found']);
  });

  it('a bound claim whose volume is gone is Lost', async () => {
    const f = fakeEnv({ claims: [{ ...pvc('l', '1Gi', { volumeName: 'gone' }, { 'pv.kubernetes.io/bind-completed': 'yes' }), status: { phase: 'Bound' } }] });
    await syncClaim(f.env, f.claims.get('ns/l')!);
    assert.equal(f.claims.get('ns/l')!.status?.phase, 'Lost');
  });
});

describe('volume sync (upstream syncVolume / reclaimVolume)', () => {
  const boundTo = (name: string, policy: 'Retain' | 'Delete', extra: Partial<NonNullable<PersistentVolume['spec']>> = {}, annotations?: Record<string, string>): PersistentVolume => {
    const v = pv(name, '1Gi', { persistentVolumeReclaimPolicy: policy, claimRef: { namespace: 'ns', name: 'gone', uid: 'uid-gone' }, ...extra }, undefined, 'Bound');
    return annotations ? { ...v, metadata: { ...v.metadata, annotations } } : v;
  };

  it('Retain: the claim gone, the volume is Released and stays', async () => {
    const f = fakeEnv({ volumes: [boundTo('keep', 'Retain')] });
    await syncVolume(f.env, f.volumes.get('keep')!, []);
    assert.equal(f.volumes.get('keep')!.status?.phase, 'Released');
    assert.deepEqual(f.deleted, []);
  });

  it('a claim recreated under the same name is another claim: the volume is still Released', async () => {
    const again = pvc('gone', '1Gi');
    again.metadata.uid = 'uid-new';
    const f = fakeEnv({ volumes: [boundTo('keep', 'Retain')], claims: [again] });
    await syncVolume(f.env, f.volumes.get('keep')!, []);
    assert.equal(f.volumes.get('keep')!.status?.phase, 'Released');
  });

  it('Delete on a static hostPath volume: Failed with upstream\'s message (no deleter)', async () => {
    const f = fakeEnv({ volumes: [boundTo('static', 'Delete')] });
    await syncVolume(f.env, f.volumes.get('static')!, []);
    assert.equal(f.volumes.get('static')!.status?.message, 'error getting deleter volume plugin for volume "static": no deletable volume plugin matched');
    assert.equal(f.volumes.get('static')!.status?.phase, 'Failed');
  });

  it('Delete on a local-path volume: a helper pod removes the directory on its node, then the PV goes', async () => {
    const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: ['n1'] }] }] } };
    const f = fakeEnv({ volumes: [boundTo('pvc-1', 'Delete', { hostPath: { path: '/d/storage/pvc-1', type: 'DirectoryOrCreate' }, nodeAffinity: affinity }, { 'pv.kubernetes.io/provisioned-by': 'bosun.dev/local-path' })] });
    await syncVolume(f.env, f.volumes.get('pvc-1')!, [node('n1')]);
    const helper = f.pods.get(`kube-system/${helperPodName('pvc-1')}`)!;
    assert.equal(helper.spec?.nodeName, 'n1');
    assert.deepEqual(helper.spec?.containers[0]?.command, ['rm', '-rf', '/data/pvc-1']);
    assert.deepEqual(helper.spec?.volumes?.[0]?.hostPath, { path: '/d/storage', type: 'DirectoryOrCreate' });
    assert.deepEqual(f.deleted, [], 'nothing deleted before the helper succeeded');
    f.pods.set(`kube-system/${helperPodName('pvc-1')}`, { ...helper, status: { phase: 'Succeeded' } });
    await syncVolume(f.env, f.volumes.get('pvc-1')!, [node('n1')]);
    assert.deepEqual(f.deleted, [`pod/kube-system/${helperPodName('pvc-1')}`, 'pv/pvc-1']);
  });

  it('Delete on a local-path volume whose node is gone: reported, kept', async () => {
    const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: ['n1'] }] }] } };
    const f = fakeEnv({ volumes: [boundTo('pvc-2', 'Delete', { hostPath: { path: '/d/storage/pvc-2', type: 'DirectoryOrCreate' }, nodeAffinity: affinity }, { 'pv.kubernetes.io/provisioned-by': 'bosun.dev/local-path' })] });
    await syncVolume(f.env, f.volumes.get('pvc-2')!, [node('n2')]);
    assert.equal(f.pods.size, 0);
    assert.match(f.events.join('\n'), /pvc-2 Warning VolumeFailedDelete: the node of volume pvc-2 is gone/);
  });
});
