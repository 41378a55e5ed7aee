/**
 * VolumeBinding as upstream's pkg/scheduler/framework/plugins/volumebinding (volume_binding_test.go
 * cases): a bound claim's volume whose node affinity excludes every node gives the pod "0/N nodes are
 * available: N node(s) had volume node affinity conflict." (the pod whose volume's node is gone); a
 * WaitForFirstConsumer claim binds a free volume only where it can be used, else a provisioning
 * class makes every node fit, else "node(s) didn't find available persistent volumes to bind";
 * Reserve then PreBind write the binding (claimRef, or the claim's selected-node) and wait.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../api/kinds/index.js';
import { CycleState } from '../../framework/cycle-state.js';
import { preFilterParts } from '../../framework/interface.js';
import { buildProfile } from '../../framework/profile.js';
import { schedulePod } from '../../framework/schedule-pod.js';
import { Snapshot } from '../../framework/snapshot.js';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { NAME, newVolumeBinding, type VolumeBindingDeps } from './volume-binding.js';

const onNode = (n: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: [n] }] }] } });
const pv = (name: string, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}, phase = 'Available'): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/x/${name}` }, volumeMode: 'Filesystem', storageClassName: 'local', ...extra },
  status: { phase: phase as 'Available' },
});
const pvc = (name: string, extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}, phase = 'Pending'): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem', storageClassName: 'local', ...extra },
  status: { phase: phase as 'Pending' },
});
const sc = (name: string, provisioner: string): StorageClass => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: 'WaitForFirstConsumer' });

function fakeDeps(o: { claims: PersistentVolumeClaim[]; volumes?: PersistentVolume[]; classes?: StorageClass[] }) {
  const writes: string[] = [];
  const deps: VolumeBindingDeps = {
    claim: (ns, n) => o.claims.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
    volume: (n) => o.volumes?.find((v) => v.metadata.name === n),
    volumes: () => o.volumes ?? [],
    storageClass: (n) => o.classes?.find((c) => c.metadata.name === n),
    updateVolume: async (v) => {
      writes.push(`pv ${v.metadata.name} claimRef=${v.spec?.claimRef?.namespace}/${v.spec?.claimRef?.name}`);
    },
    updateClaim: async (c) => {
      writes.push(`pvc ${c.metadata.name} selected-node=${c.metadata.annotations?.['volume.kubernetes.io/selected-node']}`);
    },
    waitBound: async (ns, names) => {
      writes.push(`wait ${ns}/${names.join(',')}`);
    },
  };
  return { deps, writes };
}


function schedule(deps: VolumeBindingDeps, claims: string[], nodes = ['n1', 'n2']) {
  const profile = buildProfile({ schedulerName: 'default-scheduler', plugins: [{ name: NAME }] }, { [NAME]: (a, h) => newVolumeBinding(a, h) }, { volumeBinding: deps });
  const snapshot = new Snapshot(nodes.map((n) => makeNode().name(n).label('kubernetes.io/hostname', n).info()));
  const pod = makePod().name('p').info();
  pod.pod.spec.volumes = claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } }));
  return { result: schedulePod(pod, snapshot, profile), profile, pod };
}

describe('VolumeBinding', () => {
  it('a bound volume on a node that is gone: every node has a volume node affinity conflict', () => {
    const { deps } = fakeDeps({ claims: [pvc('data', { volumeName: 'pv-gone' }, 'Bound')], volumes: [pv('pv-gone', { nodeAffinity: onNode('gone') }, 'Bound')] });
    const { result } = schedule(deps, ['data']);
    assert.ok('message' in result);
    assert.equal(result.message, '0/2 nodes are available: 2 node(s) had volume node affinity conflict.');
  });

  it('a bound volume pins the pod to its node', () => {
    const { deps } = fakeDeps({ claims: [pvc('data', { volumeName: 'pv1' }, 'Bound')], volumes: [pv('pv1', { nodeAffinity: onNode('n2') }, 'Bound')] });
    const { result } = schedule(deps, ['data']);
    assert.ok('node' in result);
    assert.equal(result.node, 'n2');
  });

  it('a missing claim or an unbound Immediate claim: unschedulable with upstream\'s message', () => {
    const { deps } = fakeDeps({ claims: [pvc('imm', { storageClassName: 'fast' })], classes: [{ ...sc('fast', 'x'), volumeBindingMode: 'Immediate' }] });
    const missing = schedule(deps, ['nope']).result;
    assert.ok('message' in missing);
    assert.equal(missing.message, '0/2 nodes are available: persistentvolumeclaim "nope" not found.');
    const imm = schedule(deps, ['imm']).result;
    assert.ok('message' in imm);
    assert.equal(imm.message, '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
  });

  it('WaitForFirstConsumer with no volume and no provisioner: no node finds a volume', () => {
    const { deps } = fakeDeps({ claims: [pvc('w')], classes: [sc('local', 'kubernetes.io/no-provisioner')], volumes: [pv('other', { nodeAffinity: onNode('n3') })] });
    const { result } = schedule(deps, ['w']);
    assert.ok('message' in result);
    assert.equal(result.message, "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind.");
  });

  it('WaitForFirstConsumer with a static local volume: the pod goes to its node; PreBind binds it there', async () => {
    const { deps, writes } = fakeDeps({ claims: [pvc('w')], classes: [sc('local', 'kubernetes.io/no-provisioner')], volumes: [pv('pv-n1', { nodeAffinity: onNode('n1') })] });
    const { result, profile, pod } = schedule(deps, ['w']);
    assert.ok('node' in result);
    assert.equal(result.node, 'n1');
    const plugin = profile.reserve[0]!;
    assert.equal(plugin.reserve(result.state, pod, 'n1').code, Code.Success);
    assert.equal((await profile.preBind[0]!.preBind(result.state, pod, 'n1')).code, Code.Success);
    assert.deepEqual(writes, ['pv pv-n1 claimRef=default/w', 'wait default/w']);
  });

  it('WaitForFirstConsumer with a provisioning class: PreBind sets the selected node and waits', async () => {
    const { deps, writes } = fakeDeps({ claims: [pvc('w')], classes: [sc('local', 'bosun.dev/local-path')] });
    const { result, profile, pod } = schedule(deps, ['w'], ['n2']);
    assert.ok('node' in result);
    assert.equal(profile.reserve[0]!.reserve(result.state, pod, 'n2').code, Code.Success);
    assert.equal((await profile.preBind[0]!.preBind(result.state, pod, 'n2')).code, Code.Success);
    assert.deepEqual(writes, ['pvc w selected-node=n2', 'wait default/w']);
  });

  it('a pod without claims is skipped', () => {
    const { deps } = fakeDeps({ claims: [] });
    const plugin = newVolumeBinding({}, { volumeBinding: deps });
    assert.equal(preFilterParts(plugin.preFilter(new CycleState(), makePod().info(), new Snapshot([]))).status.code, Code.Skip);
  });
});
