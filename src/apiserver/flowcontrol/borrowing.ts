/**
 * Seat borrowing between priority levels, as kube-apiserver's apf_controller.go
 * (updateBorrowingLocked) and conc_alloc.go (computeConcurrencyAllocation):
 * - each level integrates its seat demand (seats executing + seats waiting) over time
 *   (fairqueuing/integrator.go); every BORROWING_PERIOD_MS the period's average, standard deviation
 *   and high watermark update the level's stats, and `smoothed` becomes
 *   max(avg + stdDev, 0.977 * smoothed + 0.023 * (avg + stdDev)) (a half-life of 5 minutes);
 * - each level then gets a share of the sum of all nominal limits (nominalCLSum): its lower bound is
 *   max(minCL, min(nominalCL, highWatermark)) where minCL = nominalCL - lendableCL, its upper bound
 *   maxCL = nominalCL + borrowingCL, its target max(lower bound, smoothed); the allocation is the
 *   one fair proportion p with sum(clamp(p * target, lower, upper)) = nominalCLSum, each level's
 *   currentCL its allocation rounded. So an idle level lends what it may lend to busy ones, and a
 *   level never gets more than its borrowing limit allows.
 * The proportion is found by bisection (upstream walks the sorted bounds): the sum is monotone in
 * p and the result is rounded to whole seats, so both give the same limits.
 */

/** wait.Until(cfgCtlr.updateBorrowing, borrowingAdjustmentPeriod): 10 s. */
export const BORROWING_PERIOD_MS = 10_000;
const SMOOTHING = 0.977;
const MIN_TARGET = 0.001;
const EPSILON = 0.0000001;

/** The integral of a piecewise-constant value over time (integrator.go): average, deviation, maximum per period. */
export class Integrator {
  private x = 0;
  private last: number;
  private start: number;
  private sum = 0;
  private sumSq = 0;
  private max = 0;

  constructor(now: number) {
    this.last = this.start = now;
  }

  /** The value from `now` (ms) on. */
  set(x: number, now: number): void {
    this.advance(now);
    this.x = x;
    if (x > this.max) this.max = x;
  }

  /** Ends the period: its results, and a new period starting with the current value. */
  reset(now: number): { durationMs: number; average: number; deviation: number; max: number } {
    this.advance(now);
    const durationMs = now - this.start;
    const average = durationMs > 0 ? this.sum / durationMs : 0;
    const variance = durationMs > 0 ? this.sumSq / durationMs - average * average : 0;
    const out = { durationMs, average, deviation: Math.sqrt(Math.max(0, variance)), max: this.max };
    this.start = now;
    this.sum = this.sumSq = 0;
    this.max = this.x;
    return out;
  }

  private advance(now: number): void {
    const dt = now - this.last;
    if (dt > 0) {
      this.sum += this.x * dt;
      this.sumSq += this.x * this.x * dt;
    }
    this.last = now;
  }
}

/** seatDemandStats (apf_controller.go). */
export interface SeatDemandStats { avg: number; stdDev: number; highWatermark: number; smoothed: number }

export function updateStats(stats: SeatDemandStats, obs: ReturnType<Integrator['reset']>): void {
  stats.highWatermark = obs.max;
  if (obs.durationMs <= 0) return;
  stats.avg = obs.average;
  stats.stdDev = obs.deviation;
  const envelope = obs.average + obs.deviation;
  stats.smoothed = Math.max(envelope, SMOOTHING * stats.smoothed + (1 - SMOOTHING) * envelope);
}

export interface AllocItem { lowerBound: number; upperBound: number; target: number }

/**
 * computeConcurrencyAllocation: allocations summing to `requiredSum`, each within its bounds and
 * otherwise proportional to its target; throws when the bounds make that impossible (upstream then
 * keeps the current limits).
 */
export function allocate(requiredSum: number, items: readonly AllocItem[]): number[] {
  if (requiredSum < 0) throw new Error('negative sums are not supported');
  let lowSum = 0;
  let highSum = 0;
  let pLow = Infinity;
  let pHigh = 0;
  const targets = items.map((it, i) => {
    if (it.lowerBound < 0) throw new Error(`lower bound ${i} is negative`);
    if (it.target < it.lowerBound) throw new Error(`target ${i} is below its lower bound`);
    if (it.upperBound < it.lowerBound) throw new Error(`upper bound ${i} is below its lower bound`);
    const t = Math.max(it.target, MIN_TARGET);
    lowSum += it.lowerBound;
    highSum += it.upperBound;
    pLow = Math.min(pLow, it.lowerBound / t);
    pHigh = Math.max(pHigh, it.upperBound / t);
    return t;
  });
  if (lowSum - requiredSum > EPSILON) throw new Error(`lower bounds sum to ${lowSum}, more than ${requiredSum}`);
  if (requiredSum - highSum > EPSILON) throw new Error(`upper bounds sum to ${highSum}, less than ${requiredSum}`);
  if (requiredSum === 0) return items.map(() => 0);
  if (lowSum - requiredSum > -EPSILON) return items.map((it) => it.lowerBound);
  if (requiredSum - highSum > -EPSILON) return items.map((it) => it.upperBound);
  const at = (p: number): number[] => items.map((it, i) => Math.max(it.lowerBound, Math.min(it.upperBound, p * targets[i]!)));
  const sum = (p: number): number => at(p).reduce((a, b) => a + b, 0);
  let lo = pLow;
  let hi = pHigh;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (sum(mid) < requiredSum) lo = mid; else hi = mid;
  }
  return at((lo + hi) / 2);
}
