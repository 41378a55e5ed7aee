/**
 * What DefaultPreemption needs from the running scheduler (its plugin handle entries): the
 * profile's filters, the PodDisruptionBudgets (a shared informer), and the executor that carries a
 * decision out as upstream's prepareCandidate does: each victim gets the DisruptionTarget condition
 * (reason PreemptionByScheduler) and a Preempted event, then is deleted (its own grace period;
 * budgets only steer the choice, as upstream); the preemptor gets status.nominatedNodeName.
 * Runs outside the cycle; failures are logged and the preemptor simply tries again.
 */
import type { PodDisruptionBudget } from '../api/kinds/policy/pod-disruption-budget.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import type { SeriesEventRecorder } from '../controller-runtime/events/series-recorder.js';
import type { SharedInformerFactory } from '../controller-runtime/informer/index.js';
import type { Logger } from '../controller-runtime/log.js';
import type { FilterPlugin } from './framework/interface.js';
import type { PodInfo } from './framework/pod-info.js';
import type { Profile } from './framework/profile.js';
import type { PreemptFn } from './plugins/default-preemption/default-preemption.js';

export interface PreemptionDeps {
  client: KubeClient;
  informers: SharedInformerFactory;
  recorder: SeriesEventRecorder;
  log: Logger;
  now: () => number;
  profile: () => Profile;
}

export function preemptionHandle(d: PreemptionDeps): { filters: () => readonly FilterPlugin[]; pdbs: () => readonly PodDisruptionBudget[]; preempt: PreemptFn } {
  const pdbInformer = d.informers.informerFor<PodDisruptionBudget>(resources.poddisruptionbudgets);
  const preempt: PreemptFn = (preemptor, nodeName, victims) => {
    void run(preemptor, nodeName, victims).catch((err) => d.log.warn({ err: String(err), pod: preemptor.key }, 'preemption failed'));
  };
  const run = async (preemptor: PodInfo, nodeName: string, victims: readonly PodInfo[]) => {
    const schedulerName = d.profile().schedulerName;
    const at = new Date(d.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    await Promise.all(victims.map(async (v) => {
      const m = v.pod.metadata;
      const pods = d.client.pods(m.namespace);
      const condition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: at };
      try {
        await pods.patchStatus(m.name!, 'strategic', { status: { conditions: [condition] } });
        await pods.delete(m.name!, { preconditions: { uid: m.uid } });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      d.recorder.event(v.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.pod.metadata.uid} on node ${nodeName}`, { action: 'Preempting', related: preemptor.pod });
    }));
    const pm = preemptor.pod.metadata;
    if (preemptor.pod.status?.nominatedNodeName !== nodeName) {
      await d.client.pods(pm.namespace).patchStatus(pm.name!, 'merge', { status: { nominatedNodeName: nodeName } });
    }
  };
  return { filters: () => d.profile().filter, pdbs: () => pdbInformer.indexer.list(), preempt };
}
