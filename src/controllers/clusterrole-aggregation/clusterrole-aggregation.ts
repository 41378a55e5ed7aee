/**
 * The ClusterRole aggregation controller (upstream pkg/controller/clusterroleaggregation): a
 * ClusterRole with an aggregationRule gets as its rules the union of the rules of every other
 * ClusterRole that one of its clusterRoleSelectors matches (in name order, each rule once), so
 * `admin`, `edit` and `view` pick up what labelled roles add. Any ClusterRole's change requeues
 * every aggregated role; a role whose rules are already the union is not written.
 */
import type { ClusterRole, PolicyRule } from '../../api/kinds/index.js';
import { labelSelectorFromObject } from '../../api/selectors/label-selector-object.js';
import { matchesLabels } from '../../api/selectors/label-selector.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';

/** The rules `role` aggregates from `all`, or undefined when it has no aggregationRule. */
export function aggregatedRules(role: Readonly<ClusterRole>, all: readonly Readonly<ClusterRole>[]): PolicyRule[] | undefined {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return undefined;
  const parsed = selectors.map((s) => labelSelectorFromObject(s));
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const other of [...all].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    if (other.metadata.name === role.metadata.name) continue;
    if (!parsed.some((sel) => matchesLabels(sel, other.metadata.labels ?? {}))) continue;
    for (const r of other.rules ?? []) {
      const key = JSON.stringify(r);
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(r);
    }
  }
  return rules;
}

export function addClusterRoleAggregationController(mgr: Manager): Controller {
  const roles = mgr.informers.informerFor<ClusterRole>(resources.clusterroles);
  const aggregated = (): string[] => roles.indexer.list().filter((r) => r.aggregationRule).map((r) => r.metadata.name!);
  return mgr.controller('clusterrole-aggregation')
    .for(resources.clusterroles)
    .watches(resources.clusterroles, () => aggregated())
    .complete(async (req) => {
      const role = roles.indexer.get(req.name);
      if (!role) return;
      const want = aggregatedRules(role, roles.indexer.list());
      if (!want || JSON.stringify(want) === JSON.stringify(role.rules ?? [])) return;
      try {
        await mgr.client.update(resources.clusterroles, undefined, { ...role, rules: want });
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) return { requeue: true };
        throw err;
      }
    });
}
