/**
 * Eviction order, from upstream's pkg/kubelet/eviction/helpers_test.go cases (TestOrderedByExceedsRequestMemory,
 * TestOrderedByPriority, TestOrderedbyMemory, TestOrderedByPriorityMemory) with their pods, requests and usage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { rankForEviction, podRequest, type PodUsage } from './rank.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

function pod(name: string, priority: number, requests: Record<string, string> = {}, limits: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { priority, containers: [{ name, image: 'x', resources: { requests, limits } }] },
  };
}

const statsOf = (m: Map<Pod, number>) => (p: Pod): PodUsage | undefined => (m.has(p) ? { memory: m.get(p) } : undefined);
const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('eviction ranking (upstream helpers_test.go)', () => {
  it('TestOrderedByExceedsRequestMemory: the pod above its request goes first', () => {
    const below = pod('below-requests', -1, { memory: '200Mi' });
    const exceeds = pod('exceeds-requests', 1, { memory: '100Mi' });
    const stats = statsOf(new Map([[below, 199 * Mi], [exceeds, 101 * Mi]]));
    // Priority would put `below` first; exceeding the request decides before priority.
    assert.deepEqual(names(rankForEviction([below, exceeds], stats, 'memory')), ['exceeds-requests', 'below-requests']);
  });

  it('TestOrderedByPriority: lower priority first when usage is alike', () => {
    const low = pod('low-priority', -134, { memory: '1Gi' });
    const medium = pod('medium-priority', 1, { memory: '1Gi' });
    const high = pod('high-priority', 12534, { memory: '1Gi' });
    const stats = statsOf(new Map([[low, 100 * Mi], [medium, 100 * Mi], [high, 100 * Mi]]));
    assert.deepEqual(names(rankForEviction([high, medium, low], stats, 'memory')), ['low-priority', 'medium-priority', 'high-priority']);
  });

  it('TestOrderedbyMemory: largest usage above request first', () => {
    const p1 = pod('best-effort-high', 0);
    const p2 = pod('best-effort-low', 0);
    const p3 = pod('burstable-high', 0, { memory: '100Mi' }, { memory: '1Gi' });
    const p4 = pod('burstable-low', 0, { memory: '100Mi' }, { memory: '1Gi' });
    const p5 = pod('guaranteed-high', 0, { memory: '1Gi' }, { memory: '1Gi' });
    const p6 = pod('guaranteed-low', 0, { memory: '1Gi' }, { memory: '1Gi' });
    const stats = statsOf(new Map([[p1, 500 * Mi], [p2, 300 * Mi], [p3, 800 * Mi], [p4, 300 * Mi], [p5, 800 * Mi], [p6, 200 * Mi]]));
    // Upstream's expected order: pod3, pod1, pod2, pod4, pod5, pod6 (the exceed step puts the
    // four pods above their requests before the two Guaranteed ones, as the memory order does too).
    assert.deepEqual(names(rankForEviction([p1, p2, p3, p4, p5, p6], stats, 'memory')),
      ['burstable-high', 'best-effort-high', 'best-effort-low', 'burstable-low', 'guaranteed-high', 'guaranteed-low']);
  });

  it('TestOrderedByPriorityMemory: exceeds requests, then priority, then usage above requests', () => {
    const low = -1;
    const high = 1;
    const p1 = pod('above-requests-low-priority-high-usage', low);
    const p2 = pod('above-requests-low-priority-low-usage', low);
    const p3 = pod('above-requests-high-priority-high-usage', high, { memory: '100Mi' });
    const p4 = pod('above-requests-high-priority-low-usage', high, { memory: '100Mi' });
    const p5 = pod('below-requests-low-priority-high-usage', low, { memory: '1Gi' });
    const p6 = pod('below-requests-low-priority-low-usage', low, { memory: '1Gi' });
    const p7 = pod('below-requests-high-priority-high-usage', high, { memory: '1Gi' });
    const p8 = pod('below-requests-high-priority-low-usage', high, { memory: '1Gi' });
    const stats = statsOf(new Map([[p1, 500 * Mi], [p2, 50 * Mi], [p3, 600 * Mi], [p4, 150 * Mi], [p5, 800 * Mi], [p6, 200 * Mi], [p7, 800 * Mi], [p8, 200 * Mi]]));
    const input = [p8, p7, p6, p5, p4, p3, p2, p1];
    assert.deepEqual(names(rankForEviction(input, stats, 'memory')), names([p1, p2, p3, p4, p5, p6, p7, p8]));
  });

  it('a pod without stats is evicted first (helpers.go: prioritize evicting the pod for which no stats were found)', () => {
    const known = pod('known', -100);
    const unknown = pod('unknown', 100, { memory: '1Gi' });
    assert.deepEqual(names(rankForEviction([known, unknown], statsOf(new Map([[known, 10 * Gi]])), 'memory')), ['unknown', 'known']);
  });

  it('BestEffort before Guaranteed within its requests, whatever their sizes', () => {
    const guaranteed = pod('guaranteed', 0, { memory: '2Gi', cpu: '1' }, { memory: '2Gi', cpu: '1' });
    const bestEffort = pod('best-effort', 0);
    const stats = statsOf(new Map([[guaranteed, 1900 * Mi], [bestEffort, 1 * Mi]]));
    assert.deepEqual(names(rankForEviction([guaranteed, bestEffort], stats, 'memory')), ['best-effort', 'guaranteed']);
  });

  it('podRequest sums containers, takes the largest init container, adds overhead', () => {
    const p = pod('p', 0, { memory: '100Mi' });
    p.spec!.containers.push({ name: 'b', image: 'x', resources: { requests: { memory: '50Mi' } } });
    p.spec!.initContainers = [{ name: 'init', image: 'x', resources: { requests: { memory: '300Mi' } } }];
    assert.equal(podRequest(p, 'memory'), 300 * Mi);
    p.spec!.overhead = { memory: '10Mi' };
    assert.equal(podRequest(p, 'memory'), 310 * Mi);
    p.spec!.initContainers = [];
    assert.equal(podRequest(p, 'memory'), 160 * Mi);
    assert.equal(podRequest(p, 'inodes'), 0);
  });
});
