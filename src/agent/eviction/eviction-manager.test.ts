/**
 * The eviction manager's pass over observed signals (no containers: meminfo and statfs are given),
 * and the --eviction-hard syntax (upstream's ParseThresholdConfig cases).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { EvictionManager, thresholdsMet } from './eviction-manager.js';
import type { PodStats } from './pod-usage.js';
import { DEFAULT_EVICTION_HARD, evictionReserve, parseEvictionHard, thresholdAmount } from './thresholds.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

const meminfo = (totalKi: number, freeKi: number, inactiveFileKi = 0) =>
  `MemTotal:       ${totalKi} kB\nMemFree:        ${freeKi} kB\nMemAvailable:   ${freeKi} kB\nInactive(file): ${inactiveFileKi} kB\n`;

function pod(name: string, requests: Record<string, string> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests, limits: requests } }] } };
}

describe('--eviction-hard', () => {
  it('parses upstream defaults and the quantity and percent forms', () => {
    const t = parseEvictionHard(DEFAULT_EVICTION_HARD);
    assert.deepEqual(t.map((x) => x.signal), ['memory.available', 'nodefs.available', 'imagefs.available', 'nodefs.inodesFree']);
    assert.equal(thresholdAmount(t[0]!, 8 * Gi), 100 * Mi);
    assert.equal(thresholdAmount(t[1]!, 1000), 100);
    assert.deepEqual(evictionReserve(t, 8 * Gi), { memoryBytes: 100 * Mi, storageFraction: 0.1 });
    assert.deepEqual(parseEvictionHard('memory.available<0,nodefs.available<0%'), [], 'a zero threshold is none');
  });

  it('refuses what upstream refuses, naming the statement', () => {
    assert.throws(() => parseEvictionHard('memory.available>100Mi'), /invalid eviction threshold "memory.available>100Mi"/);
    assert.throws(() => parseEvictionHard('mem.available<100Mi'), /unsupported eviction signal mem.available/);
    assert.throws(() => parseEvictionHard('memory.available<100Mi,memory.available<200Mi'), /duplicate eviction threshold for signal memory.available/);
    assert.throws(() => parseEvictionHard('memory.available<-1Mi'), /must be positive/);
    assert.throws(() => parseEvictionHard('nodefs.available<150%'), /between 0% and 100%/);
    assert.throws(() => parseEvictionHard('memory.available<lots'), /invalid eviction threshold quantity lots/);
  });
});

describe('EvictionManager.synchronize', () => {
  const setup = (freeKi: number) => {
    let now = 1_000_000;
    let free = freeKi;
    const evicted: string[] = [];
    const events: string[] = [];
    const best = pod('best-effort');
    const guaranteed = pod('guaranteed', { memory: '1Gi', cpu: '1' });
    let active = [guaranteed, best];
    let changes = 0;
    const m = new EvictionManager({
      thresholds: parseEvictionHard('memory.available<1Gi'),
      pressureTransitionMs: 60_000,
      nodeFsDir: '/nodefs',
      sources: {
        meminfo: () => meminfo(8 * 1024 * 1024, free),
        statfs: () => ({ bsize: 4096, blocks: 1000, bavail: 900, files: 1000, ffree: 900 }),
      },
      activePods: () => active,
      stats: async (pods) => new Map<string, PodStats>(pods.map((p) => [p.metadata.uid!, { memory: p === best ? 300 * Mi : 500 * Mi, containers: new Map([['c', p === best ? 300 * Mi : 500 * Mi]]) }])),
      evict: async (p, message, grace) => {
        evicted.push(`${p.metadata.name} ${grace} ${message}`);
        active = active.filter((x) => x !== p);
        return true;
      },
      event: (p, type, reason, message) => events.push(`${p.metadata.name} ${type} ${reason} ${message}`),
      onPressureChange: () => changes++,
      now: () => now,
      log: quietLogger,
    });
    return { m, evicted, events, setFree: (ki: number) => (free = ki), advance: (ms: number) => (now += ms), changes: () => changes };
  };

  it('no pressure: nothing evicted, no condition', async () => {
    const s = setup(4 * 1024 * 1024);
    assert.equal(await s.m.synchronize(), undefined);
    assert.deepEqual(s.m.pressure(), { MemoryPressure: false, DiskPressure: false });
    assert.equal(s.changes(), 0);
  });

  it('under the threshold: MemoryPressure, the BestEffort pod evicted alone with upstream\'s message and event', async () => {
    const s = setup(512 * 1024); // 512Mi free of 8Gi, no inactive file: available 512Mi < 1Gi
    const first = await s.m.synchronize();
    assert.equal(first?.metadata.name, 'best-effort');
    assert.deepEqual(s.m.pressure(), { MemoryPressure: true, DiskPressure: false });
    assert.equal(s.changes(), 1);
    const msg = 'The node was low on resource: memory. Threshold quantity: 1Gi, available: 512Mi. Container c was using 300Mi, request is 0, has larger consumption of memory. ';
    assert.deepEqual(s.evicted, [`best-effort 1 ${msg}`]);
    assert.deepEqual(s.events, [`best-effort Warning Evicted ${msg}`]);
    // Still under pressure next interval: the Guaranteed pod is next, within its request (no container part).
    await s.m.synchronize();
    assert.equal(s.evicted[1], 'guaranteed 1 The node was low on resource: memory. Threshold quantity: 1Gi, available: 512Mi. ');
  });

  it('the condition stays for the transition period after the threshold is no longer met', async () => {
    const s = setup(512 * 1024);
    await s.m.synchronize();
    s.setFree(4 * 1024 * 1024);
    s.advance(30_000);
    assert.equal(await s.m.synchronize(), undefined);
    assert.equal(s.m.pressure().MemoryPressure, true);
    s.advance(31_000);
    assert.equal(s.m.pressure().MemoryPressure, false);
  });

  it('admits as upstream\'s eviction manager: under memory pressure only non-BestEffort, tolerating or critical pods', async () => {
    const s = setup(4 * 1024 * 1024);
    const best = pod('be');
    const burstable = pod('bu', { memory: '64Mi' });
    burstable.spec!.containers[0]!.resources!.limits = {};
    const tolerating = pod('tol');
    tolerating.spec!.tolerations = [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }];
    const critical = pod('crit');
    critical.spec!.priority = 2_000_001_000;
    assert.equal(s.m.admit(best), undefined, 'no pressure: every pod');
    s.setFree(512 * 1024);
    await s.m.synchronize();
    assert.equal(s.m.admit(best), 'The node had condition: [MemoryPressure]. ');
    assert.equal(s.m.admit(burstable), undefined);
    assert.equal(s.m.admit(tolerating), undefined);
    assert.equal(s.m.admit(critical), undefined);
  });

  it('thresholdsMet compares the threshold with what is available (percent of capacity)', () => {
    const t = parseEvictionHard('nodefs.available<10%');
    assert.equal(thresholdsMet(t, { 'nodefs.available': { available: 99, capacity: 1000 } }).length, 1);
    assert.equal(thresholdsMet(t, { 'nodefs.available': { available: 100, capacity: 1000 } }).length, 0);
    assert.equal(thresholdsMet(t, {}).length, 0, 'no observation, no threshold met');
  });
});
