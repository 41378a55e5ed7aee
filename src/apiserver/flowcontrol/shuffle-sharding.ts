/**
 * A flow's hand of queues, as kube-apiserver's API Priority and Fairness deals it: the flow
 * (FlowSchema name, distinguisher) is hashed as apf_controller.go's hashFlowID (SHA-256 of
 * `fsName \0 distinguisher`, the first 8 bytes little-endian), and the hash shuffles the deck of a
 * level's queues and deals `handSize` distinct cards as shufflesharding.go's Dealer.Deal (successive
 * remainders of the 64-bit hash by deckSize, deckSize-1, ..., each then shifted past the cards dealt
 * before it). The same flow always gets the same hand; two flows rarely share a whole hand.
 * Dealing costs BigInt arithmetic, so callers keep the hand per flow (apf-limiter.ts's decision cache).
 */
import { createHash } from 'node:crypto';

/** The distinguisher of a request by its FlowSchema's distinguisherMethod (apf_controller.go computeFlowDistinguisher). */
export function flowDistinguisher(method: string | undefined, user: string, namespace: string): string {
  return method === 'ByUser' ? user : method === 'ByNamespace' ? namespace : '';
}

/** hashFlowID: the flow's 64-bit hash. */
export function hashFlowId(fsName: string, distinguisher: string): bigint {
  const sum = createHash('sha256').update(fsName).update('\0').update(distinguisher).digest();
  return sum.readBigUInt64LE(0);
}

/** Dealer.Deal: `handSize` distinct queue indices in [0, deckSize), in the order dealt. */
export function dealHand(hash: bigint, deckSize: number, handSize: number): number[] {
  const n = Math.min(handSize, deckSize);
  const remainders: number[] = [];
  let h = hash;
  for (let i = 0; i < n; i++) {
    const d = BigInt(deckSize - i);
    remainders.push(Number(h % d));
    h /= d;
  }
  const hand: number[] = [];
  for (let i = 0; i < n; i++) {
    let card = remainders[i]!;
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]!) card++;
    hand.push(card);
  }
  return hand;
}
