/** VolumeRestrictions against upstream's volume_restrictions_test.go cases (disk conflicts, ReadWriteOncePod). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolumeClaim } from '../../../api/kinds/index.js';
import type { Pod } from '../../framework/types.js';
import { CycleState } from '../../framework/cycle-state.js';
import { preFilterParts } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { newPodInfo } from '../../framework/pod-info.js';
import { Snapshot } from '../../framework/snapshot.js';
import { Code } from '../../framework/status.js';
import { runFilter } from '../../testing/run-plugin.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { ERR_REASON_DISK_CONFLICT, ERR_REASON_RWOP_CONFLICT, newVolumeRestrictions } from './volume-restrictions.js';

type Volume = NonNullable<NonNullable<Pod['spec']>['volumes']>[number];

const withVolumes = (name: string, ...volumes: Record<string, unknown>[]): Pod => {
  const p = makePod().name(name).obj();
  p.spec!.volumes = volumes.map((v, i) => ({ name: `v${i}`, ...v }) as Volume);
  return p;
};
const claimVol = (claimName: string) => ({ persistentVolumeClaim: { claimName } });

function claim(name: string, mode: string): PersistentVolumeClaim {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { accessModes: [mode] } } as PersistentVolumeClaim;
}
const claims = [claim('rwop-1', 'ReadWriteOncePod'), claim('rwop-2', 'ReadWriteOncePod'), claim('rwx', 'ReadWriteMany')];
const plugin = () => newVolumeRestrictions({}, { volumeBinding: { claim: (_ns: string, n: string) => claims.find((c) => c.metadata.name === n) } });

test('VolumeRestrictions: inline disk conflicts (upstream TestGCEDiskConflicts, TestAWSDiskConflicts, TestRBDDiskConflicts, TestISCSIDiskConflicts)', async (t) => {
  const gce = (pdName: string, readOnly = false) => ({ gcePersistentDisk: { pdName, readOnly } });
  const rbd = (monitors: string[], image: string, readOnly = false) => ({ rbd: { monitors, pool: 'rbd', image, readOnly } });
  const cases = [
    { name: 'no volumes', pod: withVolumes('p'), existing: [], want: Code.Success },
    { name: 'gce: other disk', pod: withVolumes('p', gce('foo')), existing: [withVolumes('e', gce('bar'))], want: Code.Success },
    { name: 'gce: same disk read-write', pod: withVolumes('p', gce('foo')), existing: [withVolumes('e', gce('foo'))], want: Code.Unschedulable },
    { name: 'gce: same disk both read-only', pod: withVolumes('p', gce('foo', true)), existing: [withVolumes('e', gce('foo', true))], want: Code.Success },
    { name: 'ebs: same volume, even read-only', pod: withVolumes('p', { awsElasticBlockStore: { volumeID: 'foo', readOnly: true } }), existing: [withVolumes('e', { awsElasticBlockStore: { volumeID: 'foo', readOnly: true } })], want: Code.Unschedulable },
    { name: 'rbd: shared monitor, same image', pod: withVolumes('p', rbd(['a', 'b'], 'img')), existing: [withVolumes('e', rbd(['b', 'c'], 'img'))], want: Code.Unschedulable },
    { name: 'rbd: no shared monitor', pod: withVolumes('p', rbd(['a'], 'img')), existing: [withVolumes('e', rbd(['c'], 'img'))], want: Code.Success },
    { name: 'iscsi: same iqn read-write', pod: withVolumes('p', { iscsi: { iqn: 'iqn.2016-12.server:storage.target01', targetPortal: 'x', lun: 0 } }), existing: [withVolumes('e', { iscsi: { iqn: 'iqn.2016-12.server:storage.target01', targetPortal: 'x', lun: 0 } })], want: Code.Unschedulable },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const node = makeNode().name('n1').info(...c.existing);
      const st = runFilter(plugin(), newPodInfo(c.pod), node);
      assert.equal(st.code, c.want);
      if (c.want !== Code.Success) assert.equal(st.message(), ERR_REASON_DISK_CONFLICT);
    });
  }
});

test('VolumeRestrictions: ReadWriteOncePod (upstream TestAccessModeConflicts)', async (t) => {
  const user = withVolumes('user', claimVol('rwop-1'));
  const cases: { name: string; pod: Pod; nodes: NodeInfo[]; preFilter: Code; filter?: Code }[] = [
    { name: 'claim not found', pod: withVolumes('p', claimVol('missing')), nodes: [makeNode().name('n1').info()], preFilter: Code.UnschedulableAndUnresolvable },
    { name: 'nothing to check', pod: withVolumes('p', claimVol('rwx')), nodes: [makeNode().name('n1').info(withVolumes('e', claimVol('rwx')))], preFilter: Code.Skip },
    { name: 'rwop claim nobody uses', pod: withVolumes('p', claimVol('rwop-1')), nodes: [makeNode().name('n1').info()], preFilter: Code.Skip },
    { name: 'rwop claim used on this node', pod: withVolumes('p', claimVol('rwop-1')), nodes: [makeNode().name('n1').info(user)], preFilter: Code.Success, filter: Code.Unschedulable },
    { name: 'rwop claim used on another node', pod: withVolumes('p', claimVol('rwop-1')), nodes: [makeNode().name('n1').info(), makeNode().name('n2').info(user)], preFilter: Code.Success, filter: Code.Unschedulable },
    { name: 'two claims, the second in use', pod: withVolumes('p', claimVol('rwop-1'), claimVol('rwop-2')), nodes: [makeNode().name('n1').info(withVolumes('e', claimVol('rwop-2')))], preFilter: Code.Success, filter: Code.Unschedulable },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const p = plugin();
      const state = new CycleState();
      const { status } = preFilterParts(p.preFilter(state, newPodInfo(c.pod), new Snapshot(c.nodes)));
      assert.equal(status.code, c.preFilter, status.message());
      if (c.preFilter === Code.UnschedulableAndUnresolvable) assert.equal(status.message(), 'persistentvolumeclaim "missing" not found');
      if (c.filter === undefined) return;
      const st = p.filter(state, newPodInfo(c.pod), c.nodes[0]!);
      assert.equal(st.code, c.filter);
      assert.equal(st.message(), ERR_REASON_RWOP_CONFLICT);
    });
  }
});

test('VolumeRestrictions: preemption sees the claim freed when its user is removed from the node, and taken by a nominated pod', () => {
  const user = withVolumes('user', claimVol('rwop-1'));
  const pod = newPodInfo(withVolumes('p', claimVol('rwop-1')));
  const n1 = makeNode().name('n1').info(user);
  const p = plugin();
  const state = new CycleState();
  p.preFilter(state, pod, new Snapshot([n1, makeNode().name('n2').info()]));
  // Upstream RemovePod: the victim's claim reference goes, so n1 without it fits; n2 still conflicts (the user is on n1).
  assert.equal(p.filter(state, pod, n1.withoutPod(newPodInfo(user).key)).code, Code.Success);
  assert.equal(p.filter(state, pod, makeNode().name('n2').info()).code, Code.Unschedulable);
  // Upstream AddPod: a nominated pod with the claim, added to the node view, conflicts.
  const free = newPodInfo(withVolumes('p2', claimVol('rwop-2')));
  const s2 = new CycleState();
  assert.equal(preFilterParts(p.preFilter(s2, free, new Snapshot([makeNode().name('n1').info()]))).status.code, Code.Skip);
  const s3 = new CycleState();
  const other = newPodInfo(withVolumes('p3', claimVol('rwop-1')));
  p.preFilter(s3, other, new Snapshot([n1]));
  assert.equal(p.filter(s3, other, n1.withoutPod(newPodInfo(user).key).withPod(newPodInfo(withVolumes('nominated', claimVol('rwop-1'))))).code, Code.Unschedulable);
});
