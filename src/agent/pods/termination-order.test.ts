import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { TerminationOrder } from './termination-order.js';

/** Upstream kuberuntime_termination_order.go: sidecars wait for the app and for later sidecars. */

const pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: {
    initContainers: [{ name: 'a', image: 'i', restartPolicy: 'Always' }, { name: 'setup', image: 'i' }, { name: 'b', image: 'i', restartPolicy: 'Always' }],
    containers: [{ name: 'main', image: 'i' }, { name: 'helper', image: 'i' }],
  },
} as Pod;
const all = new Set(['a', 'b', 'main', 'helper']);

/** Starts every container's turn at once and returns the names in the order their turn came. */
async function turns(order: TerminationOrder, names: string[], grace: number, stop: (name: string) => void = (n) => order.containerTerminated(n)): Promise<string[]> {
  const seen: string[] = [];
  await Promise.all(names.map(async (n) => {
    await order.waitForTurn(n, grace);
    seen.push(n);
    stop(n);
  }));
  return seen;
}

describe('TerminationOrder', () => {
  it('regular containers go at once, then sidecars in reverse declaration order', async () => {
    assert.deepEqual(await turns(new TerminationOrder(pod, all), ['a', 'b', 'main', 'helper'], 30), ['main', 'helper', 'b', 'a']);
  });

  it('containers that are not running are not waited on', async () => {
    const order = new TerminationOrder(pod, new Set(['a']));
    assert.equal(await order.waitForTurn('a', 30) < 1, true);
  });

  it('non-sidecar init containers never wait', async () => {
    const order = new TerminationOrder(pod, all);
    assert.equal(await order.waitForTurn('setup', 30), 0);
    assert.equal(await order.waitForTurn('main', 30), 0);
  });

  it('a sidecar stops waiting when the grace period runs out', async () => {
    const order = new TerminationOrder(pod, all);
    // main never reports terminated: b's turn comes only when its 1 s grace period is over.
    const waited = await order.waitForTurn('b', 1);
    assert.ok(waited >= 0.9, `waited ${waited}s`);
  });

  it('no grace period: no waiting', async () => {
    assert.equal(await new TerminationOrder(pod, all).waitForTurn('a', 0), 0);
  });
});
