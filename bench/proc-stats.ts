/**
 * CPU and memory of another process, for benchmarks that meter a server or an agent they started.
 * CPU comes from /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU, per thread) rather than
 * /proc/<pid>/stat's utime + stime, which count 10 ms clock ticks: a round of a few hundred
 * milliseconds read in ticks is off by up to 5% either way, which is the size of the effects the
 * benches look for. Only live threads are summed; Node's threads (main, libuv pool, V8 platform)
 * live as long as the process, so a delta between two readings is exact. Where a process has no
 * schedstat (a kernel without it) the tick count is used instead.
 */
import { readdirSync, readFileSync } from 'node:fs';

function tickCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** CPU milliseconds (all threads) process `pid` has used so far. */
export function processCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns > 0 ? ns / 1e6 : tickCpuMs(pid);
}

/** Resident set size of process `pid`, in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}
