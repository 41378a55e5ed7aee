/**
 * The TTL-after-finished controller on an in-process API server with a FakeClock (as upstream's
 * ttlafterfinished_controller_test.go): a finished Job with ttlSecondsAfterFinished stays until the
 * TTL after its finish has passed on the controller's clock, then is deleted; a Job without a TTL,
 * or not finished, stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../api/kinds/batch/job.js';
import { isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import { startControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { addTtlAfterFinishedController, expiresAt } from './ttl-after-finished.js';

const eventually = eventuallyWith({ timeoutMs: 15_000, intervalMs: 50, retryErrors: true });

const job = (name: string, ttl?: number): Job => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
  spec: { ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}), template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
} as Job);

test('expiresAt: finish transition + TTL; undefined without a TTL or before finishing', () => {
  const done = { type: 'Complete', status: 'True', lastTransitionTime: '2026-03-01T10:00:00Z' };
  assert.equal(expiresAt({ ...job('a', 30), status: { conditions: [done] } }), Date.parse('2026-03-01T10:00:30Z'));
  assert.equal(expiresAt({ ...job('a'), status: { conditions: [done] } }), undefined);
  assert.equal(expiresAt(job('a', 30)), undefined);
});

test('a finished Job is deleted once its TTL has passed on the controller clock', async (t) => {
  const ns = `ttl-${Math.random().toString(36).slice(2, 8)}`;
  const clock = new FakeClock(Date.now());
  const env = await startControllerEnv({ namespace: ns, shareClient: true, add: addTtlAfterFinishedController, managerOptions: { clock } });
  t.after(() => env.stop());
  const jobs = env.client.resource<Job>(resources.jobs, ns);
  const finishedAt = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const finished = { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finishedAt }], completionTime: finishedAt, startTime: finishedAt, succeeded: 1 };
  for (const [name, ttl] of [['short', 100], ['keep', undefined]] as const) {
    const j = await jobs.create(job(name, ttl));
    await jobs.updateStatus({ ...j, status: finished });
  }
  await jobs.create(job('running', 0));
  // The status write and the controller's first look at it happen before the TTL is due.
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(await jobs.get('short'), 'not yet expired');
  clock.advance(101_000);
  // Deleted in the foreground: with no garbage collector running here the Job waits, marked, with
  // the foregroundDeletion finalizer (its pods would go first).
  const gone = await eventually(async () => {
    try {
      const j = await jobs.get('short');
      return j.metadata.deletionTimestamp ? j : false;
    } catch (err) {
      return isNotFound(err) ? 'gone' : false;
    }
  }, 'the expired Job deleted');
  if (gone !== 'gone') assert.deepEqual(gone.metadata.finalizers, ['foregroundDeletion']);
  assert.ok(await jobs.get('keep'), 'a Job without a TTL stays');
  assert.ok(await jobs.get('running'), 'an unfinished Job stays');
});
