/**
 * One object, live from the shared watch: summary (metadata, labels, conditions), owners and owned
 * objects with the topology picture, its events, actions, and tabs for YAML, logs, terminal and
 * metrics where they apply.
 */
import { useEffect } from 'preact/hooks';
import { useLive } from '../hooks.js';
import { html } from '../html.js';
import { setTabKeys } from '../keyboard.js';
import { age, type Condition, type Obj } from '../kube.js';
import type { Target } from '../metrics.js';
import { byPlural, type ResourceDef } from '../resources.js';
import { go, listHref, objectHref, type Route } from '../router.js';
import { Actions } from './actions.js';
import { Charts } from './charts.js';
import { Logs } from './logs.js';
import { Events, lastSeen } from './overview.js';
import { Topology, useGraph, type GraphNode } from './related.js';
import { Terminal } from './terminal.js';
import { YamlEditor } from './yaml-editor.js';

const TAB_KEYS: Record<string, string> = { s: 'summary', y: 'yaml', l: 'logs', x: 'terminal', m: 'metrics' };

export function DetailPage({ route }: { route: Route }) {
  const def = byPlural.get(route.plural!);
  if (!def) return html`<p class="error">Unknown resource ${route.plural}</p>`;
  return html`<${Detail} def=${def} route=${route} />`;
}

function Detail({ def, route }: { def: ResourceDef; route: Route }) {
  const list = useLive(def.plural, route.namespace ?? '');
  const k = route.namespace ? `${route.namespace}/${route.name}` : route.name!;
  const obj = list.items.get(k);
  const graph = useGraph(def.plural, obj);
  const events = useLive('events', route.namespace ?? '');
  const tabs = ['summary', 'yaml', ...(def.kind === 'Pod' ? ['logs', 'terminal'] : []), ...(['Pod', 'Node', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(def.kind) ? ['metrics'] : [])];
  const tab = tabs.includes(route.tab ?? '') ? route.tab! : 'summary';
  const href = (t: string): string => objectHref(def.plural, route.namespace, route.name!, t === 'summary' ? undefined : t);
  useEffect(() => {
    setTabKeys((key) => {
      const t = TAB_KEYS[key];
      if (!t || !tabs.includes(t)) return false;
      go(href(t));
      return true;
    });
    return () => setTabKeys(undefined);
  }, [tabs.join()]);
  if (!obj) {
    return html`<section class="detail"><h1>${def.kind} ${route.name}</h1>
      <p class=${list.error ? 'error' : 'muted'}>${list.error ?? (list.synced ? 'Not found (deleted?).' : 'Loading…')}</p>
      <a href=${listHref(def.plural)}>back to ${def.kind}s</a></section>`;
  }
  const st = def.status(obj);
  const objEvents = events.sorted().filter((e) => {
    const io = (e as { involvedObject?: { uid?: string; kind?: string; name?: string; namespace?: string } }).involvedObject;
    return io && (io.uid ? io.uid === obj.metadata.uid : io.kind === def.kind && io.name === obj.metadata.name && io.namespace === obj.metadata.namespace);
  }).sort((a, b) => lastSeen(b) - lastSeen(a)).slice(0, 30);
  const owned = graph.layers.slice(1).flat().filter((n) => n.kind !== 'Node' || def.kind === 'Pod');
  return html`<section class="detail" data-testid="detail">
    <div class="crumbs"><a href=${listHref(def.plural)}>${def.kind}s</a>${obj.metadata.namespace ? ` / ${obj.metadata.namespace}` : ''} /</div>
    <h1><span data-testid="detail-name">${obj.metadata.name}</span> <span class=${`badge ${st.health}`} data-testid="detail-status">${st.text}</span></h1>
    <${Actions} def=${def} obj=${obj} />
    <nav class="tabs">${tabs.map((t) => html`<a href=${href(t)} class=${t === tab ? 'active' : ''} data-testid=${`tab-${t}`}>${t}</a>`)}</nav>
    ${tab === 'summary' ? html`
      <${Summary} def=${def} obj=${obj} />
      ${graph.owners.length || owned.length ? html`<h2>Related</h2><${Related} owners=${graph.owners} owned=${owned} />` : null}
      <${Topology} graph=${graph} />
      <h2>Events</h2><${Events} items=${objEvents} empty="No events." />`
      : tab === 'yaml' ? html`<${YamlEditor} def=${def} obj=${obj} />`
      : tab === 'logs' ? html`<${Logs} pod=${obj} />`
      : tab === 'terminal' ? html`<${Terminal} pod=${obj} />`
      : html`<${Charts} target=${chartTarget(def, obj, graph.layers.slice(1).flat())} />`}
  </section>`;
}

function chartTarget(def: ResourceDef, obj: Obj, related: GraphNode[]): Target {
  if (def.kind === 'Node') return { kind: 'node', name: obj.metadata.name };
  if (def.kind === 'Pod') return { kind: 'pod', namespace: obj.metadata.namespace!, name: obj.metadata.name };
  return { kind: 'pods', namespace: obj.metadata.namespace!, id: `${def.plural}/${obj.metadata.name}`, pick: () => new Set(related.filter((n) => n.kind === 'Pod').map((n) => n.name)) };
}

function Summary({ def, obj }: { def: ResourceDef; obj: Obj }) {
  const m = obj.metadata;
  const conds = (obj.status?.conditions ?? []) as Condition[];
  return html`<div class="summary">
    <dl class="meta">
      <dt>Kind</dt><dd>${def.kind}</dd>
      ${m.namespace ? html`<dt>Namespace</dt><dd>${m.namespace}</dd>` : null}
      <dt>Created</dt><dd>${m.creationTimestamp} (${age(m.creationTimestamp)})</dd>
      ${def.columns.map((c) => html`<dt>${c.title}</dt><dd>${c.value(obj)}</dd>`)}
      <dt>Labels</dt><dd class="chips" data-testid="labels">${Object.entries(m.labels ?? {}).map(([k, v]) => html`<span class="chip">${k}=${v}</span>`)}</dd>
      <dt>Annotations</dt><dd class="chips">${Object.entries(m.annotations ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration').map(([k, v]) => html`<span class="chip" title=${v}>${k}=${v.length > 60 ? `${v.slice(0, 60)}…` : v}</span>`)}</dd>
    </dl>
    ${conds.length ? html`<h2>Conditions</h2><table class="conditions" data-testid="conditions">
      <thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr></thead>
      <tbody>${conds.map((c) => html`<tr><td>${c.type}</td><td class=${c.status === 'True' ? 'ok-msg' : ''}>${c.status}</td><td>${c.reason}</td><td>${c.message}</td><td>${age(c.lastTransitionTime)}</td></tr>`)}</tbody>
    </table>` : null}
  </div>`;
}

function Related({ owners, owned }: { owners: GraphNode[]; owned: GraphNode[] }) {
  const item = (n: GraphNode) => html`<li>${n.plural ? html`<a href=${objectHref(n.plural, n.namespace, n.name)}>${n.kind} ${n.name}</a>` : `${n.kind} ${n.name}`} <span class=${`badge ${n.health}`}>${n.health}</span></li>`;
  return html`<div class="related" data-testid="related">
    ${owners.length ? html`<div><h3>Owners and selectors</h3><ul>${owners.map(item)}</ul></div>` : null}
    ${owned.length ? html`<div><h3>Owned and placed</h3><ul>${owned.slice(0, 100).map(item)}${owned.length > 100 ? html`<li class="muted">+${owned.length - 100} more</li>` : null}</ul></div>` : null}
  </div>`;
}
