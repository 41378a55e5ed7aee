import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { podQOSClass as fromKinds } from './kinds/core/pod.js';
import { podQOSClass } from './pod-qos.js';

test('podQOSClass follows qos.GetPodQOS for the cases the apiserver decides', () => {
  const c = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ name: 'c', image: 'i', resources: { requests, limits } });
  const cases: Array<[string, object[], string]> = [
    ['nothing set', [c()], 'BestEffort'],
    ['limits equal requests for cpu and memory', [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })], 'Guaranteed'],
    ['limits only (requests default to them)', [c(undefined, { cpu: '1', memory: '1Gi' })], 'Guaranteed'],
    ['requests below limits', [c({ cpu: '500m' }, { cpu: '1', memory: '1Gi' })], 'Burstable'],
    ['memory limit missing', [c({ cpu: '1' }, { cpu: '1' })], 'Burstable'],
    ['one container without resources', [c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), c()], 'Burstable'],
  ];
  for (const [why, containers, want] of cases) {
    const pod = { spec: { containers } } as never;
    assert.equal(podQOSClass(pod), want, why);
    assert.equal(fromKinds, podQOSClass, 'the kinds module re-exports the same function');
  }
});
