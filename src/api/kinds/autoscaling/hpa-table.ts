/**
 * `kubectl get hpa` columns and cells, as upstream v1.32's printHorizontalPodAutoscaler and
 * formatHPAMetrics (pkg/printers/internalversion/printers.go): REFERENCE `Kind/name`, TARGETS such as
 * `cpu: 42%/50%` (at most two metrics, then `+ N more...`), MINPODS `<unset>` when absent.
 */
import { parseQuantity } from '../../quantity/index.js';
import type { TableColumn } from '../../resource.js';
import { col } from '../../table/columns.js';
import type { HorizontalPodAutoscaler, HpaMetricSpec, HpaMetricStatus } from './horizontal-pod-autoscaler-schema.js';

export const hpaColumns: TableColumn[] = [
  col('Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
  col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.'),
  col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'),
  col('MaxPods', 'integer', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.'),
  col('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
];

/** Quantity.String(): the canonical form ("250m", "64Mi"); a value that does not parse is shown as given. */
function q(v: string | number | undefined): string {
  if (v === undefined) return '<nil>';
  try {
    return parseQuantity(String(v)).toString();
  } catch {
    return String(v);
  }
}

const UNKNOWN = '<unknown>';

function formatOne(spec: HpaMetricSpec, status: HpaMetricStatus | undefined): string {
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const src = spec.type === 'External' ? spec.external : spec.object;
      const cur = spec.type === 'External' ? status?.external : status?.object;
      if (src?.target?.averageValue !== undefined) {
        const current = cur?.current?.averageValue !== undefined ? q(cur.current.averageValue) : UNKNOWN;
        return `${current}/${q(src.target.averageValue)} (avg)`;
      }
      return `${cur ? q(cur.current?.value) : UNKNOWN}/${q(src?.target?.value)}`;
    }
    case 'Pods':
      return `${status?.pods ? q(status.pods.current?.averageValue) : UNKNOWN}/${q(spec.pods?.target?.averageValue)}`;
    case 'Resource':
    case 'ContainerResource': {
      const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const cur = spec.type === 'Resource' ? status?.resource : status?.containerResource;
      const name = src?.name ?? '';
      if (src?.target?.averageValue !== undefined) {
        return `${name}: ${cur ? q(cur.current?.averageValue) : UNKNOWN}/${q(src.target.averageValue)}`;
      }
      const current = cur?.current?.averageUtilization !== undefined ? `${cur.current.averageUtilization}%` : UNKNOWN;
      const target = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
      return `${name}: ${current}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

/** formatHPAMetrics: statuses are matched to specs by position, as upstream. */
export function formatHpaMetrics(specs: HpaMetricSpec[] | undefined, statuses: HpaMetricStatus[] | undefined): string {
  if (!specs || specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => formatOne(spec, statuses?.[i]));
  const maximum = 2;
  if (list.length <= maximum) return list.join(', ');
  return `${list.slice(0, maximum).join(', ')} + ${list.length - maximum} more...`;
}

export function hpaCells(hpa: HorizontalPodAutoscaler): unknown[] {
  const ref = hpa.spec?.scaleTargetRef;
  return [
    `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
    formatHpaMetrics(hpa.spec?.metrics, hpa.status?.currentMetrics),
    hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
    hpa.spec?.maxReplicas ?? 0,
    hpa.status?.currentReplicas ?? 0,
  ];
}
