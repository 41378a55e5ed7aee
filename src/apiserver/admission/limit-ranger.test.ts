/**
 * LimitRanger arithmetic from upstream's tables in plugin/pkg/admission/limitranger/admission_test.go
 * (TestDefaultContainerResourceRequirements, TestMergePodResourceRequirements, TestPodLimitFunc,
 * TestPersistentVolumeClaimLimitFunc): defaults and the annotation, min/max/ratio messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLimitRangeItem, limitRanges, type LimitRange, type LimitRangeItem } from '../../api/kinds/core/limit-range.js';
import type { KubeObject } from '../../api/meta.js';
import { admitLimitRanges, LIMIT_RANGER_ANNOTATION } from './limit-ranger.js';

const range = (...limits: LimitRangeItem[]): LimitRange => {
  const lr = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } } as LimitRange;
  limitRanges.applyDefaults(lr);
  return lr;
};
const pod = (...containers: { name: string; requests?: Record<string, string>; limits?: Record<string, string> }[]): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: containers.map((c) => ({ name: c.name, image: 'x', resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } })) },
});
const refusal = (fn: () => void): string => {
  try { fn(); } catch (err) { return (err as { status: { code: number; message: string } }).status.code + ' ' + (err as { status: { message: string } }).status.message; }
  return 'admitted';
};

test('SetDefaults_LimitRangeItem: default limit falls back to max, default request to the default limit, then to min', () => {
  const item: LimitRangeItem = { type: 'Container', max: { cpu: '2' }, min: { memory: '10Mi' } };
  defaultLimitRangeItem(item);
  assert.deepEqual(item.default, { cpu: '2' });
  assert.deepEqual(item.defaultRequest, { cpu: '2', memory: '10Mi' });
});

test('mergePodResourceRequirements: missing requests and limits filled, recorded in kubernetes.io/limit-ranger', () => {
  const p = pod({ name: 'a' }, { name: 'b', requests: { cpu: '50m' } });
  admitLimitRanges('pods', p, [range({ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } })]);
  assert.deepEqual(p.spec.containers[0].resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  assert.deepEqual(p.spec.containers[1].resources.requests, { cpu: '50m', memory: '128Mi' });
  assert.equal(p.metadata.annotations?.[LIMIT_RANGER_ANNOTATION],
    'LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; memory request for container b; cpu, memory limit for container b');
});

test('Container max and min, with upstream\'s messages', () => {
  const lr = range({ type: 'Container', max: { cpu: '1' }, min: { cpu: '100m' } });
  assert.equal(refusal(() => admitLimitRanges('pods', pod({ name: 'a', requests: { cpu: '500m' }, limits: { cpu: '2' } }), [lr])),
    '403 pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  assert.equal(refusal(() => admitLimitRanges('pods', pod({ name: 'a', requests: { cpu: '50m' }, limits: { cpu: '500m' } }), [lr])),
    '403 pods "p" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
  assert.equal(refusal(() => admitLimitRanges('pods', pod({ name: 'a', requests: { cpu: '200m' }, limits: { cpu: '1' } }), [lr])), 'admitted');
});

test('Pod items check the sums; several failures are listed in brackets', () => {
  const lr = range({ type: 'Pod', max: { cpu: '1', memory: '1Gi' } });
  const p = pod({ name: 'a', limits: { cpu: '600m', memory: '600Mi' } }, { name: 'b', limits: { cpu: '600m', memory: '600Mi' } });
  assert.equal(refusal(() => admitLimitRanges('pods', p, [lr])),
    '403 pods "p" is forbidden: [maximum cpu usage per Pod is 1, but limit is 1200m, maximum memory usage per Pod is 1Gi, but limit is 1200Mi]');
});

test('maxLimitRequestRatio: no request, and a ratio above the bound', () => {
  const lr = range({ type: 'Container', maxLimitRequestRatio: { cpu: '2' } });
  assert.equal(refusal(() => admitLimitRanges('pods', pod({ name: 'a', requests: { cpu: '100m' }, limits: { cpu: '500m' } }), [lr])),
    '403 pods "p" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000');
  assert.equal(refusal(() => admitLimitRanges('pods', pod({ name: 'a', limits: { memory: '1Gi' } }), [lr])),
    '403 pods "p" is forbidden: cpu max limit to request ratio per Container is 2, but no request is specified or request is 0');
});

test('PersistentVolumeClaim min and max on the storage request', () => {
  const lr = range({ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } });
  const claim = (size: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { resources: { requests: { storage: size } } } });
  assert.equal(refusal(() => admitLimitRanges('persistentvolumeclaims', claim('20Gi'), [lr])), '403 persistentvolumeclaims "c" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi');
  assert.equal(refusal(() => admitLimitRanges('persistentvolumeclaims', claim('500Mi'), [lr])), '403 persistentvolumeclaims "c" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
});

test('ValidateLimitRange: min above max and default above max, at upstream\'s paths', () => {
  const lr = range({ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' }, default: { memory: '2Gi' }, defaultRequest: { memory: '1Gi' } });
  lr.spec!.limits![0]!.max!.memory = '1Gi';
  const errs = limitRanges.validate(lr).map((e) => `${e.field}: ${e.detail}`);
  assert.ok(errs.includes('spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1'), errs.join('\n'));
  assert.ok(errs.includes('spec.limits[0].default[memory]: Invalid value: "2Gi": default value 2Gi is greater than max value 1Gi'), errs.join('\n'));
});
