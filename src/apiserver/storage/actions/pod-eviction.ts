/**
 * pods/eviction (POST a policy/v1 Eviction), as upstream's EvictionREST.Create: terminal, pending
 * and terminating pods are deleted at once; a pod under one PodDisruptionBudget is deleted only
 * after one of the budget's disruptions is spent (the budget's status written with optimistic
 * concurrency, retried on conflict), else 429 TooManyRequests with a DisruptionBudget cause; more
 * than one budget answers 500. Before the delete the pod gets the DisruptionTarget condition
 * (reason EvictionByEvictionAPI). The decisions are in eviction-decision.ts. Dynamically admitted
 * as a CREATE of pods/eviction with the policy/v1 Eviction as object (webhooks that block
 * evictions); the pod's condition write and delete are not admitted, as upstream's.
 */
import { pods as podDef, type Pod } from '../../../api/kinds/core/pod.js';
import { podDisruptionBudgets as budgetDef, type PodDisruptionBudget } from '../../../api/kinds/policy/pod-disruption-budget.js';
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { errors, successStatus, type Status } from '../../../api/status.js';
import { asKind } from '../codec.js';
import { isStatusError } from '../errors.js';
import type { GenericStorage } from '../generic-storage.js';
import type { ActionSubresource, DeleteOptions, RequestContext } from '../types.js';
import { admitAction } from './action-admission.js';
import { budgetBeingProcessed, budgetsFor, budgetVerdict, canIgnorePDB, checkAndDecrement, shouldEnforceResourceVersion } from './eviction-decision.js';

/** EvictionsRetry: conflicts on the pod or the budget are retried this many times. */
const RETRIES = 5;

/** The condition the eviction API (and scheduler preemption, with its own reason) puts on a pod it deletes. */
export const DISRUPTION_TARGET = 'DisruptionTarget';

export class PodEviction implements ActionSubresource {
  readonly resource = 'pods';
  readonly subresource = 'eviction';
  readonly admittedAs: ResourceDefinition;

  constructor(private readonly pods: GenericStorage, private readonly budgets?: GenericStorage) {
    this.admittedAs = pods.def;
  }

  async create(rctx: RequestContext, namespace: string | undefined, name: string, posted: KubeObject): Promise<Status> {
    const { object: body, validate, ctx } = await admitAction(rctx, 'policy/v1', 'Eviction', 'eviction', namespace, name, posted);
    // EvictionREST.Create: the Eviction names the pod of the URL (an empty name does not).
    if ((body?.metadata?.name ?? '') !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
    await validate();
    const { dryRun: bodyDryRun, ...rest } = (body?.deleteOptions ?? {}) as DeleteOptions & { dryRun?: string[] };
    const opts: DeleteOptions = rest;
    // propagateDryRun: the request's dryRun, or the Eviction's own deleteOptions.dryRun.
    const dryRun = ctx.dryRun || (bodyDryRun ?? []).includes('All');
    const dctx: RequestContext = { ...ctx, dryRun };
    const rvUnset = !opts.preconditions?.resourceVersion;

    let pod: Pod | undefined;
    for (let attempt = 0; ; attempt++) {
      pod = asKind(podDef, await this.pods.get(dctx, namespace, name));
      if (!canIgnorePDB(pod)) break;
      const o = shouldEnforceResourceVersion(pod) && rvUnset ? withRv(opts, pod.metadata.resourceVersion!) : opts;
      try {
        await this.markAndDelete(dctx, pod, o);
        return success();
      } catch (err) {
        if (!isStatusError(err, 409) || !rvUnset || attempt >= RETRIES) throw err;
      }
    }

    const all = this.budgets ? (await this.budgets.list(dctx, namespace, {})).items.map((o) => asKind(budgetDef, o)) : [];
    const verdict = budgetVerdict(pod, budgetsFor(pod, all));
    if (verdict.kind === 'multiple') {
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 };
    }
    if (verdict.kind === 'decrement') await this.spendDisruption(dctx, verdict.pdb, pod.metadata.name!);
    const o = verdict.kind === 'unhealthy' ? withRv(opts, pod.metadata.resourceVersion!) : opts;
    try {
      await this.markAndDelete(dctx, pod, o);
    } catch (err) {
      // The unready pod changed (it may be ready now): the client should retry.
      if (isStatusError(err, 409) && verdict.kind === 'unhealthy' && rvUnset) throw budgetBeingProcessed(verdict.pdb.metadata.name!);
      throw err;
    }
    return success();
  }

  /** checkAndDecrement under optimistic concurrency: a conflicting write re-reads the budget and decides again. */
  private async spendDisruption(ctx: RequestContext, pdb: PodDisruptionBudget, podName: string): Promise<void> {
    const budgets = this.budgets!;
    let cur = pdb;
    for (let attempt = 0; ; attempt++) {
      const next = checkAndDecrement(cur, podName, new Date(), ctx.dryRun);
      if (ctx.dryRun) return;
      try {
        await budgets.update(ctx, cur.metadata.namespace, cur.metadata.name!, next, 'status');
        return;
      } catch (err) {
        if (!isStatusError(err, 409)) throw err;
        if (attempt >= RETRIES) throw errors.timeout(`couldn't update PodDisruptionBudget "${cur.metadata.name}" due to conflicts`);
        cur = asKind(budgetDef, await budgets.get(ctx, cur.metadata.namespace, cur.metadata.name!));
      }
    }
  }

  /** addConditionAndDeletePod: DisruptionTarget on the pod's status (not on a dry run), then the delete. */
  private async markAndDelete(ctx: RequestContext, pod: Pod, opts: DeleteOptions): Promise<void> {
    let o = opts;
    if (!ctx.dryRun) {
      const pre = opts.preconditions;
      const ns = pod.metadata.namespace;
      const target = { kind: 'Pod', resource: 'pods', name: pod.metadata.name };
      if (pre?.uid && pre.uid !== pod.metadata.uid) {
        throw errors.conflict(target, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
        throw errors.conflict(target, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
      }
      const condition = { type: DISRUPTION_TARGET, status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      const patch = { metadata: pre?.resourceVersion ? { resourceVersion: pre.resourceVersion } : {}, status: { conditions: [condition] } };
      const { object } = await this.pods.patch(ctx, ns, pod.metadata.name!, { type: 'strategic', body: patch }, 'status');
      // The condition write moved the version; a resourceVersion precondition follows it.
      if (pre?.resourceVersion) o = withRv(opts, object.metadata.resourceVersion!);
    }
    await this.pods.delete(ctx, pod.metadata.namespace, pod.metadata.name!, o);
  }
}

function withRv(opts: DeleteOptions, resourceVersion: string): DeleteOptions {
  return { ...opts, preconditions: { ...opts.preconditions, resourceVersion } };
}

function success(): Status {
  return { ...successStatus(), code: 201 };
}
