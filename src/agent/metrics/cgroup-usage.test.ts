import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cgroupLayoutOf, meminfoUsage, procStatCpuNs, readCgroupUsage } from './cgroup-usage.js';
import { nanoCores } from './resource-sampler.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

test('cgroup v2 (files in the kernel format): cpu from usage_usec, working set = memory.current - inactive_file', () => {
  const layout = cgroupLayoutOf(readFileSync(join(testdata, 'cgroup-v2', 'mountinfo'), 'utf8'));
  assert.deepEqual(layout, { unified: '/sys/fs/cgroup' });
  const root = { unified: join(testdata, 'cgroup-v2') };
  const pod = readCgroupUsage(root, '/bosun/pod1234');
  assert.deepEqual(pod, { cpuNs: 2_500_123_000, memoryUsage: 60_317_696, workingSet: 60_317_696 - 5_312_512, rss: 52_953_088 });
  // inactive_file above the usage (page cache charged, then partly uncharged): floored at 0 as cadvisor does.
  const c = readCgroupUsage(root, '/bosun/pod1234/c0ffee');
  assert.equal(c?.workingSet, 0);
  assert.equal(c?.cpuNs, 2_400_000_000);
  assert.equal(readCgroupUsage(root, '/bosun/pod-gone'), undefined);
});

test('a hybrid v1 host reads the v1 cpuacct and memory hierarchies, not the empty unified one', () => {
  const layout = cgroupLayoutOf(readFileSync(join(testdata, 'mountinfo-v1-hybrid'), 'utf8'));
  assert.deepEqual(layout, { unified: '/sys/fs/cgroup/unified', cpuacct: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory' });
});

test('cgroup v1 live: this host root cgroup, working set = usage_in_bytes - total_inactive_file', (t) => {
  const layout = cgroupLayoutOf(readFileSync('/proc/self/mountinfo', 'utf8'));
  if (!layout.memory || !layout.cpuacct) return t.skip('not a cgroup v1 host');
  const u = readCgroupUsage(layout, '/');
  assert.ok(u?.cpuNs && u.cpuNs > 0);
  assert.ok(u.memoryUsage !== undefined && u.workingSet !== undefined && u.workingSet <= u.memoryUsage);
});

test('node figures: /proc/stat busy jiffies (USER_HZ 100) and /proc/meminfo working set', () => {
  assert.equal(procStatCpuNs('cpu  100 20 30 5000 40 1 2 3 0 0\ncpu0 1 2 3\n'), (100 + 20 + 30 + 1 + 2 + 3) * 1e7);
  const mem = meminfoUsage('MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    500 kB\nInactive(file):  100 kB\n');
  assert.deepEqual(mem, { usage: 800 * 1024, workingSet: 700 * 1024, available: 500 * 1024 });
});

test('CPU rate: nanocores between two cumulative samples; none without a previous one or after a reset', () => {
  const t0 = new Date(0);
  const t1 = new Date(10_000);
  assert.equal(nanoCores(1e9, t0, 6e9, t1), 500_000_000); // 5 s of CPU in 10 s: half a core
  assert.equal(nanoCores(undefined, undefined, 6e9, t1), undefined);
  assert.equal(nanoCores(6e9, t0, 1e9, t1), undefined);
});
