/**
 * What a PriorityLevelConfiguration's spec asks of its level, read as kube-apiserver's
 * apf_controller.go reads it (absent fields take the API defaults): its queuing, and its share of the
 * server's concurrency limit with what it may lend and borrow. Pure; the limiter (apf-limiter.ts)
 * applies the results.
 */
import type { PriorityLevelConfiguration } from '../../api/kinds/flowcontrol/priority-level-configuration.js';
import type { QueuingConfig } from './queue-set.js';

export type LevelSpec = NonNullable<PriorityLevelConfiguration['spec']>;

const num = (v: number | undefined, dflt: number): number => (typeof v === 'number' ? v : dflt);

/** Exempt, Reject (no queues), or shuffle-sharded queues (default 64 queues, hands of 8, 50 deep). */
export function queuingConfigOf(spec: LevelSpec): QueuingConfig {
  const q = spec.limited?.limitResponse?.queuing;
  return spec.type === 'Exempt' ? { queues: -1, handSize: 0, queueLengthLimit: 0 }
    : spec.limited?.limitResponse?.type === 'Reject' || !q ? { queues: 0, handSize: 0, queueLengthLimit: 0 }
      : { queues: num(q.queues, 64), handSize: num(q.handSize, 8), queueLengthLimit: num(q.queueLengthLimit, 50) };
}

/** nominalConcurrencyShares: default 30 for a Limited level, 0 for an Exempt one. */
export function sharesOf(s: LevelSpec): number {
  return s.type === 'Exempt' ? num(s.exempt?.nominalConcurrencyShares, 0) : num(s.limited?.nominalConcurrencyShares, 30);
}

/**
 * The level's seats out of the server's `serverCL`, `shareSum` being all levels' shares:
 * nominalCL = ceil(serverCL * shares / shareSum); lendableCL and borrowingCL from lendablePercent and
 * borrowingLimitPercent of it (no borrowingLimitPercent: up to the whole server).
 */
export function limitsOf(s: LevelSpec, serverCL: number, shareSum: number): { nominal: number; lendable: number; borrowing: number } {
  const nominal = shareSum > 0 ? Math.ceil(serverCL * sharesOf(s) / shareSum) : 0;
  const lendable = Math.round(nominal * num(s.type === 'Exempt' ? s.exempt?.lendablePercent : s.limited?.lendablePercent, 0) / 100);
  const borrowingPercent = s.limited?.borrowingLimitPercent;
  const borrowing = typeof borrowingPercent === 'number' ? Math.round(nominal * borrowingPercent / 100) : serverCL;
  return { nominal, lendable, borrowing };
}
