/**
 * The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished): a Job with
 * spec.ttlSecondsAfterFinished is deleted (foreground, so its pods go first; precondition on the
 * resourceVersion checked) that many seconds after its Complete or Failed condition's transition.
 * Before deleting it re-reads the Job, so a TTL changed meanwhile is honoured.
 */
import type { Job as ApiJob } from '../../api/kinds/batch/job.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';

/** When `job` expires (epoch ms), or undefined if it has no TTL or has not finished. */
export function expiresAt(job: Readonly<ApiJob>): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || job.metadata.deletionTimestamp) return undefined;
  const done = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return undefined;
  const at = Date.parse(done.lastTransitionTime ?? '');
  // A finished Job without a transition time expires counting from now (upstream: the controller's clock).
  return (Number.isNaN(at) ? Date.now() : at) + ttl * 1000;
}

export function addTtlAfterFinishedController(mgr: Manager): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const jobs = mgr.informers.informerFor<ApiJob>(resources.jobs);
  const client = mgr.client;
  return mgr
    .controller('ttl-after-finished')
    .for(resources.jobs)
    .complete(async (req) => {
      const cached = jobs.indexer.get(`${req.namespace}/${req.name}`);
      if (!cached) return;
      const at = expiresAt(cached);
      if (at === undefined) return;
      const left = at - clock.now();
      if (left > 0) return { requeueAfter: left };
      const api = client.resource<ApiJob>(resources.jobs, req.namespace);
      let fresh: ApiJob;
      try {
        fresh = await api.get(req.name);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const freshAt = expiresAt(fresh);
      if (freshAt === undefined) return;
      if (freshAt > clock.now()) return { requeueAfter: freshAt - clock.now() };
      try {
        await api.delete(req.name, { propagationPolicy: 'Foreground', preconditions: { resourceVersion: fresh.metadata.resourceVersion } });
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) return { requeue: true };
        throw err;
      }
    });
}
