/**
 * InterPodAffinity (required terms): a pod goes only where its required pod affinity terms find
 * matching pods in the same topology domain, never where its anti-affinity terms find one, and never
 * where an existing pod's anti-affinity term would match it. Counts are taken once per cycle in
 * PreFilter, keyed by topology pair (`key=value`), so Filter is a few map lookups per node.
 * Score: scoring.ts (preferred terms both ways, and existing pods' required affinity, as upstream).
 */
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { termMatches, type AffinityTerm, type NamespaceLabels, type PodInfo } from '../../framework/pod-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import { Status } from '../../framework/status.js';
import { affinityScoring } from './scoring.js';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

const STATE_KEY = `PreFilter${NAME}`;

interface PreFilterState {
  /** Topology pairs where an existing pod's required anti-affinity term matches the incoming pod. */
  existingAntiAffinity: Map<string, number>;
  /** Topology pairs with pods matching the incoming pod's affinity / anti-affinity terms. */
  affinity: Map<string, number>;
  antiAffinity: Map<string, number>;
  /** The incoming pod matches all its own required affinity terms. */
  matchesOwnTerms: boolean;
}

const pair = (key: string, value: string) => `${key}\u0000${value}`;

function bump(m: Map<string, number>, node: NodeInfo, topologyKey: string): void {
  const v = node.node.metadata.labels?.[topologyKey];
  if (v !== undefined) m.set(pair(topologyKey, v), (m.get(pair(topologyKey, v)) ?? 0) + 1);
}

function countTerms(pod: PodInfo, snapshot: Snapshot, terms: AffinityTerm[], into: Map<string, number>): void {
  if (terms.length === 0) return;
  for (const node of snapshot.nodes) {
    for (const existing of node.pods) {
      for (const t of terms) if (termMatches(t, existing.pod, snapshot.namespaceLabels)) bump(into, node, t.topologyKey);
    }
  }
}

/** Every required affinity term of the pod matches the pod itself (the first replica of a group may go anywhere). */
function matchesOwnTerms(pod: PodInfo, namespaceLabels: NamespaceLabels): boolean {
  return pod.requiredAffinityTerms.every((t) => termMatches(t, pod.pod, namespaceLabels));
}

export function newInterPodAffinity(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    preFilter(state, pod, snapshot) {
      if (pod.parseError) return Status.error(new Error(`parsing pod: ${pod.parseError}`));
      const s: PreFilterState = { existingAntiAffinity: new Map(), affinity: new Map(), antiAffinity: new Map(), matchesOwnTerms: false };
      for (const node of snapshot.havePodsWithRequiredAntiAffinity()) {
        for (const existing of node.podsWithRequiredAntiAffinity) {
          for (const t of existing.requiredAntiAffinityTerms) if (termMatches(t, pod.pod, snapshot.namespaceLabels)) bump(s.existingAntiAffinity, node, t.topologyKey);
        }
      }
      if (s.existingAntiAffinity.size === 0 && pod.requiredAffinityTerms.length === 0 && pod.requiredAntiAffinityTerms.length === 0) {
        return Status.SKIP;
      }
      countTerms(pod, snapshot, pod.requiredAffinityTerms, s.affinity);
      s.matchesOwnTerms = matchesOwnTerms(pod, snapshot.namespaceLabels);
      countTerms(pod, snapshot, pod.requiredAntiAffinityTerms, s.antiAffinity);
      state.write(STATE_KEY, s);
      return Status.SUCCESS;
    },
    filter(state, pod, node) {
      const s = state.read<PreFilterState>(STATE_KEY);
      const labels = node.node.metadata.labels ?? {};
      if (pod.requiredAffinityTerms.length) {
        let ok = true;
        for (const t of pod.requiredAffinityTerms) {
          const v = labels[t.topologyKey];
          if (v === undefined || !(s.affinity.get(pair(t.topologyKey, v))! > 0)) ok = false;
        }
        // No pod anywhere matches the terms but the pod matches them itself: allowed on nodes that
        // have the topology labels, so a group with self-affinity can start (upstream behaviour).
        if (!ok && !(s.affinity.size === 0 && s.matchesOwnTerms && pod.requiredAffinityTerms.every((t) => labels[t.topologyKey] !== undefined))) {
          return Status.unresolvable(ERR_REASON_AFFINITY);
        }
      }
      for (const t of pod.requiredAntiAffinityTerms) {
        const v = labels[t.topologyKey];
        if (v !== undefined && s.antiAffinity.get(pair(t.topologyKey, v))! > 0) return Status.unschedulable(ERR_REASON_ANTI_AFFINITY);
      }
      if (s.existingAntiAffinity.size) {
        for (const k in labels) if (s.existingAntiAffinity.get(pair(k, labels[k]!))! > 0) return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
      return Status.SUCCESS;
    },
    ...affinityScoring(),
  };
}
