/**
 * The horizontal pod autoscaler controller (upstream pkg/controller/podautoscaler/horizontal.go,
 * reconcileAutoscaler): level-triggered, each HPA reconciled on its own every sync period (15 s as
 * --horizontal-pod-autoscaler-sync-period) and on its own changes. A pass reads the target through
 * its scale subresource (any kind that has one), the selected pods from the cache and their
 * metrics.k8s.io PodMetrics through the API, computes the desired replicas (compute.ts,
 * replica-calculator.ts), applies min/max and the stabilization and rate rules (behavior.ts),
 * writes the scale and the status, and records SuccessfulRescale / Failed* events.
 *
 * Every HPA event enqueues its key one sync period later, as upstream's enqueueHPA does through
 * AddRateLimited with the fixed-interval HPA rate limiter (a key already waiting keeps its earlier
 * time): the controller's own status write must not start another pass at once, which would apply
 * the scale-up limit twice within one period.
 */
import type { HorizontalPodAutoscaler, HpaMetricStatus, Pod } from '../../api/kinds/index.js';
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../../api/selectors/index.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { keyOf } from '../../controller-runtime/informer/keys.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';
import type { Scale } from '../../client/index.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';
import { ScalingHistory } from './behavior.js';
import { computeReplicasForMetrics } from './compute.js';
import { getExternalMetric, getObjectCustomMetric, getPodsCustomMetric } from './custom-metrics.js';
import { setCondition } from './conditions.js';
import { HpaSelectors } from './hpa-selectors.js';
import { getResourceMetric } from './metrics.js';
import { DEFAULT_CALCULATOR_OPTIONS, type CalculatorOptions } from './replica-calculator.js';

export interface HpaControllerOptions extends Partial<CalculatorOptions> {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodMs?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min): the window of HPAs without behavior. */
  downscaleStabilizationMs?: number;
  /** --concurrent-horizontal-pod-autoscaler-syncs (5). */
  workers?: number;
}

export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;

export function addHorizontalPodAutoscalerController(mgr: Manager, opts: HpaControllerOptions = {}): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const hpas = mgr.informers.informerFor<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers);
  const pods = mgr.informers.informerFor<Pod>(resources.pods);
  const recorder = mgr.eventRecorder('horizontal-pod-autoscaler');
  const client = mgr.client;
  const syncPeriod = opts.syncPeriodMs ?? DEFAULT_HPA_SYNC_PERIOD_MS;
  const calc: CalculatorOptions = { ...DEFAULT_CALCULATOR_OPTIONS, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => k in DEFAULT_CALCULATOR_OPTIONS && v !== undefined)) };
  const history = new ScalingHistory(opts.downscaleStabilizationMs);
  const selectors = new HpaSelectors();

  const controller = mgr
    .controller('horizontal-pod-autoscaler')
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(async (req) => {
      const key = `${req.namespace}/${req.name}`;
      const cached = hpas.indexer.get(key);
      if (!cached) {
        history.forget(key);
        return;
      }
      const hpa = structuredClone(cached);
      const original = structuredClone(hpa.status);
      const now = clock.now();
      const warn = (reason: string, message: string) => recorder.event(hpa, 'Warning', reason, message);
      const ref = hpa.spec!.scaleTargetRef;
      const writeStatus = async (): Promise<void> => {
        if (JSON.stringify(original) === JSON.stringify(hpa.status)) return; // updateStatusIfNeeded
        try {
          await client.resource<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers, req.namespace).updateStatus(hpa);
        } catch (err) {
          if (!isConflict(err) && !isNotFound(err)) throw err;
        }
      };

      let target: ResourceRef;
      let scale: Scale;
      try {
        target = await client.resolve(ref.apiVersion ?? '', ref.kind);
        scale = await client.getSubresource<Scale>(target, req.namespace, ref.name, 'scale');
      } catch (err) {
        const msg = (err as Error).message;
        warn('FailedGetScale', msg);
        setCondition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`, now);
        await writeStatus();
        return { requeueAfter: syncPeriod };
      }
      setCondition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale", now);
      const current = scale.spec?.replicas ?? 0;
      history.recordInitial(key, current, now);

      const min = hpa.spec!.minReplicas ?? 1;
      const max = hpa.spec!.maxReplicas;
      let desired = 0;
      let reason = '';
      let rescale = true;
      let statuses: HpaMetricStatus[] = []; // upstream's nil: outside the metric branch currentMetrics is cleared
      if (current === 0 && min !== 0) {
        rescale = false;
        setCondition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', now);
      } else if (current > max) {
        reason = 'Current number of replicas above Spec.MaxReplicas';
        desired = max;
      } else if (current < min) {
        reason = 'Current number of replicas below Spec.MinReplicas';
        desired = min;
      } else {
        // validateAndParseSelector: a failure stops the pass as a failed computation, metrics cleared.
        const selectorText = scale.status?.selector ?? '';
        let selector: LabelSelector | undefined;
        let selectorError: string | undefined;
        if (!selectorText) {
          selectorError = 'selector is required';
          warn('SelectorRequired', selectorError);
          setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector", now);
        } else {
          try {
            selector = parseLabelSelector(selectorText);
          } catch (err) {
            selectorError = `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`;
            warn('InvalidSelector', selectorError);
            setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', selectorError, now);
          }
        }
        if (selector) {
          selectors.put(key, selector);
          const owners = selectors.controlling(pods.indexer.listNamespace(req.namespace).filter((p) => matchesLabels(selector!, p.metadata.labels ?? {})));
          if (owners.length > 1) {
            selectorError = `pods by selector ${selectorText} are controlled by multiple HPAs: [${owners.join(' ')}]`;
            warn('AmbiguousSelector', selectorError);
            setCondition(hpa, 'ScalingActive', 'False', 'AmbiguousSelector', selectorError, now);
          }
        }
        if (selectorError !== undefined || !selector) {
          setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, [], false, now);
          await writeStatus();
          warn('FailedComputeMetricsReplicas', selectorError ?? '');
          return { requeueAfter: syncPeriod };
        }
        const selected = () => pods.indexer.listNamespace(req.namespace).filter((p) => matchesLabels(selector, p.metadata.labels ?? {}));
        // specReplicas and statusReplicas as upstream: the scale's spec and its status (the per-pod targets' divisor).
        const computed = await computeReplicasForMetrics(hpa, current, scale.status?.replicas ?? 0, {
          pods: selected,
          resourceMetric: (resource, container) => getResourceMetric(client, resource, req.namespace!, selectorText, container),
          podsMetric: (name, metricSelector) => getPodsCustomMetric(client, req.namespace!, selectorText, name, metricSelector),
          objectMetric: (name, metricSelector, described) => getObjectCustomMetric(client, req.namespace!, described, name, metricSelector),
          externalMetric: (name, metricSelector) => getExternalMetric(client, req.namespace!, name, metricSelector),
        }, calc, now, warn);
        statuses = computed.statuses;
        if (computed.replicas === -1) {
          setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, statuses, false, now);
          await writeStatus();
          warn('FailedComputeMetricsReplicas', computed.error ?? '');
          return { requeueAfter: syncPeriod };
        }
        desired = computed.replicas;
        if (desired > current) reason = `${computed.metricName} above target`;
        if (desired < current) reason = 'All metrics below target';
        desired = hpa.spec!.behavior
          ? history.normalizeWithBehaviors(hpa, key, current, desired, min, now)
          : history.normalize(hpa, key, current, desired, min, now);
        rescale = desired !== current;
      }

      if (rescale) {
        try {
          // PUT of the Scale as read (its resourceVersion guards against a concurrent change), as upstream's Scales().Update.
          await client.updateSubresource(target, req.namespace, ref.name, 'scale', { ...scale, spec: { ...scale.spec, replicas: desired } });
        } catch (err) {
          const msg = (err as Error).message;
          recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
          setCondition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`, now);
          setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, statuses, false, now);
          await writeStatus();
          return { requeueAfter: syncPeriod };
        }
        setCondition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`, now);
        recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
        history.storeScaleEvent(hpa.spec!.behavior, key, current, desired, now);
      } else {
        desired = current;
      }
      setStatus(hpa, current, desired, statuses, rescale, now);
      await writeStatus();
      return { requeueAfter: syncPeriod };
    });

  const later = (o: Readonly<HorizontalPodAutoscaler>) => controller.enqueueAfter(keyOf(o), syncPeriod);
  hpas.addEventHandler({
    onAdd: (o) => {
      selectors.register(keyOf(o), o.metadata.namespace ?? '');
      later(o);
    },
    onUpdate: (_o, n) => {
      selectors.register(keyOf(n), n.metadata.namespace ?? '');
      later(n);
    },
    onDelete: (o) => {
      selectors.remove(keyOf(o));
      later(o);
    },
  });
  return controller;
}

/** setStatus: lastScaleTime moves on a rescale; conditions are kept as set during the pass. */
function setStatus(hpa: HorizontalPodAutoscaler, current: number, desired: number, metrics: HpaMetricStatus[], rescale: boolean, now: number): void {
  const prev = hpa.status;
  hpa.status = {
    currentReplicas: current, desiredReplicas: desired,
    ...(prev?.lastScaleTime ? { lastScaleTime: prev.lastScaleTime } : {}),
    ...(metrics.length ? { currentMetrics: metrics } : {}),
    ...(prev?.conditions ? { conditions: prev.conditions } : {}),
  };
  if (rescale) hpa.status.lastScaleTime = rfc3339Seconds(now);
}
