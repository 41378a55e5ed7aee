/**
 * A pod with everything the plugins need precomputed once (upstream PodInfo): requests, host
 * ports and parsed pod (anti-)affinity terms. Built when the pod enters the
 * queue or the cache, so no cycle parses quantities or selectors of pods already placed.
 */
import { labelSelectorFromObject, matchesLabels, type LabelSelector, type LabelSelectorObject } from '../../api/selectors/index.js';
import type { PodAffinityTerm } from '../../api/kinds/core/affinity.js';
import { hostPortsOf, type HostPort } from '../../api/scheduling/host-ports.js';
import { CPU, MEMORY, podRequests, type ResourceList } from './resources.js';
import { podKey, type Pod } from './types.js';

export type { HostPort } from '../../api/scheduling/host-ports.js';

/** A pod (anti-)affinity term with its selectors parsed (upstream AffinityTerm). */
export interface AffinityTerm {
  selector: LabelSelector;
  /** Namespaces the term lists (the pod's own when it lists none and has no namespaceSelector). */
  namespaces: Set<string>;
  /**
   * Namespaces whose labels match this also count (upstream NamespaceSelector): nothing when the
   * term has no namespaceSelector, every namespace when it is `{}`.
   */
  namespaceSelector: LabelSelector;
  topologyKey: string;
}

/** A namespace's labels as the scheduler last saw them; undefined for a namespace it does not know. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  key: string;
  requests: ResourceList;
  /** CPU (millicores) and memory (bytes) with the scoring defaults for containers that request none. */
  nonZeroCpu: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  preferredAffinityTerms: WeightedAffinityTerm[];
  preferredAntiAffinityTerms: WeightedAffinityTerm[];
  /** Set when a term could not be parsed; the pod is then unschedulable with this message. */
  parseError?: string;
}

function parseTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const t = term as PodAffinityTerm & { labelSelector?: LabelSelectorObject; namespaceSelector?: LabelSelectorObject };
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(pod.metadata.namespace ?? 'default');
  return {
    selector: labelSelectorFromObject(t.labelSelector), namespaces,
    namespaceSelector: labelSelectorFromObject(t.namespaceSelector), topologyKey: t.topologyKey ?? '',
  };
}

/**
 * Whether `term` (belonging to some pod) selects `other` (upstream AffinityTerm.Matches): `other`'s
 * namespace is listed or its labels match the namespaceSelector, and `other`'s labels match.
 */
export function termMatches(term: AffinityTerm, other: Pod, namespaceLabels: NamespaceLabels): boolean {
  const ns = other.metadata.namespace ?? 'default';
  if (!term.namespaces.has(ns) && (term.namespaceSelector.nothing || !matchesLabels(term.namespaceSelector, namespaceLabels(ns)))) return false;
  return matchesLabels(term.selector, other.metadata.labels);
}

export function newPodInfo(pod: Pod): PodInfo {
  const nonZero = podRequests(pod, true);
  const info: PodInfo = {
    pod,
    key: podKey(pod),
    requests: podRequests(pod),
    nonZeroCpu: nonZero[CPU] ?? 0,
    nonZeroMemory: nonZero[MEMORY] ?? 0,
    hostPorts: hostPortsOf(pod),
    requiredAffinityTerms: [],
    requiredAntiAffinityTerms: [],
    preferredAffinityTerms: [],
    preferredAntiAffinityTerms: [],
  };
  const aff = pod.spec.affinity;
  if (aff?.podAffinity || aff?.podAntiAffinity) {
    try {
      info.requiredAffinityTerms = (aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t));
      info.requiredAntiAffinityTerms = (aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => parseTerm(pod, t));
      info.preferredAffinityTerms = (aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
        .map((w) => ({ ...parseTerm(pod, w.podAffinityTerm), weight: w.weight }));
      info.preferredAntiAffinityTerms = (aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
        .map((w) => ({ ...parseTerm(pod, w.podAffinityTerm), weight: w.weight }));
    } catch (err) {
      info.parseError = (err as Error).message;
    }
  }
  return info;
}
