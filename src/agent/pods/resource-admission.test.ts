import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from '../../api/kinds/index.js';
import { admitResources, createdBefore } from './resource-admission.js';

const pod = (name: string, containers: Partial<Container>[], extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name },
  spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: 'img', ...c })), ...extra },
});
const asking = (requests: Record<string, string>) => ({ resources: { requests } });
const node = { cpu: '2', memory: '4Gi', pods: '3', 'example.com/gpu': '1' };

describe('kubelet resource admission (predicate admit handler)', () => {
  it('admits a pod whose requests fit what the admitted pods leave', () => {
    assert.equal(admitResources(pod('a', [asking({ cpu: '1', memory: '1Gi' })]), [pod('b', [asking({ cpu: '1', memory: '3Gi' })])], node), undefined);
    assert.equal(admitResources(pod('a', [{}]), [], node), undefined, 'no requests: only the pod count matters');
  });

  it('refuses OutOfcpu with the requests of the pods admitted before, in millicores', () => {
    const admitted = [pod('b', [asking({ cpu: '1500m' })]), pod('c', [asking({ cpu: '250m' })])];
    assert.deepEqual(admitResources(pod('a', [asking({ cpu: '500m' })]), admitted, node), {
      reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 500, used: 1750, capacity: 2000",
    });
  });

  it('refuses OutOfmemory in bytes; cpu is checked first', () => {
    assert.deepEqual(admitResources(pod('a', [asking({ memory: '5Gi' })]), [], node), {
      reason: 'OutOfmemory', message: `Node didn't have enough resource: memory, requested: ${5 * 2 ** 30}, used: 0, capacity: ${4 * 2 ** 30}`,
    });
    assert.equal(admitResources(pod('a', [asking({ cpu: '3', memory: '5Gi' })]), [], node)?.reason, 'OutOfcpu');
  });

  it('refuses OutOfpods when the node holds its allocatable pod count, before any resource', () => {
    const three = ['b', 'c', 'd'].map((n) => pod(n, [{}]));
    assert.deepEqual(admitResources(pod('a', [asking({ cpu: '9' })]), three, node), {
      reason: 'OutOfpods', message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
    });
  });

  it('counts init containers, sidecars and overhead as resourcehelper.PodRequests', () => {
    // max(init 1500m, sidecar 200m + app 300m) = 1500m; + 100m overhead = 1600m > 2000m - 500m.
    const p = pod('a', [asking({ cpu: '300m' })], {
      initContainers: [{ name: 'i', image: 'img', ...asking({ cpu: '1500m' }) }, { name: 's', image: 'img', restartPolicy: 'Always', ...asking({ cpu: '200m' }) }],
      overhead: { cpu: '100m' },
    });
    assert.equal(admitResources(p, [pod('b', [asking({ cpu: '500m' })])], node)?.message, "Node didn't have enough resource: cpu, requested: 1600, used: 500, capacity: 2000");
    assert.equal(admitResources(p, [pod('b', [asking({ cpu: '400m' })])], node), undefined);
  });

  it('checks extended resources the node offers and leaves out those it does not', () => {
    const gpus = (n: string) => ({ resources: { requests: { 'example.com/gpu': n }, limits: { 'example.com/gpu': n } } });
    assert.deepEqual(admitResources(pod('a', [gpus('1')]), [pod('b', [gpus('1')])], node), {
      reason: 'OutOfexample.com/gpu', message: "Node didn't have enough resource: example.com/gpu, requested: 1, used: 1, capacity: 1",
    });
    assert.equal(admitResources(pod('a', [asking({ 'example.com/fpga': '4' })]), [], node), undefined, 'a cluster-level resource is not the node\'s');
  });

  it('orders admission by creation time, then uid', () => {
    const at = (uid: string, t: string): Pod => ({ ...pod(uid, [{}]), metadata: { name: uid, uid, creationTimestamp: t } });
    assert.equal(createdBefore(at('b', '2026-01-01T00:00:00Z'), at('a', '2026-01-01T00:00:01Z')), true);
    assert.equal(createdBefore(at('a', '2026-01-01T00:00:01Z'), at('b', '2026-01-01T00:00:00Z')), false);
    assert.equal(createdBefore(at('a', '2026-01-01T00:00:00Z'), at('b', '2026-01-01T00:00:00Z')), true);
    assert.equal(createdBefore(at('b', '2026-01-01T00:00:00Z'), at('a', '2026-01-01T00:00:00Z')), false);
  });
});
