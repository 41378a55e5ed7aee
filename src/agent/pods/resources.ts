import type { Container, Pod } from '../../api/kinds/index.js';
import { podQOSClass } from '../../api/pod-qos.js';
import { parseQuantity } from '../../api/quantity/index.js';
import type { LinuxResources } from '../runtime/types.js';

/**
 * Requests and limits as cgroup settings (kubelet's generateLinuxContainerResources on cgroup v1):
 * cpu request -> shares (1 CPU = 1024, minimum 2), cpu limit -> CFS quota over a 100 ms period
 * (minimum 1 ms), memory limit -> bytes; oom_score_adj by QoS class.
 */

const CPU_PERIOD = 100_000;

export function milliCPUToShares(milli: number): number {
  if (milli === 0) return 2;
  return Math.max(2, Math.floor((milli * 1024) / 1000));
}

export function milliCPUToQuota(milli: number, period = CPU_PERIOD): number {
  if (milli === 0) return 0;
  return Math.max(1000, Math.floor((milli * period) / 1000));
}

const milli = (v: string | number | undefined) => (v === undefined ? undefined : Number(parseQuantity(String(v)).milliValue()));
const bytes = (v: string | number | undefined) => (v === undefined ? undefined : Number(parseQuantity(String(v)).value()));

/** oom_score_adj as kubelet's GetContainerOOMScoreAdjust. */
export function oomScoreAdj(pod: Pod, c: Container, memoryCapacity: number): number {
  const qos = podQOSClass(pod);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const req = bytes(c.resources?.requests?.memory) ?? 0;
  const adj = 1000 - Math.floor((1000 * req) / Math.max(1, memoryCapacity));
  return Math.min(999, Math.max(2, adj));
}

export function linuxResources(pod: Pod, c: Container, memoryCapacity: number): LinuxResources {
  const r: LinuxResources = {};
  const cpuReq = milli(c.resources?.requests?.cpu);
  const cpuLim = milli(c.resources?.limits?.cpu);
  r.cpuShares = milliCPUToShares(cpuReq ?? cpuLim ?? 0);
  if (cpuLim !== undefined) {
    r.cpuPeriod = CPU_PERIOD;
    r.cpuQuota = milliCPUToQuota(cpuLim);
  }
  const memLim = bytes(c.resources?.limits?.memory);
  if (memLim !== undefined) r.memoryLimitInBytes = memLim;
  r.oomScoreAdj = oomScoreAdj(pod, c, memoryCapacity);
  return r;
}
