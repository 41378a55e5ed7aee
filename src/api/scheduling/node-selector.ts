/**
 * core/v1 NodeSelector matching (upstream component-helpers nodeaffinity): terms are ORed, the
 * requirements inside a term ANDed; an empty term or a term with an invalid requirement matches no
 * node. matchFields supports `metadata.name` only, as upstream. Shared by the scheduler and the
 * DaemonSet controller (which decides the same way where a daemon pod may run).
 */
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../kinds/core/affinity.js';
import type { Node } from '../kinds/core/node.js';
import type { PodSpec } from '../kinds/core/pod-spec.js';

export type NodeMatcher = (node: Node) => boolean;

const INTEGER = /^[+-]?[0-9]+$/;

function requirement(r: NodeSelectorRequirement, get: (n: Node) => string | undefined): NodeMatcher | null {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return values.length ? (n) => { const v = get(n); return v !== undefined && values.includes(v); } : null;
    case 'NotIn': return values.length ? (n) => { const v = get(n); return v === undefined || !values.includes(v); } : null;
    case 'Exists': return values.length ? null : (n) => get(n) !== undefined;
    case 'DoesNotExist': return values.length ? null : (n) => get(n) === undefined;
    case 'Gt': case 'Lt': {
      if (values.length !== 1 || !INTEGER.test(values[0]!)) return null;
      const bound = BigInt(values[0]!);
      const gt = r.operator === 'Gt';
      return (n) => {
        const v = get(n);
        if (v === undefined || !INTEGER.test(v)) return false;
        return gt ? BigInt(v) > bound : BigInt(v) < bound;
      };
    }
    default: return null;
  }
}

function compileTerm(term: NodeSelectorTerm): NodeMatcher | null {
  const parts: NodeMatcher[] = [];
  for (const r of term.matchExpressions ?? []) {
    const m = requirement(r, (n) => n.metadata.labels?.[r.key]);
    if (!m) return null;
    parts.push(m);
  }
  for (const r of term.matchFields ?? []) {
    if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn') || (r.values ?? []).length !== 1) return null;
    const m = requirement(r, (n) => n.metadata.name);
    if (!m) return null;
    parts.push(m);
  }
  if (parts.length === 0) return null;
  return (n) => parts.every((p) => p(n));
}

/** A matcher for the OR of `terms`; matches nothing when no term is usable. */
export function compileNodeSelectorTerms(terms: readonly NodeSelectorTerm[]): NodeMatcher {
  const compiled = terms.map(compileTerm).filter((m): m is NodeMatcher => m !== null);
  return (n) => compiled.some((m) => m(n));
}

/** A matcher for one preferred term (null if it can never match). */
export function compileNodeSelectorTerm(term: NodeSelectorTerm): NodeMatcher | null {
  return compileTerm(term);
}

/**
 * GetRequiredNodeAffinity(pod).Match: the pod's nodeSelector and required node affinity both
 * accept the node. Null when the pod has neither (every node matches).
 */
export function requiredNodeAffinity(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'>): NodeMatcher | null {
  const selector = Object.entries(spec.nodeSelector ?? {});
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (selector.length === 0 && !required) return null;
  const terms = required ? compileNodeSelectorTerms(required.nodeSelectorTerms ?? []) : null;
  return (node: Node) => {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of selector) if (labels[k] !== v) return false;
    return terms ? terms(node) : true;
  };
}
