/**
 * PodTopologySpread's default constraints (upstream podtopologyspread/plugin.go and
 * helper/spread.go): pods with no topologySpreadConstraints of their own are spread by the
 * plugin's defaults, with the selector taken from the Services, ReplicationController, ReplicaSet
 * or StatefulSet that select the pod. `defaultingType: System` (the default) uses the cluster-level
 * system defaults, hostname maxSkew 3 and zone maxSkew 5, both ScheduleAnyway; `List` uses the
 * args' `defaultConstraints`.
 */
import type { TopologySpreadConstraint } from '../../../api/kinds/core/affinity.js';
import { labelSelectorFromObject, newRequirement, type LabelRequirement, type LabelSelector, type LabelSelectorObject } from '../../../api/selectors/index.js';
import type { Pod } from '../../framework/types.js';
import { LABEL_HOSTNAME, LABEL_ZONE } from '../../framework/types.js';

/** upstream systemDefaultConstraints, in its order. */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

type StringMap = Record<string, string> | null | undefined;

/** What the default selector reads (the scheduler's informers; upstream's listers). */
export interface SpreadListers {
  services(namespace: string): readonly { spec?: { selector?: StringMap } }[];
  replicationController(namespace: string, name: string): { spec?: { selector?: StringMap } } | undefined;
  replicaSet(namespace: string, name: string): { spec?: { selector?: LabelSelectorObject | null } } | undefined;
  statefulSet(namespace: string, name: string): { spec?: { selector?: LabelSelectorObject | null } } | undefined;
}

/** PodTopologySpreadArgs: the plugin's default constraints. */
export interface SpreadDefaults {
  constraints: readonly TopologySpreadConstraint[];
  /** defaultingType System: nodes without a zone still get hostname spreading (scoring.ts). */
  systemDefaulted: boolean;
}

/** Reads PodTopologySpreadArgs (defaultingType System by default), rejecting what upstream's validation rejects. */
export function spreadDefaultsFromArgs(args: Record<string, unknown>): SpreadDefaults {
  const type = (args.defaultingType as string | undefined) ?? 'System';
  const list = (args.defaultConstraints as TopologySpreadConstraint[] | undefined) ?? [];
  if (type === 'System') {
    if (list.length > 0) throw new Error('PodTopologySpread: defaultingType: Invalid value: "System": when .defaultConstraints are not empty');
    return { constraints: SYSTEM_DEFAULT_CONSTRAINTS, systemDefaulted: true };
  }
  if (type !== 'List') throw new Error(`PodTopologySpread: defaultingType: Unsupported value: "${type}": supported values: "List", "System"`);
  for (const c of list) {
    if (c.labelSelector) throw new Error('PodTopologySpread: defaultConstraints.labelSelector: Forbidden: constraint must not define a selector, as it is deduced for each pod');
  }
  return { constraints: list, systemDefaulted: false };
}

const equals = (set: Record<string, string>): LabelRequirement[] => Object.keys(set).sort().map((k) => newRequirement(k, '=', [set[k]!]));

/**
 * upstream helper.DefaultSelector: the selectors of the Services in the pod's namespace that select
 * it (a Service without a selector selects nothing), merged, and its controller's: a
 * ReplicationController's selector merged in, a ReplicaSet's or StatefulSet's requirements added.
 * Empty when nothing selects the pod (then no default constraint applies).
 */
export function defaultSelector(pod: Pod, listers: SpreadListers | undefined): LabelSelector {
  if (!listers) return { requirements: [] };
  const ns = pod.metadata.namespace ?? 'default';
  const labels = pod.metadata.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of listers.services(ns)) {
    const sel = svc.spec?.selector;
    if (!sel) continue;
    if (Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(set, sel);
  }
  let requirements = equals(set);
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
  if (!owner) return { requirements };
  const gvk = `${owner.apiVersion}/${owner.kind}`;
  const fromObject = (obj: LabelSelectorObject | null | undefined): LabelRequirement[] => {
    try {
      const s = labelSelectorFromObject(obj);
      return s.nothing ? [] : s.requirements;
    } catch {
      return []; // a selector that does not parse adds nothing (upstream ignores the error)
    }
  };
  if (gvk === 'v1/ReplicationController') {
    const rc = listers.replicationController(ns, owner.name);
    if (rc) requirements = equals({ ...set, ...(rc.spec?.selector ?? {}) });
  } else if (gvk === 'apps/v1/ReplicaSet') {
    const rs = listers.replicaSet(ns, owner.name);
    if (rs) requirements = [...requirements, ...fromObject(rs.spec?.selector)];
  } else if (gvk === 'apps/v1/StatefulSet') {
    const ss = listers.statefulSet(ns, owner.name);
    if (ss) requirements = [...requirements, ...fromObject(ss.spec?.selector)];
  }
  return { requirements };
}
