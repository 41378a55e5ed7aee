/**
 * Hard eviction thresholds as the kubelet takes them (pkg/kubelet/eviction/helpers.go
 * ParseThresholdConfig, `--eviction-hard`): `signal<quantity` or `signal<percent%` statements,
 * comma-separated. Defaults are upstream's (pkg/kubelet/apis/config/v1beta1/defaults_linux.go):
 * memory.available<100Mi, nodefs.available<10%, imagefs.available<15%, nodefs.inodesFree<5%.
 * Given statements replace the defaults as a whole (as upstream's map flag does); a zero threshold
 * (`memory.available<0`) turns that signal off.
 */
import { parseQuantity, Quantity } from '../../api/quantity/index.js';

export const SIGNALS = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree'] as const;
export type Signal = (typeof SIGNALS)[number];

/** The resource a signal's threshold reclaims (helpers.go signalToResource). */
export type Reclaimed = 'memory' | 'ephemeral-storage' | 'inodes';

export const SIGNAL_RESOURCE: Record<Signal, Reclaimed> = {
  'memory.available': 'memory',
  'nodefs.available': 'ephemeral-storage',
  'nodefs.inodesFree': 'inodes',
  'imagefs.available': 'ephemeral-storage',
  'imagefs.inodesFree': 'inodes',
};

/** The node condition a met threshold sets (helpers.go signalToNodeCondition). */
export const SIGNAL_CONDITION: Record<Signal, 'MemoryPressure' | 'DiskPressure'> = {
  'memory.available': 'MemoryPressure',
  'nodefs.available': 'DiskPressure',
  'nodefs.inodesFree': 'DiskPressure',
  'imagefs.available': 'DiskPressure',
  'imagefs.inodesFree': 'DiskPressure',
};

export interface Threshold {
  signal: Signal;
  /** An absolute amount (bytes, or inodes)... */
  quantity?: Quantity;
  /** ...or a fraction of capacity (0 < percentage <= 1). */
  percentage?: number;
}

export const DEFAULT_EVICTION_HARD = 'memory.available<100Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%';

/** Parses `--eviction-hard`; throws an Error naming the offending statement. */
export function parseEvictionHard(text: string): Threshold[] {
  const out: Threshold[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-zA-Z.]+)\s*<\s*(\S+)$/.exec(raw);
    if (!m) throw new Error(`invalid eviction threshold "${raw}": must be signal<quantity, e.g. memory.available<100Mi`);
    const signal = m[1] as Signal;
    if (!SIGNALS.includes(signal)) throw new Error(`unsupported eviction signal ${m[1]} (one of ${SIGNALS.join(', ')})`);
    if (out.some((t) => t.signal === signal)) throw new Error(`found duplicate eviction threshold for signal ${signal}`);
    const value = m[2]!;
    if (value.endsWith('%')) {
      const pct = Number(value.slice(0, -1));
      if (!Number.isFinite(pct) || pct < 0 || pct > 100) throw new Error(`eviction percentage threshold ${signal} must be between 0% and 100%: ${value}`);
      // As upstream's parseThresholdStatement: a zero threshold is no threshold (turns a default off).
      if (pct > 0) out.push({ signal, percentage: pct / 100 });
      continue;
    }
    let q: Quantity;
    try {
      q = parseQuantity(value);
    } catch {
      throw new Error(`invalid eviction threshold quantity ${value} for ${signal}`);
    }
    if (q.cmp(Quantity.fromValue(0)) < 0) throw new Error(`eviction threshold ${signal} must be positive: ${value}`);
    if (!q.isZero()) out.push({ signal, quantity: q });
  }
  return out;
}

/** The flag's check for the flag tables: the text as given, or the parse error. */
export function parseEvictionHardFlag(v: string): string | { error: string } {
  try {
    parseEvictionHard(v);
    return v;
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The threshold as an amount for a resource of `capacity` (evictionapi.GetThresholdQuantity). */
export function thresholdAmount(t: Threshold, capacity: number): number {
  if (t.quantity) return Number(t.quantity.value());
  return Math.floor(capacity * (t.percentage ?? 0));
}

/** How the threshold reads in messages: its quantity at `capacity`, in the binary form upstream prints. */
export function formatAmount(signal: Signal, n: number): string {
  return Quantity.fromValue(Math.max(0, Math.floor(n)), SIGNAL_RESOURCE[signal] === 'inodes' ? 'DecimalSI' : 'BinarySI').toString();
}

/**
 * What node allocatable keeps back for the hard thresholds (kubelet's GetNodeAllocatableReservation
 * adds memory.available and nodefs.available): bytes of memory, and storage as a fraction or bytes.
 */
export function evictionReserve(thresholds: readonly Threshold[], memoryCapacity: number): { memoryBytes: number; storageFraction?: number; storageBytes?: number } {
  const mem = thresholds.find((x) => x.signal === 'memory.available');
  const fs = thresholds.find((x) => x.signal === 'nodefs.available');
  return {
    memoryBytes: mem ? thresholdAmount(mem, memoryCapacity) : 0,
    ...(fs?.quantity ? { storageBytes: Number(fs.quantity.value()) } : { storageFraction: fs?.percentage ?? 0 }),
  };
}
