/**
 * PersistentVolume, PersistentVolumeClaim and StorageClass defaults and validation as upstream's
 * pkg/apis/core/v1/defaults.go (SetDefaults_PersistentVolume{,Claim}), pkg/apis/storage/v1/defaults.go
 * and pkg/apis/core/validation (ValidatePersistentVolume{,Claim}{,Update}), pkg/apis/storage/validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registry } from '../../registry.js';

const pvDef = registry.byResource('', 'v1', 'persistentvolumes')!;
const pvcDef = registry.byResource('', 'v1', 'persistentvolumeclaims')!;
const scDef = registry.byResource('storage.k8s.io', 'v1', 'storageclasses')!;

const pv = (spec: object): any => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec });
const goodPv = () => pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data/pv1' } });
const pvc = (spec: object): any => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'default' }, spec });
const goodPvc = () => pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
const sc = (extra: object = {}): any => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'bosun.dev/local-path', ...extra });

function errs(def: typeof pvDef, obj: any, old?: any): string[] {
  def.applyDefaults(obj);
  if (old) def.applyDefaults(old);
  return def.validate(obj, old).map((e) => `${e.field}: ${e.detail}`);
}

describe('storage kinds', () => {
  it('defaults: PV Retain/Filesystem/Pending, PVC Filesystem/Pending, StorageClass Delete/Immediate', () => {
    const v = goodPv();
    pvDef.applyDefaults(v);
    assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(v.spec.volumeMode, 'Filesystem');
    assert.equal(v.status.phase, 'Pending');
    const c = goodPvc();
    pvcDef.applyDefaults(c);
    assert.equal(c.spec.volumeMode, 'Filesystem');
    assert.equal(c.status.phase, 'Pending');
    const s = sc();
    scDef.applyDefaults(s);
    assert.equal(s.reclaimPolicy, 'Delete');
    assert.equal(s.volumeBindingMode, 'Immediate');
  });

  it('a good PV, PVC and StorageClass validate', () => {
    assert.deepEqual(errs(pvDef, goodPv()), []);
    assert.deepEqual(errs(pvcDef, goodPvc()), []);
    assert.deepEqual(errs(scDef, sc()), []);
  });

  it('PV: access modes, capacity, source, local node affinity, reclaim policy', () => {
    assert.deepEqual(errs(pvDef, pv({ capacity: { storage: '1Gi' }, hostPath: { path: '/x' } })), ['spec.accessModes: Required value']);
    assert.deepEqual(errs(pvDef, pv({ accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } })), ['spec.capacity: Unsupported value: null: supported values: "storage"']);
    assert.deepEqual(errs(pvDef, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] })), ['spec: Required value: must specify a volume type']);
    assert.deepEqual(errs(pvDef, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' }, local: { path: '/y' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'Exists' }] }] } } })), ['spec.local: Forbidden: may not specify more than 1 volume type']);
    assert.deepEqual(errs(pvDef, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/y' } })), ['spec.nodeAffinity: Required value: Local volume requires node affinity']);
    assert.deepEqual(errs(pvDef, pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'], hostPath: { path: '/x' } })), ['spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes']);
    const moved = goodPv();
    moved.spec.hostPath.path = '/elsewhere';
    assert.deepEqual(errs(pvDef, moved, goodPv()), ['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation']);
  });

  it('PVC: access modes and storage request required, spec immutable but for growing a bound claim', () => {
    assert.deepEqual(errs(pvcDef, pvc({ resources: { requests: { storage: '1Gi' } } })), ['spec.accessModes: Required value: at least 1 access mode is required']);
    assert.deepEqual(errs(pvcDef, pvc({ accessModes: ['ReadWriteOnce'] })), ['spec.resources[storage]: Required value']);
    assert.deepEqual(errs(pvcDef, pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } })), ['spec.resources[storage]: Invalid value: "0": must be greater than zero']);
    const bound = (size: string) => ({ ...goodPvc(), spec: { ...goodPvc().spec, volumeName: 'pv1', resources: { requests: { storage: size } } }, status: { phase: 'Bound' } });
    assert.deepEqual(errs(pvcDef, bound('2Gi'), bound('1Gi')), []);
    assert.deepEqual(errs(pvcDef, bound('512Mi'), bound('1Gi')), ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
    const pending = goodPvc();
    const grown = goodPvc();
    grown.spec.resources.requests.storage = '2Gi';
    assert.deepEqual(errs(pvcDef, grown, pending), ['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
    const named = goodPvc();
    named.spec.volumeName = 'pv1';
    assert.deepEqual(errs(pvcDef, named, goodPvc()), [], 'the binder sets volumeName once');
  });

  it('StorageClass: reclaim policy, binding mode, immutable parameters and provisioner', () => {
    assert.deepEqual(errs(scDef, sc({ reclaimPolicy: 'Recycle' })), ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']);
    assert.deepEqual(errs(scDef, sc({ provisioner: 'other.dev/x' }), sc()), ['provisioner: Forbidden: updates to provisioner are forbidden.']);
    assert.deepEqual(errs(scDef, sc({ parameters: { a: 'b' } }), sc()), ['parameters: Forbidden: updates to parameters are forbidden.']);
  });
});
