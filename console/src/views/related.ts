/**
 * Owners and owned objects, and the topology picture: Deployment -> ReplicaSets -> Pods -> Node,
 * Service -> EndpointSlices -> Pods -> Node, CronJob -> Jobs -> Pods, Node -> Pods. Built from the
 * live lists (ownerReferences, spec.nodeName, endpoint targetRefs), drawn as a layered SVG.
 */
import { useLive } from '../hooks.js';
import { html } from '../html.js';
import { selects, type Obj, type OwnerRef } from '../kube.js';
import { byKind, byPlural, type Health } from '../resources.js';
import { objectHref } from '../router.js';

export interface GraphNode { id: string; kind: string; plural: string; namespace?: string; name: string; health: Health }
export interface Graph { layers: GraphNode[][]; edges: [string, string][]; owners: GraphNode[] }

const gnode = (o: Obj, plural: string): GraphNode => ({
  id: o.metadata.uid ?? `${plural}/${o.metadata.namespace}/${o.metadata.name}`, kind: byPlural.get(plural)!.kind, plural,
  namespace: o.metadata.namespace, name: o.metadata.name, health: byPlural.get(plural)!.status(o).health,
});

const ownedBy = (items: Obj[], uid: string | undefined): Obj[] => (uid ? items.filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid)) : []);

/** Which lists the picture of `plural` needs. */
const NEEDS: Record<string, string[]> = {
  deployments: ['replicasets', 'pods'], replicasets: ['pods', 'deployments'], statefulsets: ['pods'], daemonsets: ['pods'], jobs: ['pods', 'cronjobs'],
  cronjobs: ['jobs', 'pods'], pods: ['replicasets', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'services'], services: ['endpointslices', 'pods'], nodes: ['pods'],
};
const ALL = ['replicasets', 'pods', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'services', 'endpointslices'];

/** Live related objects of `obj` (hooks: always the same lists in the same order). */
export function useGraph(plural: string, obj: Obj | undefined): Graph {
  const needs = new Set(NEEDS[plural] ?? []);
  const lists = Object.fromEntries(ALL.map((p) => [p, needs.has(p) ? useLive(p, obj?.metadata.namespace ?? '').sorted() : []]));
  return obj ? buildGraph(plural, obj, lists) : { layers: [], edges: [], owners: [] };
}

export function buildGraph(plural: string, obj: Obj, lists: Record<string, Obj[]>): Graph {
  const ns = obj.metadata.namespace;
  const same = (l: Obj[]): Obj[] => l.filter((o) => o.metadata.namespace === ns);
  const root = gnode(obj, plural);
  const edges: [string, string][] = [];
  const layers: GraphNode[][] = [[root]];
  const nodeLayer = (pods: Obj[]): GraphNode[] => {
    const seen = new Map<string, GraphNode>();
    for (const p of pods) {
      const n = p.spec?.nodeName as string | undefined;
      if (!n) continue;
      const id = `node/${n}`;
      seen.set(id, { id, kind: 'Node', plural: 'nodes', name: n, health: 'ok' });
      edges.push([p.metadata.uid!, id]);
    }
    return [...seen.values()];
  };
  const addPods = (parents: Obj[]): Obj[] => {
    const pods: Obj[] = [];
    for (const parent of parents) for (const p of ownedBy(same(lists.pods ?? []), parent.metadata.uid)) {
      pods.push(p);
      edges.push([parent.metadata.uid!, p.metadata.uid!]);
    }
    return pods;
  };
  if (plural === 'deployments' || plural === 'cronjobs') {
    const mid = ownedBy(same(lists[plural === 'deployments' ? 'replicasets' : 'jobs'] ?? []), obj.metadata.uid)
      .filter((o) => plural !== 'deployments' || (o.spec?.replicas ?? 0) > 0 || (o.status?.replicas ?? 0) > 0);
    for (const m of mid) edges.push([obj.metadata.uid!, m.metadata.uid!]);
    const pods = addPods(mid);
    layers.push(mid.map((m) => gnode(m, plural === 'deployments' ? 'replicasets' : 'jobs')), pods.map((p) => gnode(p, 'pods')), nodeLayer(pods));
  } else if (['replicasets', 'statefulsets', 'daemonsets', 'jobs'].includes(plural)) {
    const pods = addPods([obj]);
    layers.push(pods.map((p) => gnode(p, 'pods')), nodeLayer(pods));
  } else if (plural === 'services') {
    const slices = same(lists.endpointslices ?? []).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === obj.metadata.name);
    const pods = same(lists.pods ?? []);
    const picked = new Map<string, Obj>();
    for (const s of slices) {
      edges.push([obj.metadata.uid!, s.metadata.uid!]);
      for (const ep of ((s as { endpoints?: { targetRef?: { kind?: string; name?: string } }[] }).endpoints ?? [])) {
        const p = ep.targetRef?.kind === 'Pod' ? pods.find((x) => x.metadata.name === ep.targetRef!.name) : undefined;
        if (p) {
          picked.set(p.metadata.uid!, p);
          edges.push([s.metadata.uid!, p.metadata.uid!]);
        }
      }
    }
    // Pods the selector picks that are not endpoints (yet): not ready ones.
    for (const p of pods) if (!picked.has(p.metadata.uid!) && selects(obj.spec?.selector, p.metadata.labels)) {
      picked.set(p.metadata.uid!, p);
      edges.push([obj.metadata.uid!, p.metadata.uid!]);
    }
    layers.push(slices.map((s) => gnode(s, 'endpointslices')), [...picked.values()].map((p) => gnode(p, 'pods')), nodeLayer([...picked.values()]));
  } else if (plural === 'pods') {
    layers.push(nodeLayer([obj]));
  } else if (plural === 'nodes') {
    const pods = (lists.pods ?? []).filter((p) => p.spec?.nodeName === obj.metadata.name);
    for (const p of pods) edges.push([root.id, p.metadata.uid!]);
    layers.push(pods.map((p) => gnode(p, 'pods')));
  }
  return { layers: layers.filter((l) => l.length > 0), edges, owners: owners(obj, lists) };
}

/** The owner chain upwards (Pod -> ReplicaSet -> Deployment), plus Services selecting a pod. */
function owners(obj: Obj, lists: Record<string, Obj[]>): GraphNode[] {
  const out: GraphNode[] = [];
  let cur: Obj | undefined = obj;
  for (let depth = 0; cur && depth < 4; depth++) {
    const ref: OwnerRef | undefined = cur.metadata.ownerReferences?.find((r) => r.controller) ?? cur.metadata.ownerReferences?.[0];
    if (!ref) break;
    const def = byKind.get(ref.kind);
    const o: Obj | undefined = def ? (lists[def.plural] ?? []).find((x): boolean => x.metadata.uid === ref.uid) : undefined;
    out.push(o && def ? gnode(o, def.plural) : { id: ref.uid, kind: ref.kind, plural: def?.plural ?? '', namespace: obj.metadata.namespace, name: ref.name, health: 'idle' });
    cur = o;
  }
  if (obj.kind === 'Pod' || obj.metadata.ownerReferences !== undefined) {
    for (const s of lists.services ?? []) {
      if (s.metadata.namespace === obj.metadata.namespace && obj.kind === 'Pod' && selects(s.spec?.selector, obj.metadata.labels)) out.push(gnode(s, 'services'));
    }
  }
  return out;
}

const MAX_PER_LAYER = 24;
const BOX_W = 170;
const BOX_H = 26;
const GAP_X = 60;
const GAP_Y = 8;

export function Topology({ graph }: { graph: Graph }) {
  if (graph.layers.length < 2) return null;
  const shown = graph.layers.map((l) => l.slice(0, MAX_PER_LAYER));
  const pos = new Map<string, { x: number; y: number }>();
  const tallest = Math.max(...shown.map((l) => l.length + (graph.layers[shown.indexOf(l)]!.length > MAX_PER_LAYER ? 1 : 0)));
  const height = tallest * (BOX_H + GAP_Y) + GAP_Y;
  shown.forEach((layer, i) => {
    const top = (height - layer.length * (BOX_H + GAP_Y)) / 2;
    layer.forEach((n, j) => pos.set(n.id, { x: i * (BOX_W + GAP_X) + 4, y: top + j * (BOX_H + GAP_Y) }));
  });
  const width = shown.length * (BOX_W + GAP_X);
  const clip = (s: string): string => (s.length > 22 ? `${s.slice(0, 21)}…` : s);
  return html`<figure class="topology" data-testid="topology">
    <svg viewBox=${`0 0 ${width} ${height}`} width=${width} height=${height} role="img" aria-label="Topology">
      ${graph.edges.map(([a, b]) => {
        const p = pos.get(a);
        const q = pos.get(b);
        if (!p || !q) return null;
        return html`<path class="edge" d=${`M${p.x + BOX_W},${p.y + BOX_H / 2} C${p.x + BOX_W + GAP_X / 2},${p.y + BOX_H / 2} ${q.x - GAP_X / 2},${q.y + BOX_H / 2} ${q.x},${q.y + BOX_H / 2}`} />`;
      })}
      ${shown.flat().map((n) => {
        const p = pos.get(n.id)!;
        return html`<a href=${objectHref(n.plural, n.namespace, n.name)}>
          <rect x=${p.x} y=${p.y} width=${BOX_W} height=${BOX_H} rx="4" class=${`box ${n.health}`} />
          <text x=${p.x + 6} y=${p.y + 17} class="box-text"><title>${n.kind} ${n.name}</title>${n.kind === 'Node' ? '⬢ ' : ''}${clip(n.name)}</text>
        </a>`;
      })}
      ${graph.layers.map((l, i) => (l.length > MAX_PER_LAYER ? html`<text x=${i * (BOX_W + GAP_X) + 6} y=${height - 6} class="tick">+${l.length - MAX_PER_LAYER} more</text>` : null))}
    </svg>
  </figure>`;
}
