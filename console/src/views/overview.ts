/**
 * One screen: nodes with capacity, what pods request and live use (metrics.k8s.io when served),
 * workload and pod health counts, warnings and recent events. All live from watches; node usage is
 * the metrics API's latest sample, read every 15 s.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useLive } from '../hooks.js';
import { html } from '../html.js';
import { age, bytes, cores, quantity, type Obj } from '../kube.js';
import { nodeUsage, INTERVAL_MS } from '../metrics.js';
import { byPlural, podStatus } from '../resources.js';
import { listHref, objectHref } from '../router.js';

const NODE_ROWS = 50;

function requests(pods: Obj[]): Map<string, { cpu: number; mem: number; pods: number }> {
  const out = new Map<string, { cpu: number; mem: number; pods: number }>();
  for (const p of pods) {
    const n = p.spec?.nodeName as string | undefined;
    if (!n || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const r = out.get(n) ?? { cpu: 0, mem: 0, pods: 0 };
    for (const c of (p.spec?.containers ?? []) as { resources?: { requests?: Record<string, string> } }[]) {
      r.cpu += quantity(c.resources?.requests?.cpu);
      r.mem += quantity(c.resources?.requests?.memory);
    }
    r.pods++;
    out.set(n, r);
  }
  return out;
}

const Bar = ({ used, total }: { used: number; total: number }) => {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return html`<span class="bar" title=${`${pct}%`}><span class=${`fill ${pct > 90 ? 'bad' : pct > 70 ? 'warn' : 'ok'}`} style=${`width:${pct}%`}></span></span>`;
};

export function Overview({ namespace }: { namespace: string }) {
  const nodes = useLive('nodes');
  const pods = useLive('pods', namespace);
  const events = useLive('events', namespace);
  const deployments = useLive('deployments', namespace);
  const statefulsets = useLive('statefulsets', namespace);
  const daemonsets = useLive('daemonsets', namespace);
  const jobs = useLive('jobs', namespace);
  const [usage, setUsage] = useState<Map<string, { cpu: number; mem: number }> | undefined>();
  useEffect(() => {
    let live = true;
    const read = async (): Promise<void> => {
      const u = await nodeUsage();
      if (live) setUsage(u);
    };
    void read();
    const id = setInterval(() => void read(), INTERVAL_MS);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, []);
  const inNs = (o: Obj): boolean => !namespace || o.metadata.namespace === namespace;
  const allPods = useMemo(() => pods.sorted(), [pods.version, pods]);
  const reqs = useMemo(() => requests(allPods), [allPods]);
  const counts = (l: { sorted: () => Obj[] }, plural: string) => {
    const def = byPlural.get(plural)!;
    const c = { ok: 0, warn: 0, bad: 0, idle: 0 };
    for (const o of l.sorted()) if (inNs(o)) c[def.status(o).health]++;
    return c;
  };
  const podCounts = { ok: 0, warn: 0, bad: 0, idle: 0 };
  for (const p of allPods) if (inNs(p)) podCounts[podStatus(p).health]++;
  const evs = events.sorted().filter(inNs).sort((a, b) => lastSeen(b) - lastSeen(a));
  const warnings = evs.filter((e) => (e as { type?: string }).type === 'Warning').slice(0, 15);
  const recent = evs.slice(0, 15);
  const nodeList = nodes.sorted();
  return html`<section class="overview" data-testid="overview">
    <h1>Overview ${namespace ? html`<span class="muted">namespace ${namespace}</span>` : null}</h1>
    <div class="cards">
      ${[['Deployments', 'deployments', deployments], ['StatefulSets', 'statefulsets', statefulsets], ['DaemonSets', 'daemonsets', daemonsets], ['Jobs', 'jobs', jobs]].map(([title, plural, l]) => {
        const c = counts(l as { sorted: () => Obj[] }, plural as string);
        return html`<a class="card" href=${listHref(plural as string)}><div class="card-title">${title}</div><${Counts} c=${c} /></a>`;
      })}
      <a class="card" href=${listHref('pods')}><div class="card-title">Pods</div><${Counts} c=${podCounts} /></a>
      <a class="card" href=${listHref('nodes')}><div class="card-title">Nodes</div><${Counts} c=${counts(nodes, 'nodes')} /></a>
    </div>
    <h2>Nodes ${nodeList.length > NODE_ROWS ? html`<span class="muted">(first ${NODE_ROWS} of ${nodeList.length}: <a href=${listHref('nodes')}>all</a>)</span>` : null}</h2>
    ${usage ? null : html`<p class="hint">No usage from the resource metrics API (yet): live use is not shown.</p>`}
    <table class="nodes">
      <thead><tr><th>Node</th><th>Status</th><th>Pods</th><th>CPU requested / allocatable</th><th>CPU used</th><th>Memory requested / allocatable</th><th>Memory used</th></tr></thead>
      <tbody>${nodeList.slice(0, NODE_ROWS).map((n) => {
        const alloc = { cpu: quantity(n.status?.allocatable?.cpu), mem: quantity(n.status?.allocatable?.memory), pods: quantity(n.status?.allocatable?.pods) };
        const r = reqs.get(n.metadata.name) ?? { cpu: 0, mem: 0, pods: 0 };
        const u = usage?.get(n.metadata.name);
        const st = byPlural.get('nodes')!.status(n);
        return html`<tr>
          <td><a href=${objectHref('nodes', undefined, n.metadata.name)}>${n.metadata.name}</a></td>
          <td><span class=${`badge ${st.health}`}>${st.text}</span></td>
          <td>${r.pods}/${alloc.pods}</td>
          <td><${Bar} used=${r.cpu} total=${alloc.cpu} /> ${cores(r.cpu)} / ${cores(alloc.cpu)}</td>
          <td>${u ? html`<${Bar} used=${u.cpu} total=${alloc.cpu} /> ${cores(u.cpu)}` : '–'}</td>
          <td><${Bar} used=${r.mem} total=${alloc.mem} /> ${bytes(r.mem)} / ${bytes(alloc.mem)}</td>
          <td>${u ? html`<${Bar} used=${u.mem} total=${alloc.mem} /> ${bytes(u.mem)}` : '–'}</td>
        </tr>`;
      })}</tbody>
    </table>
    <div class="two">
      <div><h2>Warnings</h2><${Events} items=${warnings} empty="No warnings." /></div>
      <div><h2>Recent events</h2><${Events} items=${recent} empty="No events." /></div>
    </div>
  </section>`;
}

const Counts = ({ c }: { c: Record<string, number> }) => html`<div class="counts">
  <span class="badge ok" title="healthy">${c.ok}</span><span class="badge warn" title="progressing">${c.warn}</span><span class="badge bad" title="failing">${c.bad}</span>${c.idle ? html`<span class="badge idle" title="idle">${c.idle}</span>` : null}
</div>`;

export function lastSeen(e: Obj): number {
  const x = e as { lastTimestamp?: string; eventTime?: string; firstTimestamp?: string };
  return Date.parse(x.lastTimestamp ?? x.eventTime ?? x.firstTimestamp ?? e.metadata.creationTimestamp ?? '') || 0;
}

export function Events({ items, empty }: { items: Obj[]; empty: string }) {
  if (items.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<table class="events"><tbody>${items.map((e) => {
    const x = e as { type?: string; reason?: string; message?: string; count?: number; involvedObject?: { kind?: string; name?: string; namespace?: string } };
    const io = x.involvedObject ?? {};
    const def = [...byPlural.values()].find((d) => d.kind === io.kind);
    return html`<tr class=${x.type === 'Warning' ? 'warn' : ''}>
      <td class="muted">${age(new Date(lastSeen(e)).toISOString())}</td>
      <td>${x.reason}</td>
      <td>${def && io.name ? html`<a href=${objectHref(def.plural, io.namespace, io.name)}>${io.kind}/${io.name}</a>` : `${io.kind ?? ''}/${io.name ?? ''}`}</td>
      <td>${x.message}${x.count && x.count > 1 ? html` <span class="muted">(×${x.count})</span>` : null}</td>
    </tr>`;
  })}</tbody></table>`;
}
